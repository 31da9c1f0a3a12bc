"""Logging in and out, sessions, passwords, invitations, CSRF, rate limits, headers, redirects."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from saas.extensions import db
from saas.models_base import utcnow
from tenants.context import network_scope
from tenants.models import Invitation, Membership, Role
from tests import factories as f


def _steward(app):
    net = f.network(app, "beringen")
    return net, f.user(app, "regie@beringen.example", (net, Role.STEWARD), name="Els")


def test_login_failure_says_one_generic_thing(app, client):
    _net, steward = _steward(app)
    wrong_password = client.post(
        "/auth/login", data={"email": steward.email, "password": "nope-nope-nope"}
    )
    no_account = client.post(
        "/auth/login", data={"email": "ghost@nowhere.example", "password": "nope-nope-nope"}
    )
    assert wrong_password.status_code == no_account.status_code == 422

    def alerts(response) -> list[str]:
        import re

        return re.findall(r'class="alert[^"]*"[^>]*>([^<]+)<', response.get_data(as_text=True))

    assert (
        alerts(wrong_password)
        == alerts(no_account)
        == ["Het e-mailadres of het wachtwoord is niet juist."]
    )


def test_password_is_hashed_with_argon2id(app):
    _net, steward = _steward(app)
    with app.app_context():
        from saas.accounts.models import User

        assert db.session.get(User, steward.id).password_hash.startswith("$argon2id$")


def test_logout_ends_the_server_side_session(app):
    _net, steward = _steward(app)
    client = app.test_client()
    f.login(client, steward)
    stolen = client.get_cookie("dorp_session").value
    assert client.post("/auth/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("dorp_session", stolen)
    assert thief.get("/beringen/dashboard").status_code == 302  # back to login


def test_password_change_ends_other_sessions(app):
    _net, steward = _steward(app)
    laptop, phone = app.test_client(), app.test_client()
    f.login(laptop, steward)
    f.login(phone, steward)
    response = laptop.post(
        "/account",
        data={
            "password-current": f.PASSWORD,
            "password-password": "a brand new secret",
            "password-confirm": "a brand new secret",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/beringen/dashboard").status_code == 200
    assert phone.get("/beringen/dashboard").status_code == 302


def test_password_reset_by_mailed_link(app, client, run_jobs, environ):
    _net, steward = _steward(app)
    response = client.post("/auth/forgot", data={"email": steward.email})
    assert response.status_code == 302
    unknown = client.post("/auth/forgot", data={"email": "ghost@nowhere.example"})
    assert unknown.status_code == 302  # same answer: no account probing
    run_jobs()
    from tests.mail import links_in_mailbox

    links = links_in_mailbox(environ, steward.email, "/auth/reset/")
    assert len(links) == 1
    path = links[0].replace("http://localhost", "")
    assert client.post(path, data={"password": "short", "confirm": "short"}).status_code == 422
    assert (
        client.post(
            path, data={"password": "my new password", "confirm": "my new password"}
        ).status_code
        == 302
    )
    assert client.get(path).status_code == 410  # single use
    f.login(client, steward, password="my new password")


def test_invitation_expires_after_seven_days_and_is_single_use(app, client):
    net, _steward_ref = _steward(app)
    with app.app_context():
        from saas.onboarding import invitations
        from tenants.models import Network

        with network_scope(net.id):
            inv = invitations.invite(
                network=db.session.get(Network, net.id),
                email="new@beringen.example",
                role=Role.SE_WORKER,
            )
            db.session.commit()
            assert inv.expires_at - utcnow() > timedelta(days=6, hours=23)
            token = invitations.token_for(inv)
            old = invitations.invite(
                network=db.session.get(Network, net.id),
                email="late@beringen.example",
                role=Role.SE_WORKER,
            )
            old.expires_at = utcnow() - timedelta(seconds=1)
            db.session.commit()
            expired_token = invitations.token_for(old)
    assert client.get(f"/beringen/invitation/{expired_token}").status_code == 410
    data = {
        "name": "Nieuwe Werker",
        "language": "nl",
        "password": "long enough pw",
        "confirm": "long enough pw",
    }
    assert client.post(f"/beringen/invitation/{token}", data=data).status_code == 302
    other = app.test_client()
    assert other.post(f"/beringen/invitation/{token}", data=data).status_code == 410
    assert other.get(f"/beringen/invitation/{token}x").status_code == 410
    with app.app_context(), network_scope(net.id):
        roles = db.session.execute(select(Membership.role)).scalars().all()
        assert sorted(roles) == [Role.SE_WORKER, Role.STEWARD]
        assert db.session.execute(
            select(Invitation).where(Invitation.accepted_at.is_not(None))
        ).scalar_one()


def test_csrf_token_is_required(make_app, app):
    _net, steward = _steward(app)
    strict = make_app({"WTF_CSRF_ENABLED": True})
    client = strict.test_client()
    response = client.post("/auth/login", data={"email": steward.email, "password": f.PASSWORD})
    assert response.status_code == 400
    assert (
        "dorp_session" not in {c.key for c in client._cookies.values()}
        or client.get("/beringen/dashboard").status_code == 302
    )
    page = client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    ok = client.post(
        "/auth/login", data={"email": steward.email, "password": f.PASSWORD, "csrf_token": token}
    )
    assert ok.status_code == 302


PROBE = """
import sys
from saas.app import create_app
from tests.conftest import TEST_OVERRIDES
app = create_app({**TEST_OVERRIDES, "RATELIMIT_ENABLED": True})
response = app.test_client().post("/auth/login", data={"email": sys.argv[1], "password": "wrong-password!"})
print(response.status_code)
"""


def test_login_rate_limit_holds_across_two_app_instances(make_app, app, environ):
    """Two processes share the attempts through Redis: two here, one there, the fourth is refused."""
    import os
    import subprocess
    import sys

    from saas.extensions import limiter

    _net, steward = _steward(app)
    env = {"LOGIN_RATE_LIMIT": "100 per minute", "LOGIN_ACCOUNT_RATE_LIMIT": "3 per 15 minutes"}
    here = make_app({"RATELIMIT_ENABLED": True}, env)
    try:

        def attempt():
            return (
                here.test_client()
                .post("/auth/login", data={"email": steward.email, "password": "wrong-password!"})
                .status_code
            )

        assert [attempt(), attempt()] == [422, 422]
        there = subprocess.run(
            [sys.executable, "-c", PROBE, steward.email],
            env={**os.environ, **environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert there.stdout.strip().splitlines()[-1] == "422"
        assert attempt() == 429
        blocked = here.test_client().post(
            "/auth/login", data={"email": steward.email, "password": f.PASSWORD}
        )
        assert blocked.status_code == 429
    finally:
        limiter.enabled = False  # one limiter per process: leave it as the other tests expect


def test_cookie_flags_and_security_headers(app):
    _net, steward = _steward(app)
    client = app.test_client()
    response = client.post(
        "/auth/login",
        data={"email": steward.email, "password": f.PASSWORD},
        base_url="https://localhost",
    )
    cookie = response.headers["Set-Cookie"]
    for flag in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert flag in cookie
    page = client.get("/auth/login", base_url="https://localhost")
    headers = page.headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "max-age=" in headers["Strict-Transport-Security"]


def test_next_parameter_only_goes_to_this_site(app):
    _net, steward = _steward(app)
    for target in (
        "https://evil.example/",
        "//evil.example/x",
        "\\\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
    ):
        client = app.test_client()
        response = client.post(
            "/auth/login", data={"email": steward.email, "password": f.PASSWORD, "next": target}
        )
        assert response.status_code == 302
        assert (
            "evil" not in response.headers["Location"]
            and "javascript" not in response.headers["Location"]
        )
    client = app.test_client()
    response = client.post(
        "/auth/login",
        data={"email": steward.email, "password": f.PASSWORD, "next": "/beringen/network/people"},
    )
    assert response.headers["Location"] == "/beringen/network/people"


def test_language_switch_only_redirects_locally(client):
    response = client.get("/language/en?next=https://evil.example/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "dorp_lang=en" in response.headers["Set-Cookie"]


def _outbox_to(app, address: str) -> int:
    from saas.notifications.models import OutboxMessage

    with app.app_context():
        return len(
            db.session.execute(
                select(OutboxMessage.id).where(OutboxMessage.recipient == address)
            ).all()
        )


def test_forgot_password_does_the_same_work_for_unknown_addresses(app, client, monkeypatch):
    """The timing cannot be measured reliably in a test; the work can: a link is signed and the
    e-mail written for an unknown address too, and then dropped."""
    from saas.accounts import services as accounts

    _net, steward = _steward(app)
    work: list[str] = []
    sign, write = accounts.password_reset_token, accounts.queue_email
    monkeypatch.setattr(
        accounts, "password_reset_token", lambda user: work.append("sign") or sign(user)
    )
    monkeypatch.setattr(accounts, "queue_email", lambda **kw: work.append("write") or write(**kw))

    assert client.post("/auth/forgot", data={"email": steward.email}).status_code == 302
    known, work[:] = list(work), []
    assert client.post("/auth/forgot", data={"email": "ghost@nowhere.example"}).status_code == 302
    assert work == known == ["sign", "write"]
    assert _outbox_to(app, steward.email) == 1
    assert _outbox_to(app, "ghost@nowhere.example") == 0


def test_reset_emails_are_limited_per_address_silently(app, client):
    _net, steward = _steward(app)
    other = f.user(app, "partner@beringen.example")
    answers = [client.post("/auth/forgot", data={"email": steward.email.upper()}) for _ in range(5)]
    assert {a.status_code for a in answers} == {302}  # the same answer every time
    assert {a.headers["Location"] for a in answers} == {"/auth/login"}
    assert _outbox_to(app, steward.email) == 3
    assert client.post("/auth/forgot", data={"email": other.email}).status_code == 302
    assert _outbox_to(app, other.email) == 1  # another address is not held back

    from saas.notifications.models import OutboxMessage

    with app.app_context():
        for message in db.session.execute(select(OutboxMessage)).scalars():
            message.created_at = utcnow() - timedelta(hours=1, minutes=1)
        db.session.commit()
    client.post("/auth/forgot", data={"email": steward.email})
    assert _outbox_to(app, steward.email) == 4  # an hour later, a new one goes out


def test_dev_inbox_is_for_a_signed_in_platform_admin_only(app, client):
    _net, steward = _steward(app)
    assert app.config["DEV_INBOX"]
    anonymous = client.get("/dev/mail")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    assert client.get("/dev/mail/20270101T000000-00000001.eml").status_code == 302
    f.login(client, steward)
    assert client.get("/dev/mail").status_code == 404
    admin = f.user(app, "admin@dorp.example", admin=True)
    f.login(client, admin)
    assert client.get("/dev/mail").status_code == 200


def test_every_405_answer_says_which_methods_are_allowed(app, client):
    html = client.delete("/auth/login")
    assert html.status_code == 405
    assert set(html.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert "text/html" in html.headers["Content-Type"]
    net = f.network(app, "genk")
    api = client.delete(f"/api/v1/{net.slug}/offers")
    assert api.status_code == 405
    assert "GET" in api.headers["Allow"]
    assert api.get_json()["error"]["code"] == "method_not_allowed"
    as_json = client.delete("/auth/login", headers={"Accept": "application/json"})
    assert as_json.status_code == 405 and "GET" in as_json.headers["Allow"]
