"""Partner organisations of a network."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from saas.extensions import db
from saas.iso639 import check_language_codes
from saas.models_base import CreatedAt, str_enum, utcnow
from tenants.scoping import TenantOwned


class Sector(enum.StrEnum):
    WELFARE = "welfare"
    HEALTH = "health"
    EDUCATION = "education"
    LEISURE = "leisure"
    SOCIAL_ECONOMY = "social_economy"
    LOCAL_GOVERNMENT = "local_government"
    COMMUNITY = "community"

    @property
    def label(self) -> str:
        return str(SECTOR_LABELS[self])


SECTOR_LABELS = {
    Sector.WELFARE: _l("Welfare"),
    Sector.HEALTH: _l("Health"),
    Sector.EDUCATION: _l("Education"),
    Sector.LEISURE: _l("Leisure, culture and sport"),
    Sector.SOCIAL_ECONOMY: _l("Social economy"),
    Sector.LOCAL_GOVERNMENT: _l("Local government"),
    Sector.COMMUNITY: _l("Community and poverty organisation"),
}


# Languages partners speak with families, each named in its own language.
SPOKEN_LANGUAGES = [
    ("nl", "Nederlands"),
    ("fr", "Français"),
    ("en", "English"),
    ("de", "Deutsch"),
    ("tr", "Türkçe"),
    ("ar", "العربية"),
    ("rif", "Tarifit (Tamaziɣt)"),
    ("it", "Italiano"),
    ("pl", "Polski"),
    ("ro", "Română"),
    ("bg", "Български"),
    ("ru", "Русский"),
    ("uk", "Українська"),
    ("ps", "پښتو"),
    ("fa", "فارسی"),
    ("so", "Soomaali"),
    ("ti", "ትግርኛ"),
    ("es", "Español"),
    ("pt", "Português"),
    ("sq", "Shqip"),
]
LANGUAGE_NAMES = dict(SPOKEN_LANGUAGES)
check_language_codes(LANGUAGE_NAMES)  # ISO 639-1 or ISO 639-3, never a group code like "ber"


class PartnerState(enum.StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    SUSPENDED = "suspended"

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self])


STATE_LABELS = {
    PartnerState.INVITED: _l("Invited"),
    PartnerState.ACTIVE: _l("Active"),
    PartnerState.SUSPENDED: _l("Suspended"),
}


class Partner(TenantOwned, CreatedAt, db.Model):
    __tablename__ = "partners"
    __table_args__ = (
        UniqueConstraint("network_id", "id"),
        UniqueConstraint("network_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[Sector] = mapped_column(str_enum(Sector))
    contact_email: Mapped[str] = mapped_column(String(254))
    state: Mapped[PartnerState] = mapped_column(
        str_enum(PartnerState, 20), default=PartnerState.INVITED
    )
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    activated_at: Mapped[datetime | None]
    suspended_at: Mapped[datetime | None]
    # any change to the row (profile, state): the open data's `last_modified`
    updated_at: Mapped[datetime | None] = mapped_column(default=utcnow, onupdate=utcnow)

    @validates("languages")
    def _iso_639(self, _key, codes):
        check_language_codes(codes or [])
        return codes

    @property
    def is_suspended(self) -> bool:
        return self.state == PartnerState.SUSPENDED
