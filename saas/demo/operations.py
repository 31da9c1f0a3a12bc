"""Demo operations: an e-mail per network that the mail server refused for good, and a Stripe
event of Sint-Truiden that kept failing, so the admin's job page (/admin/jobs) has a backlog to
show and to send again. Idempotent; the records are data (data/operations.yaml)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from saas.billing.models import EventState, StripeEvent
from saas.demo.datafiles import read_yaml
from saas.extensions import db
from saas.models_base import utcnow
from saas.notifications.models import OutboxMessage, OutboxState
from saas.outbox import MAX_ATTEMPTS
from tenants.models import Network

RECORDS: dict[str, dict] = read_yaml("operations.yaml")


def seed_operations(network: Network) -> dict:
    spec = RECORDS.get(network.slug, {})
    now = utcnow().replace(microsecond=0)
    emails = events = 0
    for mail in spec.get("emails", []):
        known = db.session.execute(
            select(OutboxMessage.id).where(
                OutboxMessage.network_id == network.id,
                OutboxMessage.kind == mail["kind"],
                OutboxMessage.recipient == mail["to"],
            )
        ).first()
        if known is not None:
            continue
        written = now - timedelta(hours=mail["hours_ago"])
        # a plain INSERT: an added object would be noted by the outbox relay and delivered after
        # the commit, and these stand for e-mails whose attempts are all used up
        db.session.execute(
            insert(OutboxMessage).values(
                network_id=network.id,
                kind=mail["kind"],
                recipient=mail["to"],
                subject=mail["subject"],
                body_text=f"{mail['subject']}\n\n{network.name}",
                state=OutboxState.FAILED,
                attempts=MAX_ATTEMPTS,
                last_error=mail["error"],
                created_at=written,
                enqueued_at=written,
                sending_since=written + timedelta(hours=1),
                body_html="",
            )
        )
        emails += 1
    key = network.slug.replace("-", "_")
    for n, event in enumerate(spec.get("stripe_events", []), start=1):
        event_id = f"evt_demo_{key}_stuck_{n}"
        if db.session.get(StripeEvent, event_id) is not None:
            continue
        at = now - timedelta(hours=event["hours_ago"])
        db.session.add(
            StripeEvent(
                id=event_id,
                type=event["type"],
                created=at,
                object_id=f"in_demo_{key}_stuck_{n}",
                customer_id=f"cus_demo_{key}",
                subscription_id=f"sub_demo_{key}",
                claimed_network_id=network.id,
                network_id=network.id,
                state=EventState.FAILED,
                attempts=MAX_ATTEMPTS,
                last_error=event["error"],
                received_at=at,
                processing_since=at + timedelta(hours=1),
            )
        )
        events += 1
    db.session.flush()
    return {"failed_emails": emails, "stuck_stripe_events": events}
