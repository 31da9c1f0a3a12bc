"""Issue #21.1: two factors. An authenticator app (TOTP) is added from the account page with a
QR code or its key as text, confirmed with a code; ten recovery codes are shown once and work
once; the sign-in asks for the second factor after the password, and the person is not signed
in until it passes; a code is good once; wrong, reused or expired codes change nothing, say so,
and count as failed sign-ins."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from saas.accounts import totp
from saas.accounts.models import RecoveryCode, SecondFactor
from saas.audit.models import SecurityEvent
from saas.audit.security import Kind
from saas.extensions import db, limiter
from saas.notifications.models import OutboxMessage
from tenants.models import Role
from tests import factories as f

SECRET_IN_PAGE = re.compile(r'<code id="totp-secret"[^>]*>([A-Z2-7 ]+)</code>')
CODES_IN_PAGE = re.compile(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>")


def _code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + steps_ahead * totp.STEP_SECONDS)


def _factors(ctx, user_id: int) -> list[SecondFactor]:
    with ctx():
        rows = db.session.execute(select(SecondFactor).where(SecondFactor.user_id == user_id))
        return [r for r in rows.scalars() if not db.session.expunge(r)]


def _events(ctx, kind: Kind) -> list[SecurityEvent]:
    with ctx():
        rows = db.session.execute(select(SecurityEvent).where(SecurityEvent.kind == str(kind)))
        return [r for r in rows.scalars() if not db.session.expunge(r)]


def _enrol(client) -> tuple[str, list[str]]:
    """Add an authenticator app as the signed-in person: its secret and the recovery codes."""
    page = client.get("/account/two-factor/app")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "<svg" in body and 'class="dorp-qr"' in body  # the QR code, drawn on the server
    secret = SECRET_IN_PAGE.search(body).group(1).replace(" ", "")
    done = client.post(
        "/account/two-factor/app", data={"code": _code(secret), "label": "Mijn telefoon"}
    )
    assert done.status_code == 200
    codes = CODES_IN_PAGE.findall(done.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


@pytest.fixture
def person(app):
    net = f.network(app, "beringen")
    part = f.partner(app, net, "Kind en Gezin")
    return f.user(app, "ilse@beringen.example", (net, Role.PARTNER_ADMIN, part))


def test_adding_an_app_then_signing_in_asks_for_its_code(app, client, ctx, person):
    f.login(client, person)
    secret, codes = _enrol(client)
    (factor,) = _factors(ctx, person.id)
    assert factor.kind == "totp" and factor.label == "Mijn telefoon"
    assert secret not in factor.totp_secret  # kept encrypted: a dump alone does not reveal it
    with ctx():
        assert totp.unseal(factor.totp_secret) == secret
        hashes = db.session.execute(select(RecoveryCode.code_hash)).scalars().all()
    assert len(hashes) == 10 and not set(codes) & set(hashes)
    assert client.post("/auth/logout").status_code == 302

    answer = client.post("/auth/login", data={"email": person.email, "password": f.PASSWORD})
    assert answer.headers["Location"].endswith("/auth/second-factor")
    # not signed in yet: every page still asks for a login
    assert "/auth/login" in client.get("/beringen/dashboard").headers["Location"]
    assert client.get("/account").status_code == 302
    wrong = client.post("/auth/second-factor", data={"code": "000000"})
    assert wrong.status_code == 422
    assert "niet juist of verlopen" in wrong.get_data(as_text=True)
    assert "/auth/login" in client.get("/beringen/dashboard").headers["Location"]
    passed = client.post("/auth/second-factor", data={"code": _code(secret, 1)})
    assert passed.status_code == 302
    assert client.get("/beringen/dashboard").status_code == 200
    with client.session_transaction() as session:
        assert session["factor_verified_by"] == "totp"
    assert _events(ctx, Kind.FACTOR_ADDED) and _events(ctx, Kind.FACTOR_USED)
    with ctx():  # the person is told (if it was not them, someone has their password)
        (mail,) = db.session.execute(
            select(OutboxMessage).where(OutboxMessage.kind == "factor_added")
        ).scalars()
        assert mail.recipient == person.email
        assert "Mijn telefoon" in mail.body_text and "/account/two-factor" in mail.body_text
        assert secret not in mail.body_text and secret not in mail.body_html
    for event in _events(ctx, Kind.FACTOR_USED) + _events(ctx, Kind.FACTOR_FAILED):
        assert secret not in repr(event.details) and "000000" not in repr(event.details)


def test_a_code_is_good_once(app, client, ctx, person):
    f.login(client, person)
    secret, _codes = _enrol(client)
    client.post("/auth/logout")
    code = _code(secret, 1)
    client.post("/auth/login", data={"email": person.email, "password": f.PASSWORD})
    assert client.post("/auth/second-factor", data={"code": code}).status_code == 302
    client.post("/auth/logout")
    (before,) = _factors(ctx, person.id)

    client.post("/auth/login", data={"email": person.email, "password": f.PASSWORD})
    replay = client.post("/auth/second-factor", data={"code": code})
    assert replay.status_code == 422
    assert "al gebruikt" in replay.get_data(as_text=True)
    assert "/auth/login" in client.get("/beringen/dashboard").headers["Location"]
    (after,) = _factors(ctx, person.id)
    assert after.totp_last_step == before.totp_last_step  # nothing changed
    assert [e.details.get("reason") for e in _events(ctx, Kind.FACTOR_FAILED)] == ["reused"]
    # the code the enrolment used is spent too
    assert client.post("/auth/second-factor", data={"code": _code(secret, -1)}).status_code == 422


def test_a_recovery_code_works_once(app, client, ctx, person):
    f.login(client, person)
    _secret, codes = _enrol(client)
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": person.email, "password": f.PASSWORD})
    used = client.post("/auth/second-factor", data={"code": codes[3].upper()})
    assert used.status_code == 302
    with client.session_transaction() as session:
        assert session["factor_verified_by"] == "recovery"
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": person.email, "password": f.PASSWORD})
    again = client.post("/auth/second-factor", data={"code": codes[3]})
    assert again.status_code == 422
    assert "al gebruikt" in again.get_data(as_text=True)
    assert client.post("/auth/second-factor", data={"code": codes[4]}).status_code == 302
    with ctx():
        left = db.session.execute(select(RecoveryCode).where(RecoveryCode.used_at.is_(None))).all()
    assert len(left) == 8


def test_an_expired_second_step_starts_again_at_the_password(app, client, person):
    f.login(client, person)
    secret, _codes = _enrol(client)
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": person.email, "password": f.PASSWORD})
    with client.session_transaction() as session:
        state = session["sign_in_pending"]
        state["t"] -= app.config["TWO_FACTOR_STEP_SECONDS"] + 1
        session["sign_in_pending"] = state
    late = client.post("/auth/second-factor", data={"code": _code(secret, 1)})
    assert late.status_code == 302 and late.headers["Location"].endswith("/auth/login")
    assert "duurde te lang" in client.get("/auth/login").get_data(as_text=True)
    assert "/auth/login" in client.get("/beringen/dashboard").headers["Location"]


def test_bad_codes_while_adding_an_app_change_nothing(app, client, ctx, person):
    f.login(client, person)
    client.get("/account/two-factor/app")
    for junk in ("", "12345", "abcdef", "1" * 41, "999999"):
        answer = client.post("/account/two-factor/app", data={"code": junk, "label": "x"})
        assert answer.status_code == 422, junk
    assert _factors(ctx, person.id) == []
    with ctx():
        assert db.session.execute(select(RecoveryCode)).first() is None


def test_removing_a_factor_asks_first_and_says_what_is_lost(app, client, ctx, person):
    f.login(client, person)
    _enrol(client)
    (factor,) = _factors(ctx, person.id)
    ask = client.post(f"/account/two-factor/{factor.id}/remove")
    body = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "Mijn telefoon" in body
    assert "herstelcodes" in body  # the last factor takes the recovery codes with it
    assert _factors(ctx, person.id)
    token = re.search(r'name="confirm_token" value="([^"]+)"', body).group(1)
    done = client.post(f"/account/two-factor/{factor.id}/remove", data={"confirm_token": token})
    assert done.status_code == 302
    assert _factors(ctx, person.id) == []
    with ctx():
        assert db.session.execute(select(RecoveryCode)).first() is None
    assert _events(ctx, Kind.FACTOR_REMOVED)
    client.post("/auth/logout")
    f.login(client, person)  # the password alone again


def test_someone_elses_factor_cannot_be_removed(app, client, ctx, person):
    other = f.user(app, "ander@beringen.example", authenticator=True)
    (theirs,) = _factors(ctx, other.id)
    f.login(client, person)
    assert client.post(f"/account/two-factor/{theirs.id}/remove").status_code == 404
    assert _factors(ctx, other.id)


@pytest.fixture
def limited(make_app, app):
    with_limits = make_app({"RATELIMIT_ENABLED": True})
    yield with_limits
    limiter.enabled = False


def test_wrong_codes_count_as_failed_sign_ins(limited):
    person = f.user(limited, "olga@beringen.example", authenticator=True)
    client = limited.test_client()
    client.post("/auth/login", data={"email": person.email, "password": f.PASSWORD})
    for _ in range(5):
        assert client.post("/auth/second-factor", data={"code": "123456"}).status_code == 422
    paused = client.post("/auth/second-factor", data={"code": "123456"})
    assert paused.status_code == 429
    # the password step of the same account is paused as well
    again = client.post("/auth/login", data={"email": person.email, "password": f.PASSWORD})
    assert again.status_code == 429


def test_every_factor_route_needs_a_signed_in_person_or_a_right_password(app, client):
    rules = [
        r
        for r in app.url_map.iter_rules()
        if r.rule.startswith(("/account/two-factor", "/auth/second-factor"))
    ]
    assert len(rules) >= 9
    for rule in rules:
        url = app.url_map.bind("localhost").build(rule.endpoint, {"factor_id": 1})
        for method in sorted(m for m in rule.methods if m in {"GET", "POST"}):
            answer = client.open(url, method=method, data={"code": "123456", "credential": "{}"})
            if rule.rule.startswith("/auth/second-factor") and rule.rule.endswith("/options"):
                assert answer.status_code == 400, url
            else:
                assert answer.status_code == 302, (method, url)
                assert "/auth/login" in answer.headers["Location"], (method, url)
