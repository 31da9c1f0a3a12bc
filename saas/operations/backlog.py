"""The two outboxes (e-mail messages, Stripe events) as the platform admin sees them: what is not
done with, how old the oldest is, and 'send again' for what failed or got stuck.

Rows are shown by id, network, kind or event type, state, attempts and age; never a recipient,
a subject or a body. An e-mail's error is shown by its kind only (the server's message may name
the recipient).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from saas.billing import events as stripe_events
from saas.extensions import db
from saas.models_base import utcnow
from saas.notifications import services as notifications
from saas.outbox import Outbox
from tenants.context import all_networks
from tenants.models import Network

SHOWN = 100


@dataclass(frozen=True)
class Backlog:
    waiting: int
    oldest_age: timedelta | None


@dataclass(frozen=True)
class Row:
    id: int | str
    network: str  # the slug, or "" for a platform-level row
    kind: str
    state: str
    attempts: int
    written: datetime
    error: str
    may_send_again: bool


def _backlog(outbox: Outbox) -> Backlog:
    waiting, oldest = outbox.waiting()
    return Backlog(waiting, utcnow() - oldest if oldest is not None else None)


def outbox_backlog() -> Backlog:
    return _backlog(notifications.OUTBOX)


def stripe_backlog() -> Backlog:
    return _backlog(stripe_events.OUTBOX)


def _rows(outbox: Outbox, kind, error, limit: int) -> list[Row]:
    model = outbox.id.class_
    now = utcnow()
    may = outbox.may_send_again(now)
    with all_networks():
        found = db.session.execute(
            select(model, Network.slug, may)
            .outerjoin(Network, Network.id == model.network_id)
            .where(outbox.unsettled())
            .order_by(outbox.created, outbox.id)
            .limit(limit)
        ).all()
    return [
        Row(
            id=row.id,
            network=slug or "",
            kind=kind(row),
            state=str(row.state),
            attempts=row.attempts,
            written=getattr(row, outbox.created.key),
            error=error(row),
            may_send_again=bool(resendable),
        )
        for row, slug, resendable in found
    ]


def _error_kind(text: str) -> str:
    """'SMTPRecipientsRefused: {...}' → 'SMTPRecipientsRefused': the kind, not the message."""
    return text.split(":", 1)[0].strip()[:80]


def outbox_rows(limit: int = SHOWN) -> list[Row]:
    return _rows(
        notifications.OUTBOX,
        kind=lambda m: m.kind,
        error=lambda m: _error_kind(m.last_error),
        limit=limit,
    )


def stripe_rows(limit: int = SHOWN) -> list[Row]:
    return _rows(
        stripe_events.OUTBOX,
        kind=lambda e: e.type,
        error=lambda e: _error_kind(e.last_error),
        limit=limit,
    )


def send_message_again(message_id: int) -> bool:
    """Deliver a failed or stuck e-mail again (after the commit); False when it is sent, being
    sent right now, or gone."""
    return bool(notifications.OUTBOX.send_again([message_id]))


def send_event_again(event_id: str) -> bool:
    """Apply a failed or stuck Stripe event again (after the commit); False when it is done,
    being applied right now, or unknown."""
    return bool(stripe_events.OUTBOX.send_again([event_id]))
