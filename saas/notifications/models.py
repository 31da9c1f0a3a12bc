"""The outbox: messages written in the same transaction as the change that causes them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from saas.extensions import db
from saas.models_base import CreatedAt, str_enum
from tenants.scoping import TenantOwned


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(CreatedAt, db.Model):
    """An e-mail waiting for (or done with) delivery.

    Not tenant-scoped: the relay and the delivery worker read it across networks, by id only.
    `network_id` records where it came from, for the network's own views and purging.
    """

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int | None] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[OutboxState] = mapped_column(
        str_enum(OutboxState, 20), default=OutboxState.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    enqueued_at: Mapped[datetime | None]
    sending_since: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]


class Delivery(enum.StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    OFF = "off"


class Notification(TenantOwned, CreatedAt, db.Model):
    """An in-app notification: what happened and a link, never a family's data.

    Kept per person and network; e-mailed at once, in the daily digest, or not at all, as the
    person chose for its kind.
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(300))
    read_at: Mapped[datetime | None]
    digest_due: Mapped[bool] = mapped_column(default=False, index=True)


class NotificationPreference(db.Model):
    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    delivery: Mapped[Delivery] = mapped_column(str_enum(Delivery, 12), default=Delivery.IMMEDIATE)
