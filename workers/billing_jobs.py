"""Billing jobs: apply one stored Stripe event by its id (the relays hand them over and sweep
what Redis could not take); forget sign-ups nobody confirmed."""

from __future__ import annotations

from datetime import timedelta

from saas.billing import events
from saas.billing.models import NetworkSignup
from saas.extensions import db
from saas.models_base import utcnow
from workers.decorators import job
from workers.queues import BILLING, MAINTENANCE

SIGNUP_KEPT_FOR = timedelta(days=7)


@job(BILLING, timeout=120)
def apply_stripe_event(event_id: str) -> str:
    return events.apply(event_id)


@job(MAINTENANCE, timeout=300, retries=0)
def purge_signups() -> int:
    """Daily: sign-ups nobody confirmed within a week are forgotten."""
    removed = db.session.execute(
        NetworkSignup.__table__.delete().where(
            NetworkSignup.created_at < utcnow() - SIGNUP_KEPT_FOR
        )
    ).rowcount
    db.session.commit()
    return removed
