"""Demo billing states: Beringen pays yearly and is active; Sint-Truiden's last payment failed.

Recorded even while billing is off (the default), so the billing page shows a living example;
nothing is enforced then. Idempotent: a network that already has a subscription is left alone.
The states are data (data/billing.yaml).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from saas.billing.models import EventState, StripeEvent, Subscription, SubscriptionStatus
from saas.demo.datafiles import read_yaml
from saas.extensions import db
from saas.models_base import utcnow
from tenants.models import Network

STATES: dict[str, dict] = read_yaml("billing.yaml")


def seed_billing(network: Network) -> dict:
    spec = STATES.get(network.slug)
    if spec is None or db.session.execute(select(Subscription.id)).first() is not None:
        return {"subscriptions": 0, "stripe_events": 0}
    now = utcnow().replace(microsecond=0)
    key = network.slug.replace("-", "_")
    started = now - timedelta(days=spec["started_days_ago"])
    periods = spec["started_days_ago"] // spec["period_days"] + 1
    failed = [e["days_ago"] for e in spec["events"] if e["type"] == "invoice.payment_failed"]
    paid = [e["days_ago"] for e in spec["events"] if e["type"] == "invoice.paid"]
    sub = Subscription(
        network_id=network.id,
        status=SubscriptionStatus(spec["status"]),
        plan=spec["plan"],
        interval=spec["interval"],
        trial_ends_at=started,
        current_period_end=started + timedelta(days=spec["period_days"] * periods),
        stripe_customer_id=f"cus_demo_{key}",
        stripe_subscription_id=f"sub_demo_{key}",
        stripe_price_id=f"price_demo_{spec['plan']}_{spec['interval']}",
        last_paid_at=now - timedelta(days=min(paid)) if paid else None,
        last_payment_failed_at=now - timedelta(days=min(failed)) if failed else None,
        created_at=started - timedelta(days=spec["trial_days"]),
    )
    db.session.add(sub)
    stored = 0
    for n, event in enumerate(spec["events"], start=1):
        event_id = f"evt_demo_{key}_{n}"
        if db.session.get(StripeEvent, event_id) is not None:
            continue
        at = now - timedelta(days=event["days_ago"], minutes=-n)  # in order, a minute apart
        db.session.add(
            StripeEvent(
                id=event_id,
                type=event["type"],
                created=at,
                object_id=f"{event['object']}_demo_{key}_{n}",
                customer_id=sub.stripe_customer_id,
                subscription_id=sub.stripe_subscription_id,
                claimed_network_id=network.id,
                network_id=network.id,
                state=EventState.PROCESSED,
                attempts=1,
                received_at=at,
                processing_since=at,
                processed_at=at,
            )
        )
        stored += 1
    db.session.flush()
    return {"subscriptions": 1, "stripe_events": stored}
