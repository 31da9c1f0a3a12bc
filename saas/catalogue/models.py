"""The shared activity catalogue: offers, their places and schedules, sessions and headcounts."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from saas.extensions import db
from saas.iso639 import check_language_codes
from saas.models_base import CreatedAt, str_enum, utcnow
from tenants.scoping import TenantOwned, tenant_fk

if TYPE_CHECKING:
    from saas.partners.models import Partner

TIMEZONE = "Europe/Brussels"


class ActionLine(enum.IntFlag):
    """The five action lines of a Huis van het Kind, as bits so an offer can serve several."""

    CHILD_DEVELOPMENT = 1
    PARENTING = 2
    SOCIAL_INTEGRATION = 4
    BROAD_LEARNING = 8
    COOPERATION = 16

    @property
    def label(self) -> str:
        return str(ACTION_LINE_LABELS[self])

    @classmethod
    def members(cls) -> list[ActionLine]:
        return [
            cls.CHILD_DEVELOPMENT,
            cls.PARENTING,
            cls.SOCIAL_INTEGRATION,
            cls.BROAD_LEARNING,
            cls.COOPERATION,
        ]


ACTION_LINE_LABELS = {
    ActionLine.CHILD_DEVELOPMENT: _l("Stimulating children's development"),
    ActionLine.PARENTING: _l("Strengthening parents in their role"),
    ActionLine.SOCIAL_INTEGRATION: _l("Strengthening families' social integration"),
    ActionLine.BROAD_LEARNING: _l("Helping schools build a broad learning environment"),
    ActionLine.COOPERATION: _l("Cross-sector cooperation"),
}

# Age bands used for filters, coverage gaps and headcounts (months, inclusive lower, exclusive upper).
AGE_BANDS = [
    ("0-3", 0, 36, _l("0 to 3 years")),
    ("3-6", 36, 72, _l("3 to 6 years")),
    ("6-12", 72, 144, _l("6 to 12 years")),
    ("12+", 144, 216, _l("12 years and older")),
]


class CostKind(enum.StrEnum):
    FREE = "free"
    AMOUNT = "amount"
    REDUCED = "reduced"


class OrganiserRole(enum.StrEnum):
    ORGANISER = "organiser"
    SPEAKER = "speaker"
    HOST = "host"

    @property
    def label(self) -> str:
        return str(ORGANISER_ROLE_LABELS[self])


ORGANISER_ROLE_LABELS = {
    OrganiserRole.ORGANISER: _l("Co-organiser"),
    OrganiserRole.SPEAKER: _l("Speaker"),
    OrganiserRole.HOST: _l("Host"),
}


class Answer(enum.StrEnum):
    INVITED = "invited"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class ClosureKind(enum.StrEnum):
    CLOSURE = "closure"
    SCHOOL_HOLIDAY = "school_holiday"


class OfferType(TenantOwned, db.Model):
    """The network's list of offer types (seeded with the publication's types)."""

    __tablename__ = "offer_types"
    __table_args__ = (UniqueConstraint("network_id", "id"), UniqueConstraint("network_id", "code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name_nl: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    is_salon: Mapped[bool] = mapped_column(default=False)
    is_thematic: Mapped[bool] = mapped_column(default=False)
    sort: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime | None] = mapped_column(default=utcnow, onupdate=utcnow)

    def name(self, language: str) -> str:
        return self.name_nl if language == "nl" else self.name_en


class Location(TenantOwned, CreatedAt, db.Model):
    """A place of the network where activities happen."""

    __tablename__ = "locations"
    __table_args__ = (UniqueConstraint("network_id", "id"), UniqueConstraint("network_id", "name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    neighbourhood: Mapped[str] = mapped_column(String(100), index=True)
    accessibility: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(default=utcnow, onupdate=utcnow)


class Closure(TenantOwned, CreatedAt, db.Model):
    """A period without activities: the network's closure days and school holidays."""

    __tablename__ = "closures"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ClosureKind] = mapped_column(str_enum(ClosureKind, 20))
    label: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date]
    ends_on: Mapped[date]


