"""A network's subscription (its plan and state), Stripe's events, and pending sign-ups."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from saas.extensions import db
from saas.models_base import CreatedAt, str_enum, utcnow
from tenants.scoping import TenantOwned


class SubscriptionStatus(enum.StrEnum):
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    SubscriptionStatus.TRIALING: _l("Trial"),
    SubscriptionStatus.ACTIVE: _l("Active"),
    SubscriptionStatus.PAST_DUE: _l("Payment overdue"),
    SubscriptionStatus.CANCELLED: _l("Cancelled"),
}

# Stripe's subscription statuses, in Dorp's four states.
FROM_STRIPE = {
    "trialing": SubscriptionStatus.TRIALING,
    "active": SubscriptionStatus.ACTIVE,
    "past_due": SubscriptionStatus.PAST_DUE,
    "unpaid": SubscriptionStatus.PAST_DUE,
    "incomplete": SubscriptionStatus.PAST_DUE,
    "canceled": SubscriptionStatus.CANCELLED,
    "incomplete_expired": SubscriptionStatus.CANCELLED,
    "paused": SubscriptionStatus.CANCELLED,
}


class Subscription(TenantOwned, CreatedAt, db.Model):
    """One per network that was created while billing was on; none means free."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("network_id"),)  # one per network: its ids are too
    # Stripe's webhooks name the customer, not the network: unique across the platform there
    __global_keys__ = {
        "stripe_customer_id": "stripe_customer",
        "stripe_subscription_id": "stripe_subscription",
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[SubscriptionStatus] = mapped_column(
        str_enum(SubscriptionStatus, 20), default=SubscriptionStatus.TRIALING
    )
    plan: Mapped[str] = mapped_column(String(20))
    interval: Mapped[str] = mapped_column(String(10), default="")
    trial_ends_at: Mapped[datetime | None]
    current_period_end: Mapped[datetime | None]
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255))
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255))
    stripe_price_id: Mapped[str] = mapped_column(String(255), default="")
    last_payment_failed_at: Mapped[datetime | None]
    last_paid_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def trial_over(self) -> bool:
        return (
            self.status == SubscriptionStatus.TRIALING
            and self.stripe_subscription_id is None
            and self.trial_ends_at is not None
            and self.trial_ends_at <= utcnow()
        )

    @property
    def read_only(self) -> bool:
        """Cancelled, or a Dorp trial that ended without a subscription."""
        return self.status == SubscriptionStatus.CANCELLED or self.trial_over

    @property
    def trial_days_left(self) -> int | None:
        if self.status != SubscriptionStatus.TRIALING or self.trial_ends_at is None:
            return None
        return max(0, (self.trial_ends_at - utcnow()).days)


class EventState(enum.StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    PROCESSED = "processed"
    IGNORED = "ignored"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return str(EVENT_STATE_LABELS[self])


EVENT_STATE_LABELS = {
    EventState.PENDING: _l("Waiting"),
    EventState.PROCESSING: _l("Being handled"),
    EventState.PROCESSED: _l("Done"),
    EventState.IGNORED: _l("Not needed"),
    EventState.FAILED: _l("Failed, will be retried"),
}


class StripeEvent(db.Model):
    """A webhook event, stored once by Stripe's id before anything else happens.

    Platform-level (not tenant-owned): it arrives before Dorp knows its network, which the worker
    resolves from Stripe's customer or subscription. Only ids are kept, never the event body, so
    no billing contact's details are stored twice.
    """

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    created: Mapped[datetime]  # when Stripe created the event
    livemode: Mapped[bool] = mapped_column(default=False)
    object_id: Mapped[str] = mapped_column(String(255), default="")
    customer_id: Mapped[str] = mapped_column(String(255), default="")
    subscription_id: Mapped[str] = mapped_column(String(255), default="")
    claimed_network_id: Mapped[int | None]  # from our own metadata on the Stripe object
    network_id: Mapped[int | None] = mapped_column(
        ForeignKey("networks.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[EventState] = mapped_column(
        str_enum(EventState, 20), default=EventState.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processing_since: Mapped[datetime | None]
    processed_at: Mapped[datetime | None]


class NetworkSignup(CreatedAt, db.Model):
    """A "start a network" request waiting for its e-mail address to be confirmed.

    Deleted once confirmed (the network and the account then exist) or after a week.
    """

    __tablename__ = "network_signups"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    contact_name: Mapped[str] = mapped_column(String(200))
    network_name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(60))
    municipality: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5), default="nl")
