"""Demo security events: a shared school computer, a paused account and a reset, someone
guessing (data/security-events.yaml), so the platform admin's list shows every kind on first
look. Platform-wide, not one network's: seeded once, when there are none yet.

Demo login sessions (data/login-sessions.yaml): a few people are signed in elsewhere too (an
office computer, a phone), so their security page is not empty; the devices they came from are
remembered, so a sign-in from a new one is e-mailed to them (to the dev inbox)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from saas.accounts import devices
from saas.accounts.models import LoginSession, SignInDevice, User
from saas.audit import security
from saas.audit.models import SecurityEvent
from saas.demo.datafiles import read_yaml
from saas.extensions import db
from saas.models_base import utcnow

EVENTS: list[dict] = read_yaml("security-events.yaml")["events"]
SESSIONS: list[dict] = read_yaml("login-sessions.yaml")["sessions"]
_DETAILS = (
    "via", "scope", "sent", "sessions", "browser", "system", "reason", "action", "factor",
    "count", "factors",
)  # fmt: skip


def seed_security_events() -> dict:
    if db.session.execute(select(SecurityEvent.id)).first() is not None:
        return {"security_events": 0}
    now = utcnow()
    users = {u.email: u for u in db.session.execute(select(User)).scalars()}
    added = 0
    for line in EVENTS:
        user = users.get(line.get("who", ""))
        typed = line.get("account") or (user.email if user else None)
        details = {key: line[key] for key in _DETAILS if key in line}
        if line["kind"] in security.FROM_CLIENT:
            details["network"] = devices.network_of(line["address"])
        for n in range(line.get("repeat", 1)):
            at = now - timedelta(minutes=line["minutes_ago"] + n * line.get("every", 0))
            if "paused_minutes" in line:
                until = at + timedelta(minutes=line["paused_minutes"])
                details = {**details, "until": until.isoformat(timespec="seconds")}
            db.session.add(
                SecurityEvent(
                    kind=line["kind"],
                    user_id=user.id if user else None,
                    account_ref=security.account_ref(typed) if typed else None,
                    address_ref=security.address_ref(line["address"]),
                    details=details,
                    created_at=at,
                )
            )
            added += 1
    db.session.flush()
    return {"security_events": added}


def seed_login_sessions() -> dict:
    """Each demo person in the data file gets their sessions, unless they have some already."""
    now = utcnow()
    emails = {line["who"] for line in SESSIONS}
    users = {
        u.email: u for u in db.session.execute(select(User).where(User.email.in_(emails))).scalars()
    }
    busy = set(
        db.session.execute(
            select(LoginSession.user_id).where(
                LoginSession.user_id.in_([u.id for u in users.values()])
            )
        ).scalars()
    )
    added = 0
    for line in SESSIONS:
        user = users.get(line["who"])
        if user is None or user.id in busy:
            continue
        started = now - timedelta(minutes=line["started_minutes_ago"])
        where = {
            "browser": line["browser"],
            "system": line["system"],
            "network": devices.network_of(line["address"]),
        }
        db.session.add(
            LoginSession(
                token=LoginSession.new_token(),
                user_id=user.id,
                created_at=started,
                last_seen_at=now - timedelta(minutes=line["seen_minutes_ago"]),
                **where,
            )
        )
        if db.session.get(SignInDevice, (user.id, *where.values())) is None:
            db.session.add(
                SignInDevice(user_id=user.id, first_seen_at=started, last_seen_at=started, **where)
            )
        db.session.flush()  # so that the next line's look-up sees this device
        added += 1
    return {"login_sessions": added}
