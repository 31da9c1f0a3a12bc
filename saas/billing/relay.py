"""After the webhook's transaction commits, hand its new events to RQ (as the e-mail outbox does).

The `stripe_events` table is the outbox: if Redis is down the events stay pending and the
periodic sweep (`workers.billing_jobs.sweep_stripe_events`) enqueues them later.
"""

from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session

from saas.billing.models import EventState, StripeEvent

log = logging.getLogger(__name__)
_KEY = "dorp_stripe_event_ids"


def _collect(session: Session, flush_context) -> None:
    ids = session.info.setdefault(_KEY, [])
    ids.extend(
        obj.id
        for obj in session.new
        if isinstance(obj, StripeEvent) and obj.state == EventState.PENDING
    )


def _after_commit(session: Session) -> None:
    ids = session.info.pop(_KEY, [])
    if ids:
        enqueue_events(ids)


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
    if getattr(install, "_done", False):
        return
    event.listen(Session, "after_flush", _collect)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", lambda s, prev: s.info.pop(_KEY, None))
    install._done = True
