"""Billing jobs: apply one stored Stripe event by its id; sweep what was not handed over."""

from __future__ import annotations

from datetime import timedelta

from saas.extensions import db
from saas.models_base import utcnow
from workers.decorators import job
from workers.queues import BILLING, MAINTENANCE

SIGNUP_KEPT_FOR = timedelta(days=7)


@job(BILLING, timeout=120)
def apply_stripe_event(event_id: str) -> str:
    from saas.billing.events import apply

    return apply(event_id)


@job(MAINTENANCE, timeout=300, retries=0)
def sweep_stripe_events() -> int:
    """Every minute: enqueue events Redis could not take, or whose worker died or failed."""
    from saas.billing.events import due_for_retry
    from saas.billing.relay import enqueue_events

    ids = due_for_retry()
    db.session.rollback()
    return enqueue_events(ids)


@job(MAINTENANCE, timeout=300, retries=0)
def purge_signups() -> int:
    """Daily: sign-ups nobody confirmed within a week are forgotten."""
    from saas.billing.models import NetworkSignup

    removed = db.session.execute(
        NetworkSignup.__table__.delete().where(
            NetworkSignup.created_at < utcnow() - SIGNUP_KEPT_FOR
        )
    ).rowcount
    db.session.commit()
    return removed
