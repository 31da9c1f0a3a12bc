"""Stripe webhook events: verified and stored once by id in the request, applied by a worker.

Storing comes first and is keyed by Stripe's event id, so a replayed event has no second effect.
Applying an event never trusts the order events arrive in: it re-reads the subscription from
Stripe and copies its current state, so `updated` before `created`, or `paid` before `failed`,
ends in the same place.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import stripe
from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from saas.audit.services import record
from saas.billing.models import (
    FROM_STRIPE,
    EventState,
    StripeEvent,
    Subscription,
    SubscriptionStatus,
)
from saas.billing.plans import plan_for_price
from saas.billing.stripe_api import client, field, object_id
from saas.extensions import db
from saas.models_base import utcnow
from saas.outbox import Outbox
from tenants import lookups
from tenants.context import all_networks, network_scope
from tenants.models import Network

log = logging.getLogger(__name__)

HANDLED = {
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.paused",
    "customer.subscription.resumed",
    "invoice.paid",
    "invoice.payment_succeeded",
    "invoice.payment_failed",
}
# The webhook's events table is an outbox: the relay hands new events to RQ after the commit and
# the sweep hands over again what Redis could not take, or what a dead worker left.
OUTBOX = Outbox(
    id=StripeEvent.id,
    state=StripeEvent.state,
    created=StripeEvent.received_at,
    started=StripeEvent.processing_since,
    attempts=StripeEvent.attempts,
    pending=EventState.PENDING,
    in_progress=EventState.PROCESSING,
    failed=EventState.FAILED,
    relay_key="dorp_stripe_event_ids",
)


class WebhookRejected(ValueError):
    """The request is not a genuine, fresh Stripe event (answered 400, nothing stored)."""


def verify(payload: bytes, signature: str | None) -> stripe.Event:
    """Check the signature on the raw body with Stripe's library and its default tolerance."""
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    try:
        return stripe.Webhook.construct_event(payload, signature, secret)
    except stripe.SignatureVerificationError as exc:
        raise WebhookRejected("signature") from exc
    except (ValueError, UnicodeDecodeError, TypeError, KeyError) as exc:
        raise WebhookRejected("payload") from exc


