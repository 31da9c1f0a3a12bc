"""Issue #21.4: the person's security page. Their sessions (device, last seen, the network's
prefix, this device marked), signing one out or every other one, their own recent sign-ins and
attempts, and an e-mail when a sign-in comes from a device not seen lately."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_login import login_user
from sqlalchemy import func, select, text

from saas.accounts import devices
from saas.accounts.models import LoginSession, SignInDevice, User
from saas.accounts.sessions import NEW_DEVICE_DAYS
from saas.audit.models import SecurityEvent
from saas.audit.security import Kind
from saas.extensions import db
from saas.i18n import ago_text
from saas.models_base import utcnow
from saas.notifications.models import OutboxMessage
from saas.security import SESSION_IDLE_LIMIT
from tests import factories as f
from tests.mail import messages

CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70"
)


# --- reading the user agent and the address -------------------------------------------------


@pytest.mark.parametrize(
    ("agent", "browser", "system"),
    [
        (CHROME_ANDROID, "Chrome", "Android"),
        (FIREFOX_WINDOWS, "Firefox", "Windows"),
        (SAFARI_IPHONE, "Safari", "iOS"),
        (EDGE_WINDOWS, "Edge", "Windows"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/18.1 Safari/605.1.15",
            "Safari",
            "macOS",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
            "Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Chrome",
            "macOS",
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
            "Chrome",
            "iPadOS",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15",
            "Firefox",
            "iOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like "
            "Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
            "Samsung Internet",
            "Android",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0",
            "Opera",
            "Windows",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox",
            "Linux",
        ),
        (
            "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36",
            "Chrome",
            "ChromeOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
            "Internet Explorer",
            "Windows",
        ),
        ("Werkzeug/3.1.3", "", ""),
        ("curl/8.5.0", "", ""),
        ("", "", ""),
        (None, "", ""),
    ],
)
def test_the_user_agent_reads_as_a_browser_and_a_system(agent, browser, system):
    assert devices.describe(agent) == (browser, system)


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("81.82.83.84", "81.82.83.0/24"),
        ("81.82.83.0", "81.82.83.0/24"),
        ("2a02:1810:4d02:8a00:1c2f:5dd1:aa3e:10f2", "2a02:1810:4d02::/48"),
        ("::ffff:81.82.83.84", "81.82.83.0/24"),
        ("127.0.0.1", "127.0.0.0/24"),
        ("::1", "::1/128"),
        (" 10.1.2.3 ", "10.1.2.0/24"),
        ("81.82.83.256", ""),
        ("not an address", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_only_the_addresss_network_is_kept(address, network):
    assert devices.network_of(address) == network


def test_device_and_place_are_said_in_the_pages_language(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert devices.device_label("Chrome", "Android") == "Chrome on Android"
        assert devices.device_label("", "") == "An unknown browser"
        assert devices.place_label("81.82.83.0/24") == "Network 81.82.83.0/24"
        assert devices.place_label("10.1.2.0/24") == "A private network (10.1.2.0/24)"
        assert devices.place_label("192.168.1.0/24") == "A private network (192.168.1.0/24)"
        assert (
            devices.place_label("fd12:3456:789a::/48") == "A private network (fd12:3456:789a::/48)"
        )
        assert devices.place_label("203.0.113.0/24") == "Network 203.0.113.0/24"
        assert devices.place_label("2a02:1810:4d02::/48") == "Network 2a02:1810:4d02::/48"
        assert devices.place_label("127.0.0.0/24") == "This computer (127.0.0.0/24)"
        assert devices.place_label("::1/128") == "This computer (::1/128)"
        assert devices.place_label("rubbish") == "Unknown network"
        assert devices.place_label("") == "Unknown network"
    with app.test_request_context("/"):  # Dutch first
        assert devices.device_label("Chrome", "Android") == "Chrome op Android"


def test_last_seen_reads_as_a_relative_time(app):
    now = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert ago_text(now - timedelta(minutes=7), "en", now) == "7 minutes ago"
        assert ago_text(now - timedelta(seconds=20), "en", now) == "just now"
        assert ago_text(now + timedelta(seconds=5), "en", now) == "just now"
    assert ago_text(now - timedelta(days=2), "nl", now) == "2 dagen geleden"


# --- helpers --------------------------------------------------------------------------------


def _english(ctx, *people: f.Ref) -> None:
    """Their pages in English (a person's own language wins over the browser's)."""
    with ctx():
        for person in people:
            db.session.get(User, person.id).language = "en"
        db.session.commit()


def _device(app, agent: str, address: str):
    """A browser on its own network: a test client with that user agent and address."""
    client = app.test_client()
    client.environ_base.update({"HTTP_USER_AGENT": agent, "REMOTE_ADDR": address})
    return client


def _sessions(ctx, user_id: int) -> list[LoginSession]:
    with ctx():
        rows = db.session.execute(
            select(LoginSession)
            .where(LoginSession.user_id == user_id)
            .order_by(LoginSession.created_at)
        ).scalars()
        return [r for r in rows if not db.session.expunge(r)]


def _signed_in(client) -> bool:
    response = client.get("/account")
    assert response.status_code in {200, 302}
    return response.status_code == 200


def _events(ctx, kind: str) -> list[SecurityEvent]:
    with ctx():
        rows = db.session.execute(
            select(SecurityEvent).where(SecurityEvent.kind == kind).order_by(SecurityEvent.id)
        ).scalars()
        return [r for r in rows if not db.session.expunge(r)]


def _new_device_mails(ctx) -> list[OutboxMessage]:
    with ctx():
        rows = db.session.execute(
            select(OutboxMessage).where(OutboxMessage.kind == "new_sign_in")
        ).scalars()
        return [r for r in rows if not db.session.expunge(r)]


# --- where a session comes from -------------------------------------------------------------


def test_a_sign_in_keeps_the_device_and_the_network_never_the_address(app, ctx, environ):
    olga = f.user(app, "olga@in-z.example")
    phone = _device(app, CHROME_ANDROID, "81.82.83.84")
    f.login(phone, olga)
    laptop = _device(app, FIREFOX_WINDOWS, "2a02:1810:4d02:8a00:1c2f:5dd1:aa3e:10f2")
    f.login(laptop, olga)
    assert phone.post("/auth/login", data={"email": olga.email, "password": "wrong one!"})
    first, second = _sessions(ctx, olga.id)
    assert (first.browser, first.system, first.network) == ("Chrome", "Android", "81.82.83.0/24")
    assert (second.browser, second.system, second.network) == (
        "Firefox",
        "Windows",
        "2a02:1810:4d02::/48",
    )
    # not in any column of any row that knows about sign-ins
    with ctx():
        for table in ("login_sessions", "sign_in_devices", "security_events"):
            rows = db.session.execute(text(f"SELECT * FROM {table}")).all()
            assert rows, table
            dumped = repr(rows)
            assert "81.82.83.84" not in dumped and "8a00:" not in dumped, table
    (failed,) = _events(ctx, Kind.SIGN_IN_FAILED)
    assert failed.details == {"browser": "Chrome", "system": "Android", "network": "81.82.83.0/24"}


def test_a_sign_in_that_skips_start_session_is_still_a_session(app, ctx):
    """Every sign-in ends in `login_user`: one that calls it without a session row (a future
    sign-in path) still gets a row it can be seen and ended by."""
    olga = f.user(app, "olga@in-z.example")
    with app.test_request_context(
        "/", headers={"User-Agent": SAFARI_IPHONE}, environ_base={"REMOTE_ADDR": "81.82.83.84"}
    ):
        from flask import session

        user = db.session.get(User, olga.id)
        assert login_user(user)
        token = session["_user_id"]
        assert token and token == user.login_token
        db.session.commit()
    (row,) = _sessions(ctx, olga.id)
    assert row.token == token and (row.browser, row.system) == ("Safari", "iOS")


# --- the page -------------------------------------------------------------------------------


def test_the_page_lists_the_persons_own_sessions_and_marks_this_device(app, ctx):
    olga = f.user(app, "olga@in-z.example")
    ilse = f.user(app, "ilse@in-z.example")
    phone = _device(app, CHROME_ANDROID, "81.82.83.84")
    laptop = _device(app, FIREFOX_WINDOWS, "81.82.99.10")
    f.login(phone, olga)
    f.login(laptop, olga)
    f.login(_device(app, SAFARI_IPHONE, "198.51.100.7"), ilse)
    phone_row, laptop_row = _sessions(ctx, olga.id)
    (ilse_row,) = _sessions(ctx, ilse.id)
    _english(ctx, olga)

    page = laptop.get("/account/security")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert phone_row.handle in body and laptop_row.handle in body
    assert ilse_row.handle not in body and "Safari" not in body and "198.51.100" not in body
    assert body.count("This device") == 1
    this_device = body.split("This device")[0].rsplit("<li", 1)[1]
    assert "Firefox on Windows" in this_device
    assert "Chrome on Android" in body and "Network 81.82.83.0/24" in body
    assert "Sign out everywhere else" in body
    for row in (phone_row, laptop_row, ilse_row):
        assert row.token not in body  # the cookie's secret never leaves the server


def test_the_page_lists_the_persons_own_sign_ins_and_failed_attempts(app, ctx):
    olga = f.user(app, "olga@in-z.example")
    ilse = f.user(app, "ilse@in-z.example")
    stranger = _device(app, FIREFOX_WINDOWS, "203.0.113.99")
    stranger.post("/auth/login", data={"email": olga.email, "password": "guess guess!"})
    other = _device(app, SAFARI_IPHONE, "198.51.100.7")
    other.post("/auth/login", data={"email": ilse.email, "password": "ilse's typo!"})
    other.post("/auth/login", data={"email": "nobody@x.example", "password": "whatever!"})
    phone = _device(app, CHROME_ANDROID, "81.82.83.84")
    f.login(phone, olga)
    _english(ctx, olga)

    body = phone.get("/account/security").get_data(as_text=True)
    recent = body.split("Recent sign-ins and attempts")[1]
    assert recent.count("Sign-in failed") == 1  # hers; not Ilse's, not the unknown address's
    assert "Firefox on Windows" in recent and "Network 203.0.113.0/24" in recent
    assert recent.count("Signed in") == 1 and "Chrome on Android" in recent
    assert "198.51.100" not in body and "Safari" not in body


def test_sessions_past_the_idle_limit_are_not_listed(app, ctx):
    olga = f.user(app, "olga@in-z.example")
    old, laptop = _device(app, CHROME_ANDROID, "81.82.83.84"), app.test_client()
    f.login(old, olga)
    f.login(laptop, olga)
    stale = _sessions(ctx, olga.id)[0]
    with ctx():
        row = db.session.get(LoginSession, stale.token)
        row.last_seen_at = utcnow() - SESSION_IDLE_LIMIT - timedelta(minutes=1)
        db.session.commit()
    body = laptop.get("/account/security").get_data(as_text=True)
    assert stale.handle not in body
    assert (
        laptop.post("/account/security/sign-out", data={"session": stale.handle}).status_code == 422
    )


def test_signing_out_a_session_ends_it_at_its_next_request(app, ctx):
    olga = f.user(app, "olga@in-z.example")
    phone, laptop = _device(app, CHROME_ANDROID, "81.82.83.84"), app.test_client()
    f.login(phone, olga)
    f.login(laptop, olga)
    assert _signed_in(phone)
    phone_row = _sessions(ctx, olga.id)[0]

    response = laptop.post("/account/security/sign-out", data={"session": phone_row.handle})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/account/security"
    )
    assert not _signed_in(phone)  # at once: its very next request is signed out
    assert phone.get("/account").headers["Location"].startswith("/auth/login")
    assert _signed_in(laptop)
    assert [s.token for s in _sessions(ctx, olga.id)] != [phone_row.token]
    (revoked,) = _events(ctx, Kind.SESSIONS_REVOKED)
    assert revoked.user_id == olga.id and revoked.details == {"sessions": 1, "how": "one"}


def test_signing_out_this_device_from_the_list_logs_out(app, ctx):
    olga = f.user(app, "olga@in-z.example")
    f.login(laptop := app.test_client(), olga)
    (row,) = _sessions(ctx, olga.id)
    response = laptop.post("/account/security/sign-out", data={"session": row.handle})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert not _signed_in(laptop)
    assert _sessions(ctx, olga.id) == [] and _events(ctx, Kind.SIGN_OUT)


def test_sign_out_everywhere_else_keeps_this_one(app, ctx):
    olga = f.user(app, "olga@in-z.example")
    ilse = f.user(app, "ilse@in-z.example")
    here = app.test_client()
    elsewhere = [_device(app, CHROME_ANDROID, "81.82.83.84"), _device(app, EDGE_WINDOWS, "8.8.8.8")]
    for client in (*elsewhere, here):
        f.login(client, olga)
    f.login(hers := app.test_client(), ilse)

    response = here.post("/account/security/sign-out-others")
    assert response.status_code == 302
    assert _signed_in(here) and _signed_in(hers)
    assert not any(_signed_in(c) for c in elsewhere)
    assert len(_sessions(ctx, olga.id)) == 1 and len(_sessions(ctx, ilse.id)) == 1
    (revoked,) = _events(ctx, Kind.SESSIONS_REVOKED)
    assert revoked.details == {"sessions": 2, "how": "others"}
    # nothing else to end: a message, no event
    again = here.post("/account/security/sign-out-others", follow_redirects=True)
    assert again.status_code == 200 and len(_events(ctx, Kind.SESSIONS_REVOKED)) == 1


@pytest.mark.parametrize(
    "handle",
    ["", "0" * 24, "nonsense", "x" * 5000, "<script>alert(1)</script>", "other person's"],
)
def test_signing_out_an_unknown_or_anothers_session_says_so_and_changes_nothing(app, ctx, handle):
    olga = f.user(app, "olga@in-z.example")
    ilse = f.user(app, "ilse@in-z.example")
    f.login(hers := app.test_client(), ilse)
    f.login(mine := app.test_client(), olga)
    f.login(_device(app, CHROME_ANDROID, "81.82.83.84"), olga)
    if handle == "other person's":
        handle = _sessions(ctx, ilse.id)[0].handle
    before = {u: [s.token for s in _sessions(ctx, u)] for u in (olga.id, ilse.id)}
    _english(ctx, olga)

    response = mine.post("/account/security/sign-out", data={"session": handle})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "it has ended already or is not one of yours" in body
    assert "<script>alert(1)</script>" not in body
    assert {u: [s.token for s in _sessions(ctx, u)] for u in (olga.id, ilse.id)} == before
    assert _signed_in(hers) and _signed_in(mine)
    assert _events(ctx, Kind.SESSIONS_REVOKED) == []


def test_the_page_and_its_actions_need_a_sign_in(app, client):
    for method, url in [
        ("GET", "/account/security"),
        ("POST", "/account/security/sign-out"),
        ("POST", "/account/security/sign-out-others"),
    ]:
        response = client.open(url, method=method, data={"session": "0" * 24})
        assert response.status_code == 302, url
        assert "/auth/login" in response.headers["Location"]


def test_the_account_menu_leads_to_the_security_page(app, client):
    olga = f.user(app, "olga@in-z.example")
    f.login(client, olga)
    body = client.get("/account").get_data(as_text=True)
    assert 'href="/account/security"' in body


# --- a sign-in from a new device ------------------------------------------------------------


def test_a_new_device_is_emailed_once_and_a_known_one_never(app, ctx, run_jobs, environ):
    olga = f.user(app, "olga@in-z.example")
    _english(ctx, olga)
    f.login(_device(app, FIREFOX_WINDOWS, "81.82.99.10"), olga)  # the first Dorp remembers
    f.login(_device(app, FIREFOX_WINDOWS, "81.82.99.11"), olga)  # same browser, same network
    assert _new_device_mails(ctx) == []

    f.login(_device(app, CHROME_ANDROID, "81.82.83.84"), olga)
    (mail,) = _new_device_mails(ctx)
    assert mail.recipient == olga.email
    assert mail.subject == "A new sign-in to your Dorp account"  # her language, not Dutch
    assert "Chrome on Android" in mail.body_text and "Network 81.82.83.0/24" in mail.body_text
    assert "81.82.83.84" not in mail.body_text
    assert "http://localhost/account/security" in mail.body_text

    f.login(_device(app, CHROME_ANDROID, "81.82.83.200"), olga)  # that phone again
    f.login(_device(app, FIREFOX_WINDOWS, "81.82.99.10"), olga)
    assert len(_new_device_mails(ctx)) == 1
    run_jobs()  # through the outbox after the commit, like every e-mail
    sent = [m for m in messages(environ) if m["To"] == olga.email]
    assert [m["Subject"] for m in sent] == ["A new sign-in to your Dorp account"]


def test_the_same_browser_on_another_network_is_a_new_device(app, ctx):
    olga = f.user(app, "olga@in-z.example")
    f.login(_device(app, FIREFOX_WINDOWS, "81.82.99.10"), olga)
    f.login(_device(app, FIREFOX_WINDOWS, "203.0.113.5"), olga)
    (mail,) = _new_device_mails(ctx)
    assert "203.0.113.0/24" in mail.body_text and mail.subject == (
        "Een nieuwe aanmelding op je Dorp-account"
    )


def test_a_device_not_seen_for_long_is_new_again(app, ctx):
    olga = f.user(app, "olga@in-z.example")
    f.login(_device(app, FIREFOX_WINDOWS, "81.82.99.10"), olga)
    f.login(_device(app, CHROME_ANDROID, "81.82.83.84"), olga)
    assert len(_new_device_mails(ctx)) == 1
    with ctx():
        db.session.execute(
            SignInDevice.__table__.update()
            .where(SignInDevice.browser == "Chrome")
            .values(last_seen_at=utcnow() - timedelta(days=NEW_DEVICE_DAYS + 1))
        )
        db.session.commit()
    f.login(_device(app, CHROME_ANDROID, "81.82.83.84"), olga)
    assert len(_new_device_mails(ctx)) == 2


def test_a_failed_sign_in_from_a_new_device_sends_nothing_and_remembers_nothing(app, ctx):
    olga = f.user(app, "olga@in-z.example")
    f.login(_device(app, FIREFOX_WINDOWS, "81.82.99.10"), olga)
    phone = _device(app, CHROME_ANDROID, "81.82.83.84")
    assert phone.post("/auth/login", data={"email": olga.email, "password": "nope nope!"})
    assert _new_device_mails(ctx) == []
    with ctx():
        assert db.session.execute(select(func.count()).select_from(SignInDevice)).scalar() == 1


def test_devices_are_forgotten_with_the_security_events(app, ctx):
    from workers.jobs import purge_expired

    olga = f.user(app, "olga@in-z.example")
    f.login(_device(app, FIREFOX_WINDOWS, "81.82.99.10"), olga)
    f.login(_device(app, CHROME_ANDROID, "81.82.83.84"), olga)
    days = app.config["SECURITY_EVENT_DAYS"]
    with ctx():
        db.session.execute(
            SignInDevice.__table__.update()
            .where(SignInDevice.browser == "Chrome")
            .values(last_seen_at=utcnow() - timedelta(days=days, hours=1))
        )
        db.session.commit()
        assert purge_expired()["sign_in_devices"] == 1
        left = db.session.execute(select(SignInDevice.browser)).scalars().all()
    assert left == ["Firefox"]


# --- the demo -------------------------------------------------------------------------------


def test_the_demo_people_have_sessions_and_sign_ins_to_show(app, ctx):
    from saas.demo.security import seed_login_sessions, seed_security_events

    regie = f.user(app, "regie@beringen.demo")
    with ctx():
        first = {**seed_security_events(), **seed_login_sessions()}
        second = seed_login_sessions()
        db.session.commit()
    assert first["login_sessions"] == 2 and second["login_sessions"] == 0  # hers alone
    rows = _sessions(ctx, regie.id)
    assert len(rows) >= 2 and all(r.browser and r.network for r in rows)
    with ctx():
        devices_known = db.session.execute(
            select(func.count()).select_from(SignInDevice).where(SignInDevice.user_id == regie.id)
        ).scalar()
    assert devices_known >= 2
    f.login(client := app.test_client(), regie)
    body = client.get("/account/security").get_data(as_text=True)
    assert "Firefox op Windows" in body and "Signed in" not in body  # Dutch, as she reads it
    assert "Aangemeld" in body
