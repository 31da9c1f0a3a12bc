"""Issue #21.5: security events are kept as rows without passwords, codes or unknown addresses,
and the platform admin lists them."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from saas.audit.models import SecurityEvent
from saas.audit.security import Kind, account_ref
from saas.extensions import db, limiter
from saas.models_base import utcnow
from tenants.models import Role
from tests import factories as f
from tests.mail import links_in_mailbox

WRONG = "my-secret-guess-123"


def _events(ctx) -> list[SecurityEvent]:
    with ctx():
        rows = db.session.execute(select(SecurityEvent).order_by(SecurityEvent.id)).scalars()
        return [r for r in rows if not db.session.expunge(r)]


def _everything_in(event: SecurityEvent) -> str:
    return repr((event.kind, event.user_id, event.account_ref, event.address_ref, event.details))


def test_sign_ins_and_failures_are_kept_without_password_or_unknown_address(app, client, ctx):
    net = f.network(app, "beringen")
    steward = f.user(app, "regie@beringen.example", (net, Role.STEWARD))
    assert (
        client.post("/auth/login", data={"email": steward.email, "password": WRONG}).status_code
        == 422
    )
    ghost = {"email": "Ghost@Nowhere.example", "password": WRONG}
    assert client.post("/auth/login", data=ghost).status_code == 422
    f.login(client, steward)
    assert client.post("/auth/logout").status_code == 302

    events = _events(ctx)
    assert [e.kind for e in events] == [
        Kind.SIGN_IN_FAILED,
        Kind.SIGN_IN_FAILED,
        Kind.SIGN_IN,
        Kind.SIGN_OUT,
    ]
    known, unknown, signed_in, _out = events
    assert known.user_id == steward.id == signed_in.user_id
    assert unknown.user_id is None
    with app.app_context():
        assert unknown.account_ref == account_ref("ghost@nowhere.example")
    # where from: the client's network (a /24), never its full address
    assert signed_in.details == {"via": "password", "network": "127.0.0.0/24"}
    assert known.details == unknown.details == {"network": "127.0.0.0/24"}
    for event in events:
        kept = _everything_in(event).lower()
        assert WRONG not in kept and f.PASSWORD not in kept
        assert "ghost" not in kept and "nowhere" not in kept and "@" not in kept
        assert event.address_ref and "127.0.0.1" not in kept


def test_a_throttled_attempt_is_kept_though_its_request_rolls_back(make_app, app, ctx):
    steward = f.user(app, "regie@beringen.example")
    limited = make_app({"RATELIMIT_ENABLED": True})
    try:
        client = limited.test_client()
        for _ in range(6):
            client.post("/auth/login", data={"email": steward.email, "password": WRONG})
    finally:
        limiter.enabled = False
    events = _events(ctx)
    assert [e.kind for e in events] == [Kind.SIGN_IN_FAILED] * 5 + [Kind.SIGN_IN_THROTTLED]
    throttled = events[-1]
    assert throttled.user_id == steward.id
    with app.app_context():
        assert throttled.account_ref == account_ref(steward.email)
    assert throttled.details["scope"] == "account" and "until" in throttled.details


def test_password_change_and_reset_are_kept_with_the_sessions_they_end(
    app, client, ctx, run_jobs, environ
):
    person = f.user(app, "olga@in-z.example")
    laptop, phone = app.test_client(), app.test_client()
    f.login(laptop, person)
    f.login(phone, person)
    changed = laptop.post(
        "/account",
        data={
            "password-current": f.PASSWORD,
            "password-password": "another long password",
            "password-confirm": "another long password",
        },
    )
    assert changed.status_code == 302
    assert client.post("/auth/forgot", data={"email": person.email}).status_code == 302
    assert client.post("/auth/forgot", data={"email": "nobody@x.example"}).status_code == 302
    run_jobs()
    (link,) = links_in_mailbox(environ, person.email, "/auth/reset/")
    new = {"password": "a third long password", "confirm": "a third long password"}
    assert client.post(link.replace("http://localhost", ""), data=new).status_code == 302

    kinds = [(e.kind, e.user_id, e.details) for e in _events(ctx)][2:]
    assert kinds == [
        (Kind.SESSIONS_REVOKED, person.id, {"sessions": 1}),  # the phone
        (Kind.SIGN_IN, person.id, {"via": "password_change", "network": "127.0.0.0/24"}),
        (Kind.PASSWORD_CHANGED, person.id, {}),
        (Kind.PASSWORD_RESET_REQUESTED, person.id, {"sent": True}),
        (Kind.PASSWORD_RESET_REQUESTED, None, {"sent": False}),
        (Kind.SESSIONS_REVOKED, person.id, {"sessions": 1}),  # the laptop
        (Kind.PASSWORD_RESET, person.id, {}),
    ]


def test_an_invitation_that_fails_keeps_no_sign_in_of_an_account_that_was_never_made(app, ctx):
    """A sign-in event joins the request's transaction: rolled back with it."""
    with app.test_request_context("/"):
        from saas.accounts import services as accounts

        user = accounts.create_user(email="new@x.example", name="Nieuw", password="long enough pw")
        accounts.start_session(user, via="invitation")
        db.session.rollback()
    assert _events(ctx) == []


