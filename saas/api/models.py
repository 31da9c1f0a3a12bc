"""API tokens: created by a partner admin, shown once, stored as a keyed hash, scoped and expiring."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.extensions import db
from saas.models_base import CreatedAt, utcnow
from saas.partners.models import Partner
from tenants.scoping import TenantOwned, tenant_fk


class ApiToken(TenantOwned, CreatedAt, db.Model):
    """One partner's key to the API, acting as the person who created it."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        UniqueConstraint("network_id", "id"),
        UniqueConstraint("network_id", "prefix"),
        UniqueConstraint("network_id", "secret_hash"),
        tenant_fk("partner_id", "partners"),
    )
    # a prefix names one token on the whole platform; a secret is recognised in any network
    __global_keys__ = {"prefix": "api_token_prefix", "secret_hash": "api_token_secret"}

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(20))  # shown to recognise the token
    secret_hash: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256, hex
    scopes: Mapped[str] = mapped_column(String(300))  # "offers:read,referrals:write"
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    partner: Mapped[Partner] = relationship(
        primaryjoin="ApiToken.partner_id == Partner.id", foreign_keys=[partner_id], viewonly=True
    )

    @property
    def scope_list(self) -> list[str]:
        return [s for s in self.scopes.split(",") if s]

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= utcnow():
            return "expired"
        return "active"

    @property
    def is_usable(self) -> bool:
        return self.state == "active"
