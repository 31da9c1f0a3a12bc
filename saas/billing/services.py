"""Billing services: the trial, plan limits, Checkout and the customer portal.

Stripe is the source of truth for a paid subscription; Dorp keeps a copy of its state per network
(`Subscription`), updated only by webhook events applied in a worker (`saas.billing.events`).
"""

from __future__ import annotations

from datetime import timedelta

import stripe
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from saas.audit.services import record
from saas.billing.models import EventState, StripeEvent, Subscription, SubscriptionStatus
from saas.billing.plans import PLANS, TRIAL_PLAN, billing_enabled
from saas.billing.stripe_api import BillingUnavailable, client
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner, PartnerState
from tenants.context import all_networks
from tenants.models import Network


class BillingError(ValueError):
    """A request the billing pages refuse, with a message for the person."""


def subscription() -> Subscription | None:
    """The current network's subscription (none: the network is free)."""
    return db.session.execute(select(Subscription)).scalar_one_or_none()


def start_trial(network: Network) -> Subscription | None:
    """Give a new network its trial; nothing while billing is off (networks are then free)."""
    if not billing_enabled():
        return None
    existing = subscription()
    if existing is not None:
        return existing
    sub = Subscription(
        network_id=network.id,
        status=SubscriptionStatus.TRIALING,
        plan=TRIAL_PLAN,
        trial_ends_at=utcnow() + timedelta(days=current_app.config["BILLING_TRIAL_DAYS"]),
    )
    db.session.add(sub)
    db.session.flush()
    record("billing.trial_started", sub)
    return sub


def enforced() -> Subscription | None:
    """The subscription whose rules apply now: none while billing is off."""
    return subscription() if billing_enabled() else None


def is_read_only() -> bool:
    sub = enforced()
    return sub is not None and sub.read_only


def counted_partners() -> int:
    """The partners a plan's limit counts: all but the suspended ones."""
    return db.session.execute(
        select(func.count()).select_from(Partner).where(Partner.state != PartnerState.SUSPENDED)
    ).scalar_one()


def partner_limit_message(adding: int) -> str | None:
    """Why `adding` more partners would exceed the plan, or None when they fit."""
    sub = enforced()
    if sub is None:
        return None
    plan = PLANS.get(sub.plan)
    if plan is None or plan.max_partners is None:
        return None
    count = counted_partners()
    if count + adding <= plan.max_partners:
        return None
    return _(
        "Your plan allows %(max)d partners and the network has %(count)d; adding %(adding)d "
        "would go over. A steward can choose a larger plan on the billing page (suspended "
        "partners do not count).",
        max=plan.max_partners,
        count=count,
        adding=adding,
    )


def recent_events(network: Network, limit: int = 10) -> list[StripeEvent]:
    """The network's latest Stripe events: platform-level rows, read for this network by its id."""
    return list(
        db.session.execute(
            select(StripeEvent)
            .where(StripeEvent.network_id == network.id)
            .order_by(StripeEvent.created.desc())
            .limit(limit)
        ).scalars()
    )


def platform_overview() -> tuple[list, int]:
    """Every network by name with its subscription (or None), and how many Stripe events
    failed: the platform admin's page, explicitly cross-network."""
    with all_networks():
        rows = db.session.execute(
            select(Network, Subscription)
            .outerjoin(Subscription, Subscription.network_id == Network.id)
            .order_by(Network.name)
        ).all()
        failing = db.session.execute(
            select(func.count())
            .select_from(StripeEvent)
            .where(StripeEvent.state == EventState.FAILED)
        ).scalar_one()
    return list(rows), failing


def _locked_subscription(network: Network) -> Subscription:
    sub = db.session.execute(select(Subscription).with_for_update()).scalar_one_or_none()
    if sub is None:  # a network from before billing was switched on
        sub = Subscription(
            network_id=network.id, status=SubscriptionStatus.TRIALING, plan=TRIAL_PLAN
        )
        db.session.add(sub)
        db.session.flush()
    return sub


def _ensure_customer(sub: Subscription, network: Network) -> str:
    if sub.stripe_customer_id:
        return sub.stripe_customer_id
    customer = client().v1.customers.create(
        params={
            "name": network.name,
            "metadata": {"network_id": str(network.id), "network_slug": network.slug},
        }
    )
    sub.stripe_customer_id = customer.id
    db.session.flush()
    return customer.id


def checkout_url(
    network: Network, plan_code: str, interval: str, *, success: str, cancel: str
) -> str:
    """Start Stripe Checkout for a plan; Stripe collects the card, never Dorp."""
    plan = PLANS.get(plan_code)
    if plan is None or not plan.price_id(interval):
        raise BillingError(_("Please choose one of the plans."))
    sub = _locked_subscription(network)
    if sub.stripe_subscription_id and sub.status != SubscriptionStatus.CANCELLED:
        raise BillingError(
            _("The network already has a subscription: change it in the customer portal.")
        )
    try:
        customer = _ensure_customer(sub, network)
        params = {
            "mode": "subscription",
            "customer": customer,
            "client_reference_id": str(network.id),
            "line_items": [{"price": plan.price_id(interval), "quantity": 1}],
            "metadata": {"network_id": str(network.id)},
            "subscription_data": {"metadata": {"network_id": str(network.id)}},
            "success_url": success,
            "cancel_url": cancel,
        }
        # The rest of Dorp's trial carries over (Stripe wants at least two days).
        if (
            sub.status == SubscriptionStatus.TRIALING
            and not sub.stripe_subscription_id
            and sub.trial_ends_at
            and sub.trial_ends_at - utcnow() > timedelta(days=2)
        ):
            params["subscription_data"]["trial_end"] = int(sub.trial_ends_at.timestamp())
        session = client().v1.checkout.sessions.create(params=params)
    except BillingUnavailable:
        raise
    except stripe.StripeError as exc:  # refused, or Stripe could not be reached
        current_app.logger.warning("stripe checkout failed: %s", type(exc).__name__)
        raise BillingUnavailable(type(exc).__name__) from exc
    record("billing.checkout_started", sub, plan=plan.code, interval=interval)
    return session.url


def portal_url(network: Network, *, return_url: str) -> str:
    """A Stripe customer-portal session: invoices, card and plan changes, cancelling."""
    sub = subscription()
    if sub is None or not sub.stripe_customer_id:
        raise BillingError(_("The network has no Stripe customer yet: subscribe first."))
    try:
        session = client().v1.billing_portal.sessions.create(
            params={"customer": sub.stripe_customer_id, "return_url": return_url}
        )
    except BillingUnavailable:
        raise
    except stripe.StripeError as exc:  # refused, or Stripe could not be reached
        current_app.logger.warning("stripe portal failed: %s", type(exc).__name__)
        raise BillingUnavailable(type(exc).__name__) from exc
    record("billing.portal_opened", sub)
    return session.url
