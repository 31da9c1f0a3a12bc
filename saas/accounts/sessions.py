"""A person's login sessions (issue #21.4): where each was started, seeing and ending them, and
an e-mail when a sign-in comes from a device not seen lately.

Every successful sign-in ends in Flask-Login's `login_user` (a password, a second factor, a
single sign-on provider, an invitation, a new password), so the tracking listens to its
`user_logged_in` signal rather than to any one view. A sign-in from a (browser, system, network
prefix) this person has not signed in from in NEW_DEVICE_DAYS is e-mailed to them through the
outbox (sent after the commit), in their language; except the first sign-in Dorp remembers for
them (an account just made, or the first one after this feature arrived): nothing to compare with.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, has_request_context, request, session
from flask_login import user_logged_in
from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError

from saas.accounts import devices
from saas.accounts.models import LoginSession, SignInDevice, User
from saas.accounts.services import end_session
from saas.audit import security
from saas.audit.security import Kind
from saas.extensions import db
from saas.models_base import utcnow
from saas.notifications.services import queue_email
from saas.security import SESSION_IDLE_LIMIT
from saas.urls import absolute_url

# A sign-in from a device not seen for this long is e-mailed to the person.
NEW_DEVICE_DAYS = 90
# Handles are 24 hex digits; anything longer is not one.
HANDLE_LENGTH = 24


class UnknownSession(LookupError):
    """No session of this person has that handle (ended already, or never theirs)."""


def install(app: Flask) -> None:
    user_logged_in.connect(_signed_in, sender=app)
    app.jinja_env.globals.update(device_label=devices.device_label, place_label=devices.place_label)


def _signed_in(_app, user: User, **_extra) -> None:
    if has_request_context():
        track_sign_in(user, request.user_agent.string, request.remote_addr)


def track_sign_in(user: User, user_agent: str | None, address: str | None) -> LoginSession:
    """Note where the session this sign-in started comes from, remember the device, and e-mail
    the person when it is one not seen lately. Called inside `login_user`."""
    row = _session_row(user)
    device = devices.describe(user_agent)
    network = devices.network_of(address)
    row.browser, row.system, row.network = device.browser, device.system, network
    if _remember(user, device, network, utcnow()):
        _tell_about_new_device(user, row)
    return row


def _session_row(user: User) -> LoginSession:
    """The row `accounts.start_session` made for this sign-in. A sign-in that called
    `login_user` without one gets one here, so that it, too, can be seen and ended."""
    row = db.session.get(LoginSession, user.login_token) if user.login_token else None
    if row is None:
        row = LoginSession(token=LoginSession.new_token(), user_id=user.id)
        db.session.add(row)
        user.login_token = row.token
        session["_user_id"] = row.token  # what Flask-Login stored was get_id() without one
    return row


def _remember(user: User, device: devices.Device, network: str, now: datetime) -> bool:
    """Note that the person signed in from this device now; whether to tell them about it."""
    key = (user.id, device.browser, device.system, network)
    known = db.session.get(SignInDevice, key)
    if known is not None:
        lately = known.last_seen_at >= now - timedelta(days=NEW_DEVICE_DAYS)
        known.last_seen_at = now
        return not lately
    seen_any = db.session.execute(
        select(exists().where(SignInDevice.user_id == user.id))
    ).scalar_one()
    try:
        with db.session.begin_nested():  # a simultaneous sign-in from it may note it first
            db.session.add(
                SignInDevice(
                    user_id=user.id,
                    browser=device.browser,
                    system=device.system,
                    network=network,
                    first_seen_at=now,
                    last_seen_at=now,
                )
            )
    except IntegrityError:
        return False
    return seen_any


def _tell_about_new_device(user: User, row: LoginSession) -> None:
    queue_email(
        kind="new_sign_in",
        recipient=user.email,
        template="new_sign_in",
        language=user.language,
        user=user,
        browser=row.browser,
        system=row.system,
        network=row.network,
        at=utcnow(),
        link=absolute_url("site.security_page"),
    )


def active_sessions(user: User) -> list[LoginSession]:
    """The person's sessions that have not run out (SESSION_IDLE_LIMIT), the one in use first, then the most
    recently used."""
    rows = db.session.execute(
        select(LoginSession)
        .where(
            LoginSession.user_id == user.id,
            LoginSession.last_seen_at >= utcnow() - SESSION_IDLE_LIMIT,
        )
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.created_at.desc())
    ).scalars()
    return sorted(rows, key=lambda row: row.token != user.login_token)


def end_one(user: User, handle: str) -> bool:
    """End one of the person's sessions, named by its handle; True when it was the one in use
    (the person is signed out). UnknownSession when no session of theirs has that handle."""
    handle = handle.strip().lower()
    if not handle or len(handle) > HANDLE_LENGTH:
        raise UnknownSession(handle)
    row = next((r for r in active_sessions(user) if r.handle == handle), None)
    if row is None:
        raise UnknownSession(handle)
    if row.token == user.login_token:
        end_session(user)
        return True
    db.session.delete(row)
    security.record(Kind.SESSIONS_REVOKED, user=user, sessions=1, how="one")
    return False


def end_others(user: User) -> int:
    """End every session of the person but the one in use: how many ended."""
    ended = db.session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.token != (user.login_token or "")
        )
    ).rowcount
    if ended:
        security.record(Kind.SESSIONS_REVOKED, user=user, sessions=ended, how="others")
    return ended
