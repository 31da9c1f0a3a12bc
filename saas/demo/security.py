"""Demo security events: a shared school computer, a paused account and a reset, someone
guessing (data/security-events.yaml), so the platform admin's list shows every kind on first
look. Platform-wide, not one network's: seeded once, when there are none yet."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from saas.accounts.models import User
from saas.audit import security
from saas.audit.models import SecurityEvent
from saas.demo.datafiles import read_yaml
from saas.extensions import db
from saas.models_base import utcnow

EVENTS: list[dict] = read_yaml("security-events.yaml")["events"]
_DETAILS = ("via", "scope", "sent", "sessions", "factor", "reason", "count", "factors")


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
