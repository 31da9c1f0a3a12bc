"""What happened to the demo offers' sessions: the cancelled ones, and headcounts of the past.

The headcount profiles are data (data/headcounts.yaml); each offer draws its numbers from its
own seeded random generator, so the demo's figures are the same on every machine.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from saas.catalogue import services
from saas.catalogue.models import ActivitySession, Offer, SessionStatus
from saas.catalogue.schedule import to_local
from saas.demo.datafiles import read_yaml
from saas.extensions import db
from saas.models_base import utcnow

HEADCOUNTS: dict = read_yaml("headcounts.yaml")


def _sessions(offer: Offer, *, past: bool) -> list[ActivitySession]:
    now = utcnow()
    query = select(ActivitySession).where(
        ActivitySession.offer_id == offer.id,
        ActivitySession.status == SessionStatus.SCHEDULED,
        ActivitySession.starts_at < now if past else ActivitySession.starts_at >= now,
    )
    return list(
        db.session.execute(query.order_by(ActivitySession.starts_at, ActivitySession.id)).scalars()
    )


def past_session(offer: Offer, weeks: int, winter: bool) -> ActivitySession | None:
    """The past session about `weeks` ago, or with `winter` the first in January or February."""
    sessions = _sessions(offer, past=True)
    if winter:
        in_winter = [s for s in sessions if to_local(s.starts_at).month in (1, 2)]
        if in_winter:
            return in_winter[0]
    if not sessions:
        return None
    target = utcnow() - timedelta(weeks=weeks)
    return min(sessions, key=lambda s: abs(s.starts_at - target))


def coming_session(offer: Offer, n: int) -> ActivitySession | None:
    """The n-th coming session (the last one if there are fewer)."""
    sessions = _sessions(offer, past=False)
    return sessions[min(n, len(sessions)) - 1] if sessions else None


def count(offer: Offer, profile: str, rng: random.Random, user_id: int | None) -> int:
    """Headcounts for about nine in ten past sessions, a few of them corrected afterwards."""
    ranges = HEADCOUNTS["profiles"][profile]
    first_time = HEADCOUNTS["first_time"].get(profile, HEADCOUNTS["first_time_default"])
    values, weights = first_time["values"], first_time["weights"]
    rows = 0
    for session in _sessions(offer, past=True):
        if rng.random() >= HEADCOUNTS["counted_share"]:
            continue
        numbers = {name: rng.randint(low, high) for name, (low, high) in ranges.items()}
        numbers["first_time_families"] = rng.choices(values, weights)[0]
        row = services.record_headcount(session, numbers, user_id)
        after = timedelta(minutes=rng.randint(*HEADCOUNTS["recorded_minutes_after"]))
        row.created_at = min(session.ends_at + after, utcnow())
        rows += 1
        if rng.random() < HEADCOUNTS["corrected_share"]:
            name = rng.choice(sorted(ranges))
            fixed = dict(numbers)
            fixed[name] = max(0, fixed[name] + rng.choice(HEADCOUNTS["corrections"]))
            if fixed == numbers:
                fixed[name] += 1
            again = services.record_headcount(session, fixed, user_id)
            later = timedelta(days=rng.randint(*HEADCOUNTS["corrected_days_after"]))
            again.created_at = min(row.created_at + later, utcnow())
            rows += 1
    return rows