def _int_or_none(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _extract(event) -> dict:
    """Only ids: which object, customer, subscription and (our own metadata) network."""
    obj = field(event, "data", "object", default={})
    kind = field(obj, "object", default="")
    customer = object_id(field(obj, "customer"))
    subscription = ""
    claimed = _int_or_none(field(obj, "metadata", "network_id"))
    if kind == "subscription":
        subscription = object_id(obj)
    elif kind == "checkout.session":
        subscription = object_id(field(obj, "subscription"))
        claimed = claimed or _int_or_none(field(obj, "client_reference_id"))
    elif kind == "invoice":
        subscription = object_id(field(obj, "subscription")) or object_id(
            field(obj, "parent", "subscription_details", "subscription")
        )
        claimed = claimed or _int_or_none(
            field(obj, "subscription_details", "metadata", "network_id")
            or field(obj, "parent", "subscription_details", "metadata", "network_id")
        )
    elif kind == "customer":
        customer = object_id(obj)
    return {
        "object_id": object_id(obj)[:255],
        "customer_id": customer[:255],
        "subscription_id": subscription[:255],
        "claimed_network_id": claimed,
    }


def store(event) -> tuple[StripeEvent | None, bool]:
    """Store a verified event once; returns (row, is_new). A replay changes nothing."""
    event_id = str(field(event, "id", default=""))[:255]
    if not event_id:
        raise WebhookRejected("no id")
    existing = db.session.get(StripeEvent, event_id)
    if existing is not None:
        return existing, False
    created = _int_or_none(field(event, "created")) or int(utcnow().timestamp())
    row = StripeEvent(
        id=event_id,
        type=str(field(event, "type", default=""))[:100],
        created=datetime.fromtimestamp(created, UTC),
        livemode=bool(field(event, "livemode", default=False)),
        state=EventState.PENDING if field(event, "type") in HANDLED else EventState.IGNORED,
        **_extract(event),
    )
    try:
        with db.session.begin_nested():  # a concurrent delivery of the same id loses here
            db.session.add(row)
    except IntegrityError:
        return db.session.get(StripeEvent, event_id), False
    return row, True


# ---- the worker side ----


def _claim(event_id: str) -> StripeEvent | None:
    now = utcnow()
    claimed = db.session.execute(
        update(StripeEvent)
        .where(StripeEvent.id == event_id, OUTBOX.claimable(now))
        .values(OUTBOX.claimed(now))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return db.session.get(StripeEvent, event_id) if claimed else None


def _network_for(event: StripeEvent) -> int | None:
    """The customer we created says which network; else our metadata on the object."""
    if event.customer_id:
        known = lookups.find("stripe_customer", event.customer_id)
        if known is not None:
            return known[0]
    with all_networks():
        candidate = event.claimed_network_id
        if candidate is None and event.subscription_id:
            remote = client().v1.subscriptions.retrieve(event.subscription_id)
            candidate = _int_or_none(field(remote, "metadata", "network_id"))
        if candidate is None:
            return None
        network = db.session.get(Network, candidate)
        if network is None:
            return None
        taken = db.session.execute(
            select(Subscription.stripe_customer_id).where(Subscription.network_id == candidate)
        ).scalar_one_or_none()
        if taken and event.customer_id and taken != event.customer_id:
            return None  # that network pays through another customer: not ours to change
        return candidate


def apply(event_id: str) -> str:
    """Apply one stored event (the job's body). Safe to run twice: the second run is skipped."""
    event = _claim(event_id)
    if event is None:
        return "skipped"
    try:
        outcome = _apply(event)
    except Exception as exc:  # whatever went wrong is recorded, and RQ retries (re-raised)
        db.session.rollback()
        failed = db.session.get(StripeEvent, event_id)
        failed.state = EventState.FAILED
        failed.last_error = type(exc).__name__[:300]
        db.session.commit()
        log.warning("stripe event %s failed: %s", event_id, type(exc).__name__)
        raise
    event = db.session.get(StripeEvent, event_id)
    event.state = EventState.PROCESSED if outcome == "applied" else EventState.IGNORED
    event.processed_at = utcnow()
    event.last_error = "" if outcome == "applied" else outcome[:300]
    db.session.commit()
    return outcome


def _apply(event: StripeEvent) -> str:
    if event.type not in HANDLED:
        return "not handled"
    network_id = _network_for(event)
    if network_id is None:
        return "no network"
    event.network_id = network_id
    event_type, created, subscription_id = event.type, event.created, event.subscription_id
    customer_id = event.customer_id
    with network_scope(network_id):
        sub = db.session.execute(select(Subscription).with_for_update()).scalar_one_or_none()
        if sub is None:
            sub = Subscription(network_id=network_id, plan="medium")
            db.session.add(sub)
        if customer_id and not sub.stripe_customer_id:
            sub.stripe_customer_id = customer_id
        if event_type.startswith("invoice.payment_failed"):
            sub.last_payment_failed_at = max(filter(None, [sub.last_payment_failed_at, created]))
        elif event_type.startswith("invoice."):
            sub.last_paid_at = max(filter(None, [sub.last_paid_at, created]))
        if subscription_id:
            sync(sub, client().v1.subscriptions.retrieve(subscription_id))
        db.session.flush()
    return "applied"


def _timestamp(value) -> datetime | None:
    number = _int_or_none(value)
    return datetime.fromtimestamp(number, UTC) if number else None


def sync(sub: Subscription, remote) -> None:
    """Copy Stripe's current view of a subscription onto the network's row."""
    remote_id = object_id(remote)
    status = FROM_STRIPE.get(str(field(remote, "status", default="")))
    if status is None:
        return
    if (
        sub.stripe_subscription_id
        and sub.stripe_subscription_id != remote_id
        and sub.status != SubscriptionStatus.CANCELLED
        and status == SubscriptionStatus.CANCELLED
    ):
        return  # a late word about an older, ended subscription: the live one stands
    before = sub.status
    sub.stripe_subscription_id = remote_id
    sub.status = status
    customer = object_id(field(remote, "customer"))
    if customer and not sub.stripe_customer_id:
        sub.stripe_customer_id = customer
    item = field(remote, "items", "data", 0, default={})
    price = object_id(field(item, "price"))
    sub.stripe_price_id = price
    known = plan_for_price(price)
    if known:
        sub.plan, sub.interval = known
    sub.current_period_end = _timestamp(
        field(item, "current_period_end") or field(remote, "current_period_end")
    )
    sub.cancel_at_period_end = bool(field(remote, "cancel_at_period_end", default=False))
    if status == SubscriptionStatus.TRIALING:
        sub.trial_ends_at = _timestamp(field(remote, "trial_end")) or sub.trial_ends_at
    if before != status:
        record("billing.status_changed", sub, before=str(before or ""), after=str(status))
