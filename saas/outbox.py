"""Tables that are outboxes (e-mail messages, Stripe events): which rows are due for another
hand-over to the workers.

A row is written in the transaction that causes it, handed to RQ after the commit, and claimed by
the worker (state "in progress", `started` set, attempts counted). The sweep hands a row over
again when the relay could not (Redis was down: still pending after a minute), or when its worker
died or failed (in progress or failed, untouched for ten minutes, attempts left).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from saas.after_commit import note_now
from saas.extensions import db
from saas.models_base import utcnow

PENDING_RETRY_AFTER = timedelta(minutes=1)
STALE_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 8
SWEEP_LIMIT = 1000


@dataclass(frozen=True)
class Outbox:
    """The columns and states through which a table acts as an outbox."""

    id: InstrumentedAttribute
    state: InstrumentedAttribute
    created: InstrumentedAttribute  # when the row was written
    started: InstrumentedAttribute  # when a worker last claimed it
    attempts: InstrumentedAttribute
    pending: Any
    in_progress: Any
    failed: Any
    relay_key: str  # the session key under which a transaction notes rows for the relay

    def claimable(self, now: datetime) -> ColumnElement[bool]:
        """Rows a worker may take: pending, failed, or in progress but left stale by a worker."""
        return or_(
            self.state.in_([self.pending, self.failed]),
            (self.state == self.in_progress) & (self.started < now - STALE_AFTER),
        )

    def claimed(self, now: datetime) -> dict:
        """The values a claim writes: in progress since now, one attempt more."""
        return {self.state: self.in_progress, self.started: now, self.attempts: self.attempts + 1}

    def due_for_retry(self) -> list:
        """Ids the relay could not hand over, or whose worker died or failed, oldest first."""
        now = utcnow()
        return list(
            db.session.execute(
                select(self.id)
                .where(
                    or_(
                        (self.state == self.pending) & (self.created < now - PENDING_RETRY_AFTER),
                        self.state.in_([self.in_progress, self.failed])
                        & (self.started < now - STALE_AFTER)
                        & (self.attempts < MAX_ATTEMPTS),
                    )
                )
                .order_by(self.created, self.id)
                .limit(SWEEP_LIMIT)
            ).scalars()
        )

    def unsettled(self) -> ColumnElement[bool]:
        """Rows not done with: waiting, being handled, or failed (to be retried)."""
        return self.state.in_([self.pending, self.in_progress, self.failed])

    def waiting(self) -> tuple[int, datetime | None]:
        """How many rows are not done with, and when the oldest of them was written."""
        count, oldest = db.session.execute(
            select(func.count(), func.min(self.created)).where(self.unsettled())
        ).one()
        return count, oldest

    def may_send_again(self, now: datetime) -> ColumnElement[bool]:
        """Rows that a worker is not handling: failed, still pending, or left stale."""
        return self.claimable(now)

    def send_again(self, ids: list) -> list:
        """Put these rows back to pending with their attempts counted from zero, and have the
        relay hand them to RQ after the commit. Rows done with, or being handled right now, are
        left alone. The ids that will be handed over."""
        now = utcnow()
        chosen = list(
            db.session.execute(
                select(self.id).where(self.id.in_(ids), self.may_send_again(now))
            ).scalars()
        )
        if chosen:
            db.session.execute(
                update(self.id.class_)
                .where(self.id.in_(chosen))
                .values({self.state: self.pending, self.started: None, self.attempts: 0})
                .execution_options(synchronize_session=False)
            )
            note_now(db.session, self.relay_key, chosen)
        return chosen
