"""Security events: sign-ins, failed and throttled ones, passwords and sessions (issue #21.5).

The services that sign people in and out and change passwords record them. An event about a
change (a sign-in, a new password) joins the session and is kept only if the change is. An
ATTEMPT (a failed or throttled sign-in, a reset link asked for) must be kept whatever the
request does next: a failed sign-in answers 422 and a throttled one 429, and those requests roll
back. So during a request `record` holds an attempt on `g`, and `keep_recorded` writes it in a
transaction of its own once the request has committed or rolled back (the composition root
calls it last).

No row holds a password, a code or the e-mail address typed for an unknown account:
`account_ref` is a keyed hash of the normalised address (the same one the sign-in rate limit
counts under), `address_ref` one of the client's network address.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from flask import current_app, g, has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from saas.accounts import devices
from saas.accounts.models import User
from saas.audit.models import SecurityEvent
from saas.extensions import db
from saas.models_base import utcnow

PAGE_SIZE = 50


class Kind(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_THROTTLED = "sign_in_throttled"
    SIGN_OUT = "sign_out"
    SESSIONS_REVOKED = "sessions_revoked"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105  (an event name, not a password)
    PASSWORD_RESET_REQUESTED = "password_reset_requested"  # noqa: S105
    PASSWORD_RESET = "password_reset"  # noqa: S105
    SSO_LINKED = "sso_linked"
    SSO_FAILED = "sso_failed"
    SSO_PROVIDER_CHANGED = "sso_provider_changed"
    SSO_PROVIDER_REFUSED = "sso_provider_refused"
    # second factors (details: the factor's kind and id, never a code or a secret)
    FACTOR_ADDED = "factor_added"
    FACTOR_REMOVED = "factor_removed"
    FACTOR_USED = "factor_used"
    FACTOR_FAILED = "factor_failed"
    FACTORS_RESET = "factors_reset"
    RECOVERY_CODES_MADE = "recovery_codes_made"


# Kept even when the request rolls back: they record what was tried, not what changed.
ATTEMPTS = frozenset(
    {
        Kind.SIGN_IN_FAILED,
        Kind.SIGN_IN_THROTTLED,
        Kind.PASSWORD_RESET_REQUESTED,
        Kind.SSO_FAILED,
        Kind.SSO_PROVIDER_REFUSED,
        Kind.FACTOR_FAILED,
    }
)

# Said where they came from (browser, system, network prefix: never the full address), so the
# person sees it on their security page.
FROM_CLIENT = frozenset({Kind.SIGN_IN, Kind.SIGN_IN_FAILED, Kind.SIGN_IN_THROTTLED})

LABELS = {
    Kind.SIGN_IN: _l("Signed in"),
    Kind.SIGN_IN_FAILED: _l("Sign-in failed"),
    Kind.SIGN_IN_THROTTLED: _l("Sign-in refused: too many failed attempts"),
    Kind.SIGN_OUT: _l("Signed out"),
    Kind.SESSIONS_REVOKED: _l("Other sessions ended"),
    Kind.PASSWORD_CHANGED: _l("Password changed"),
    Kind.PASSWORD_RESET_REQUESTED: _l("Reset link requested"),
    Kind.PASSWORD_RESET: _l("Password set with a reset link"),
    Kind.SSO_LINKED: _l("Account linked to a sign-in provider"),
    Kind.SSO_FAILED: _l("Sign-in through a provider refused"),
    Kind.SSO_PROVIDER_CHANGED: _l("Sign-in provider added, changed or removed"),
    Kind.SSO_PROVIDER_REFUSED: _l("Sign-in provider settings refused"),
    Kind.FACTOR_ADDED: _l("Second factor added"),
    Kind.FACTOR_REMOVED: _l("Second factor removed"),
    Kind.FACTOR_USED: _l("Second factor used"),
    Kind.FACTOR_FAILED: _l("Second factor refused"),
    Kind.FACTORS_RESET: _l("Second factors reset by a steward"),
    Kind.RECOVERY_CODES_MADE: _l("New recovery codes made"),
}


def _ref(purpose: str, value: str, length: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()[:length]


def account_ref(email: str) -> str:
    """A keyed hash of the address, normalised as `accounts.normalise_email` does: the same for
    every spelling of one address, and no way back to it without the secret key."""
    return _ref("account", email.strip().lower(), 32)


def address_ref(remote_addr: str | None) -> str | None:
    return _ref("address", remote_addr, 16) if remote_addr else None


def record(kind: Kind, *, user: User | None = None, email: str | None = None, **details) -> None:
    """Note a security event about `user` (a known account) or `email` (what was typed, kept
    only as its hash); `details` must hold no personal data and no secret."""
    address = email if email is not None else (user.email if user is not None else None)
    if kind in FROM_CLIENT and has_request_context():
        details = {**_client(), **details}
    row = {
        "kind": str(kind),
        "user_id": user.id if user is not None else None,
        "account_ref": account_ref(address) if address is not None else None,
        "address_ref": address_ref(request.remote_addr) if has_request_context() else None,
        "details": details,
        "created_at": utcnow(),
    }
    if kind in ATTEMPTS and has_request_context():
        g.setdefault("security_events", []).append(row)
    else:
        db.session.add(SecurityEvent(**row))


def _client() -> dict:
    device = devices.describe(request.user_agent.string)
    where = {
        "browser": device.browser,
        "system": device.system,
        "network": devices.network_of(request.remote_addr),
    }
    return {key: value for key, value in where.items() if value}


def keep_recorded() -> None:
    """Write the attempts this request noted, in their own transaction: call after the request's
    commit or rollback."""
    rows = g.pop("security_events", None)
    if rows:
        db.session.add_all(SecurityEvent(**row) for row in rows)
        db.session.commit()


def purge(now: datetime, days: int) -> int:
    """Remove the events older than `days` (SECURITY_EVENT_DAYS): how many went."""
    table = SecurityEvent.__table__
    return db.session.execute(
        table.delete().where(table.c.created_at < now - timedelta(days=days))
    ).rowcount


def recent_for(user_id: int, *, days: int = 90, limit: int = 30) -> list[SecurityEvent]:
    """The person's own events of the last `days`, newest first: what their security page
    shows (never an event about an address typed for no account, nor anyone else's)."""
    return list(
        db.session.execute(
            select(SecurityEvent)
            .where(
                SecurityEvent.user_id == user_id,
                SecurityEvent.created_at >= utcnow() - timedelta(days=days),
            )
            .order_by(SecurityEvent.created_at.desc(), SecurityEvent.id.desc())
            .limit(limit)
        ).scalars()
    )


@dataclass
class Listed:
    event: SecurityEvent
    email: str | None  # the known account's address; None for an unknown one


def listing(
    *, kind: str | None, first: date | None, last: date | None, number: int, zone: str
) -> tuple[list[Listed], int]:
    """A page of events, newest first, of one kind or all, from the first to the last day
    (inclusive, days in `zone`); and how many there are in all."""
    where = []
    if kind:
        where.append(SecurityEvent.kind == kind)
    tz = ZoneInfo(zone)
    if first is not None:
        where.append(SecurityEvent.created_at >= datetime.combine(first, time(), tz))
    if last is not None:
        after = datetime.combine(last + timedelta(days=1), time(), tz)
        where.append(SecurityEvent.created_at < after)
    total = db.session.execute(
        select(func.count()).select_from(SecurityEvent).where(*where)
    ).scalar_one()
    rows = db.session.execute(
        select(SecurityEvent, User.email)
        .outerjoin(User, User.id == SecurityEvent.user_id)
        .where(*where)
        .order_by(SecurityEvent.created_at.desc(), SecurityEvent.id.desc())
        .limit(PAGE_SIZE)
        .offset((number - 1) * PAGE_SIZE)
    ).all()
    return [Listed(event, email) for event, email in rows], total
