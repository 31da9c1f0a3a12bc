"""The outbox relay: after a transaction commits, hand its new messages to RQ.

If Redis is unreachable the messages simply stay pending; the periodic sweep (workers.schedule)
enqueues them later. Nothing is lost, and the delivery job is idempotent, so a message enqueued
twice is still sent once.
"""

from __future__ import annotations

import logging

from saas.after_commit import after_commit
from saas.notifications.models import OutboxMessage

log = logging.getLogger(__name__)
# Messages per delivery job, one SMTP connection each (what mail servers commonly take on one
# connection). Each job costs tens of milliseconds before its first e-mail (RQ's work horse, a
# database connection, the claim): at 50 a job that was a third of the time per e-mail.
BATCH = 100


def enqueue_messages(ids: list[int]) -> int:
    """Enqueue delivery jobs in batches; returns how many messages were handed over (0 when
    Redis is down)."""
    from workers.jobs import deliver_email

    handed = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        try:
            deliver_email.enqueue(*batch)
        except Exception as exc:  # Redis down: the sweep will pick them up
            log.warning(
                "outbox relay: could not enqueue %s message(s): %s", len(batch), type(exc).__name__
            )
            break
        handed += len(batch)
    return handed


def install() -> None:
    after_commit(
        "dorp_outbox_ids",
        lambda session: (obj.id for obj in session.new if isinstance(obj, OutboxMessage)),
        enqueue_messages,
    )
