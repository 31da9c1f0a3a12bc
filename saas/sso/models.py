"""OpenID Connect providers and the accounts linked to them.

A network's providers and links are tenant rows (the one scoping mechanism: `TenantOwned`,
Lock 1 and row-level security). The platform's providers belong to no network, like `users`:
they live in tables of their own, read by the sign-in page and the platform admin's page, rather
than as rows with an empty `network_id` (which the scoping mechanism would have to let through
for every network, a second rule beside the one rule).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from saas.extensions import db
from saas.models_base import CreatedAt, utcnow
from tenants.scoping import TenantOwned, tenant_fk


class ProviderColumns:
    """What a provider is: its name on the button, where it lives, and how Dorp is known to it.
    The endpoints come from the issuer's discovery document when the provider is saved."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    client_secret_sealed: Mapped[str] = mapped_column(Text)  # Fernet, see saas.sso.secrets
    allowed_domains: Mapped[str] = mapped_column(String(1000))  # lower case, one space between
    authorization_endpoint: Mapped[str] = mapped_column(String(500))
    token_endpoint: Mapped[str] = mapped_column(String(500))
    jwks_uri: Mapped[str] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def domains(self) -> list[str]:
        return self.allowed_domains.split()


class NetworkProvider(ProviderColumns, TenantOwned, CreatedAt, db.Model):
    __tablename__ = "sso_providers"
    __table_args__ = (UniqueConstraint("network_id", "id"),)

    scope = "network"


class PlatformProvider(ProviderColumns, CreatedAt, db.Model):
    __tablename__ = "platform_sso_providers"

    scope = "platform"


class LinkColumns:
    """An account and the subject (`sub`) a provider knows it by: found by (provider, sub)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(255))

    @declared_attr
    def user_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class NetworkLink(LinkColumns, TenantOwned, CreatedAt, db.Model):
    __tablename__ = "sso_links"
    __table_args__ = (
        tenant_fk("provider_id", "sso_providers"),
        UniqueConstraint("network_id", "provider_id", "subject"),
    )

    provider_id: Mapped[int] = mapped_column(index=True)


class PlatformLink(LinkColumns, CreatedAt, db.Model):
    __tablename__ = "platform_sso_links"
    __table_args__ = (UniqueConstraint("provider_id", "subject"),)

    provider_id: Mapped[int] = mapped_column(
        ForeignKey("platform_sso_providers.id", ondelete="CASCADE"), index=True
    )
