"""After the webhook's transaction commits, hand its new events to RQ (as the e-mail outbox does).

The `stripe_events` table is the outbox: if Redis is down the events stay pending and the
periodic sweep (`workers.billing_jobs.sweep_stripe_events`) enqueues them later.
"""

from __future__ import annotations

import logging

from saas.after_commit import after_commit
from saas.billing.models import EventState, StripeEvent

log = logging.getLogger(__name__)


def enqueue_events(ids: list[str]) -> int:
    """Enqueue apply jobs; returns how many were handed over (0 when Redis is down)."""
    from workers.billing_jobs import apply_stripe_event

    handed = 0
    for event_id in ids:
        try:
            apply_stripe_event.enqueue(event_id)
            handed += 1
        except Exception as exc:  # Redis down: the sweep picks it up
            log.warning("billing relay: could not enqueue an event: %s", type(exc).__name__)
            break
    return handed


def install() -> None:
    after_commit("dorp_stripe_event_ids", _new_pending_events, enqueue_events)


def _new_pending_events(session) -> list[str]:
    return [
        obj.id
        for obj in session.new
        if isinstance(obj, StripeEvent) and obj.state == EventState.PENDING
    ]