class Offer(TenantOwned, CreatedAt, db.Model):
    __tablename__ = "offers"
    __table_args__ = (
        UniqueConstraint("network_id", "id"),
        tenant_fk("partner_id", "partners"),
        tenant_fk("type_id", "offer_types", ondelete="RESTRICT"),
        tenant_fk("location_id", "locations", ondelete="RESTRICT"),
        CheckConstraint("age_min_months <= age_max_months", name="age_range"),
        CheckConstraint("end_time > start_time", name="times"),
        # the staff catalogue's order: a page is read from its cursor on (saas.catalogue.browse)
        Index("ix_offers_network_title_id", "network_id", "title", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(index=True)  # the owner
    type_id: Mapped[int] = mapped_column(index=True)
    location_id: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    action_lines: Mapped[int] = mapped_column(default=0)  # ActionLine bits
    age_min_months: Mapped[int] = mapped_column(default=0)
    age_max_months: Mapped[int] = mapped_column(default=216)
    themes: Mapped[str] = mapped_column(String(500), default="")  # comma-separated, lower case
    languages: Mapped[str] = mapped_column(String(200), default="nl")  # comma-separated codes
    cost_kind: Mapped[CostKind] = mapped_column(str_enum(CostKind, 10), default=CostKind.FREE)
    cost_cents: Mapped[int | None]
    cost_note: Mapped[str] = mapped_column(String(200), default="")
    registration_required: Mapped[bool] = mapped_column(default=False)
    registration_note: Mapped[str] = mapped_column(String(300), default="")
    registration_url: Mapped[str] = mapped_column(String(300), default="")
    capacity: Mapped[int | None]
    # schedule, in the network's wall-clock time (Europe/Brussels)
    start_date: Mapped[date]
    start_time: Mapped[time]
    end_time: Mapped[time]
    rrule: Mapped[str] = mapped_column(String(300), default="")  # empty: one-off
    skip_public_holidays: Mapped[bool] = mapped_column(default=True)
    skip_school_holidays: Mapped[bool] = mapped_column(default=False)
    skip_closures: Mapped[bool] = mapped_column(default=True)
    published_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime | None]  # the partner's last edit
    # anything the open data shows of it changed: the row, or a closure that rewrites its schedule
    changed_at: Mapped[datetime | None] = mapped_column(default=utcnow, onupdate=utcnow)

    @validates("languages")
    def _iso_639(self, _key, codes):
        check_language_codes(c for c in (codes or "").split(",") if c)
        return codes

    partner: Mapped[Partner] = relationship(
        primaryjoin="Offer.partner_id == Partner.id", foreign_keys=[partner_id], viewonly=True
    )
    type: Mapped[OfferType] = relationship(
        primaryjoin="Offer.type_id == OfferType.id", foreign_keys=[type_id], viewonly=True
    )
    location: Mapped[Location] = relationship(
        primaryjoin="Offer.location_id == Location.id", foreign_keys=[location_id], viewonly=True
    )
    organisers: Mapped[list[OfferPartner]] = relationship(
        primaryjoin="Offer.id == OfferPartner.offer_id",
        foreign_keys="OfferPartner.offer_id",
        viewonly=True,
        order_by="OfferPartner.id",
    )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.hidden_at is None

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    @property
    def theme_list(self) -> list[str]:
        return [t for t in self.themes.split(",") if t]

    @property
    def action_line_list(self) -> list[ActionLine]:
        return [line for line in ActionLine.members() if self.action_lines & line]

    @property
    def is_free(self) -> bool:
        return self.cost_kind == CostKind.FREE

    def text(self, language: str) -> tuple[str, str]:
        """Title and description in the language asked for, where the partner wrote one; else Dutch."""
        version = (self.translations or {}).get(language) or {}
        return version.get("title") or self.title, version.get("description") or self.description


class OfferPartner(TenantOwned, CreatedAt, db.Model):
    """A partner that co-organises an offer: organiser, speaker (who confirms) or host."""

    __tablename__ = "offer_partners"
    __table_args__ = (
        UniqueConstraint("network_id", "offer_id", "partner_id"),
        tenant_fk("offer_id", "offers"),
        tenant_fk("partner_id", "partners"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(index=True)
    partner_id: Mapped[int] = mapped_column(index=True)
    role: Mapped[OrganiserRole] = mapped_column(str_enum(OrganiserRole, 20))
    answer: Mapped[Answer] = mapped_column(str_enum(Answer, 20), default=Answer.CONFIRMED)
    answered_at: Mapped[datetime | None]

    partner: Mapped[Partner] = relationship(
        primaryjoin="OfferPartner.partner_id == Partner.id",
        foreign_keys=[partner_id],
        viewonly=True,
    )
    offer: Mapped[Offer] = relationship(
        primaryjoin="OfferPartner.offer_id == Offer.id", foreign_keys=[offer_id], viewonly=True
    )


class OfferFollower(TenantOwned, CreatedAt, db.Model):
    """A staff member who wants to hear about changes and cancellations of an offer."""

    __tablename__ = "offer_followers"
    __table_args__ = (
        UniqueConstraint("network_id", "offer_id", "user_id"),
        tenant_fk("offer_id", "offers"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class ActivitySession(TenantOwned, CreatedAt, db.Model):
    """One dated occurrence of an offer: cancelled, moved, staffed, referred to and counted."""

    __tablename__ = "sessions"
    __table_args__ = (
        UniqueConstraint("network_id", "id"),
        UniqueConstraint("network_id", "offer_id", "occurrence"),
        tenant_fk("offer_id", "offers"),
        tenant_fk("location_id", "locations", ondelete="RESTRICT"),
        CheckConstraint("ends_at > starts_at", name="times"),
        Index("ix_sessions_network_starts", "network_id", "starts_at"),  # network figures
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(index=True)
    occurrence: Mapped[str] = mapped_column(String(20))  # local start of the rule's occurrence
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    status: Mapped[SessionStatus] = mapped_column(
        str_enum(SessionStatus, 20), default=SessionStatus.SCHEDULED
    )
    moved: Mapped[bool] = mapped_column(default=False)
    location_id: Mapped[int | None] = mapped_column(index=True)  # set when moved elsewhere
    note: Mapped[str] = mapped_column(String(300), default="")
    # set when the row changes (cancelled, restored, moved), not when it is made: the daily job
    # that makes sessions up to the horizon changes nothing the open data shows
    updated_at: Mapped[datetime | None] = mapped_column(onupdate=utcnow)

    offer: Mapped[Offer] = relationship(
        primaryjoin="ActivitySession.offer_id == Offer.id", foreign_keys=[offer_id], viewonly=True
    )
    moved_location: Mapped[Location | None] = relationship(
        primaryjoin="ActivitySession.location_id == Location.id",
        foreign_keys=[location_id],
        viewonly=True,
    )

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def place(self) -> Location:
        return self.moved_location or self.offer.location


class Headcount(TenantOwned, CreatedAt, db.Model):
    """Attendance of a session, as numbers only. Corrections add a row; the newest one counts."""

    __tablename__ = "headcounts"
    __table_args__ = (
        tenant_fk("session_id", "sessions"),
        Index("ix_headcounts_session_latest", "session_id", "id"),  # the newest per session
        CheckConstraint(
            "adults >= 0 AND children_0_3 >= 0 AND children_3_6 >= 0 AND children_6_12 >= 0 "
            "AND children_12_plus >= 0 AND first_time_families >= 0",
            name="not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(index=True)
    adults: Mapped[int] = mapped_column(default=0)
    children_0_3: Mapped[int] = mapped_column(default=0)
    children_3_6: Mapped[int] = mapped_column(default=0)
    children_6_12: Mapped[int] = mapped_column(default=0)
    children_12_plus: Mapped[int] = mapped_column(default=0)
    first_time_families: Mapped[int] = mapped_column(default=0)
    # the seed's yardstick, where the partner records it: children of this session's families
    # who were helped to enter kindergarten on time (a number, like the rest; never who)
    kindergarten_on_time: Mapped[int] = mapped_column(default=0, server_default="0")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def children(self) -> int:
        return self.children_0_3 + self.children_3_6 + self.children_6_12 + self.children_12_plus
