"""Who did what in a network (ids and action names only, never personal details), and the
platform-wide security events of sign-in."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from saas.extensions import db
from saas.models_base import CreatedAt
from tenants.scoping import TenantOwned


class AuditEvent(TenantOwned, CreatedAt, db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SecurityEvent(CreatedAt, db.Model):
    """A sign-in, a failed or throttled one, a password or session change: platform-wide (a
    person's account is not one network's), kept for the platform admin. Never a password, a
    code or the e-mail address typed for an unknown account: `account_ref` is a keyed hash of
    the normalised address, `address_ref` one of the client's network address."""

    __tablename__ = "security_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    account_ref: Mapped[str | None] = mapped_column(String(32), index=True)
    address_ref: Mapped[str | None] = mapped_column(String(16))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        Index("ix_security_events_created_at", "created_at"),
        Index("ix_security_events_kind_created_at", "kind", "created_at"),
    )