@pytest.fixture
def admin_client(app):
    admin = f.user(app, "admin@dorp.example", admin=True)
    client = app.test_client()
    f.login(client, admin)
    return client


def _seed(ctx, kind: Kind, when, n: int = 1, **details) -> None:
    with ctx():
        for _ in range(n):
            db.session.add(
                SecurityEvent(kind=kind, created_at=when, account_ref="ab" * 16, details=details)
            )
        db.session.commit()


def _listed(response) -> list[str]:
    """The kinds of the events a page lists, newest first."""
    return re.findall(
        r"<li class=\"border-bottom py-2\">\s*<div><strong>([^<]+)</strong>", response.text
    )


def test_the_platform_admin_lists_events_by_kind_and_day(app, admin_client, ctx):
    now = utcnow()
    _seed(ctx, Kind.SIGN_IN_FAILED, now - timedelta(days=10))
    _seed(ctx, Kind.SIGN_IN_THROTTLED, now, scope="account", until=now.isoformat())

    everything = admin_client.get("/admin/security")
    assert everything.status_code == 200
    assert "<h1>Aanmeldingen en beveiliging</h1>" in everything.text
    assert _listed(everything) == [
        "Aanmelden geweigerd: te veel mislukte pogingen",
        "Aangemeld",  # the admin's own sign-in, with the second factor
        "Tweede factor gebruikt",
        "Aanmelden mislukt",
    ]
    assert "admin@dorp.example" in everything.text
    assert "onbekend account <code>abababab</code>" in everything.text
    assert "te veel mislukte pogingen voor dit account; gepauzeerd tot" in everything.text

    only_throttles = admin_client.get("/admin/security?kind=sign_in_throttled")
    assert _listed(only_throttles) == ["Aanmelden geweigerd: te veel mislukte pogingen"]

    # The filter's days are the network's days (Brussels), not UTC's: between 23:00 and
    # midnight UTC the two differ.
    day = (now - timedelta(days=10)).astimezone(ZoneInfo("Europe/Brussels")).date().isoformat()
    that_day = admin_client.get(f"/admin/security?from={day}&to={day}")
    assert _listed(that_day) == ["Aanmelden mislukt"]
    assert "1 gebeurtenis" in that_day.text


def test_the_listing_is_paginated(app, admin_client, ctx):
    _seed(ctx, Kind.SIGN_IN_FAILED, utcnow() - timedelta(hours=1), n=60)
    first = admin_client.get("/admin/security?kind=sign_in_failed")
    assert _listed(first) == ["Aanmelden mislukt"] * 50
    assert "Pagina 1 van 2" in first.text and 'rel="next"' in first.text
    second = admin_client.get("/admin/security?kind=sign_in_failed&page=2")
    assert _listed(second) == ["Aanmelden mislukt"] * 10


@pytest.mark.parametrize(
    "query",
    ["kind=drop_tables", "from=2026-13-45", "from=1999-01-01", "from=2026-05-02&to=2026-05-01"],
)
def test_bad_filters_get_a_message_and_no_listing(admin_client, query):
    response = admin_client.get(f"/admin/security?{query}")
    assert response.status_code == 422
    assert 'class="alert alert-danger"' in response.get_data(as_text=True)


def test_security_events_are_for_the_platform_admin_only(app, client):
    net = f.network(app, "beringen")
    steward = f.user(app, "regie@beringen.example", (net, Role.STEWARD))
    anonymous = client.get("/admin/security")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    f.login(client, steward)
    assert client.get("/admin/security").status_code == 404


def test_the_demo_shows_every_kind_of_event_once_seeded(app, ctx):
    from saas.demo.security import seed_security_events

    hafida = f.user(app, "hafida@in-z.demo")
    with ctx():
        first, second = seed_security_events(), seed_security_events()
        db.session.commit()
    assert first["security_events"] > 30 and second["security_events"] == 0
    events = _events(ctx)
    assert {e.kind for e in events} == set(Kind)
    assert any(e.user_id == hafida.id and e.kind == Kind.SIGN_IN_THROTTLED for e in events)
    assert all("@" not in _everything_in(e) for e in events)


def test_events_older_than_the_retention_are_purged_daily(app, ctx):
    from workers.jobs import purge_expired

    days = app.config["SECURITY_EVENT_DAYS"]
    _seed(ctx, Kind.SIGN_IN_FAILED, utcnow() - timedelta(days=days, hours=1), n=3)
    _seed(ctx, Kind.SIGN_IN_FAILED, utcnow() - timedelta(days=days - 1))
    with app.app_context():
        assert purge_expired()["security_events"] == 3
    assert len(_events(ctx)) == 1
