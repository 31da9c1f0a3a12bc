"""Networks (the tenants), memberships with their roles, and invitations to join."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, ForeignKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.extensions import db
from saas.models_base import CreatedAt, str_enum, utcnow
from tenants.scoping import TenantOwned

if TYPE_CHECKING:  # features build on tenants, never the other way round: names only
    from saas.accounts.models import User
    from saas.partners.models import Partner


class Role(enum.StrEnum):
    STEWARD = "steward"
    PARTNER_ADMIN = "partner_admin"
    PARTNER_MEMBER = "partner_member"
    SE_COORDINATOR = "se_coordinator"
    SE_WORKER = "se_worker"
    MUNICIPALITY_VIEWER = "municipality_viewer"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])

    @property
    def needs_partner(self) -> bool:
        return self in (Role.PARTNER_ADMIN, Role.PARTNER_MEMBER)


ROLE_LABELS = {
    Role.STEWARD: _l("Network steward"),
    Role.PARTNER_ADMIN: _l("Partner administrator"),
    Role.PARTNER_MEMBER: _l("Partner member"),
    Role.SE_COORDINATOR: _l("Social-economy coordinator"),
    Role.SE_WORKER: _l("Social-economy worker"),
    Role.MUNICIPALITY_VIEWER: _l("Municipality"),
}

LANGUAGES = {"nl": "Nederlands", "en": "English"}


class Network(CreatedAt, db.Model):
    """One Huis van het Kind network: the tenant."""

    __tablename__ = "networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    municipality: Mapped[str] = mapped_column(String(200))
    default_language: Mapped[str] = mapped_column(String(5), default="nl")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Offboarding (saas.portability.offboarding): closed by the platform admin, read-only at
    # once; its rows are deleted once `delete_after` has passed, unless it is reopened first.
    # After the deletion only this row remains (inactive), as the record of what happened.
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    delete_after: Mapped[datetime | None]
    purged_at: Mapped[datetime | None]

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def __repr__(self) -> str:
        return f"<Network {self.slug}>"


class Membership(TenantOwned, CreatedAt, db.Model):
    """One role of one person in one network (a person may hold several)."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("network_id", "user_id", "role", "partner_id"),
        ForeignKeyConstraint(
            ["network_id", "partner_id"],
            ["partners.network_id", "partners.id"],
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    partner_id: Mapped[int | None] = mapped_column(index=True)

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    partner: Mapped[Partner | None] = relationship(
        foreign_keys=[partner_id], primaryjoin="Membership.partner_id == Partner.id", viewonly=True
    )
    network: Mapped[Network] = relationship(viewonly=True)


class Invitation(TenantOwned, CreatedAt, db.Model):
    """A signed, single-use, expiring invitation to take a role in a network."""

    __tablename__ = "invitations"
    __table_args__ = (
        ForeignKeyConstraint(
            ["network_id", "partner_id"],
            ["partners.network_id", "partners.id"],
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    partner_id: Mapped[int | None] = mapped_column(index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]

    partner: Mapped[Partner | None] = relationship(
        foreign_keys=[partner_id], primaryjoin="Invitation.partner_id == Partner.id", viewonly=True
    )
    network: Mapped[Network] = relationship(viewonly=True)

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > utcnow()

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= utcnow():
            return "expired"
        return "open"
