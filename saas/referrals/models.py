"""Referrals between partners: the family's question, its consent, its timeline and messages.

Only what is needed about a family is kept: a label the sender chooses, how to reach them (through
the sender, or a phone/e-mail given with consent), children's age bands, languages, neighbourhood,
the question and its themes, preferred days and times, urgency. Withdrawing consent, or the
retention period after closing, removes all of it; the referral's skeleton stays for the figures.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.extensions import db
from saas.models_base import CreatedAt, str_enum
from tenants.scoping import TenantOwned, tenant_fk

if TYPE_CHECKING:
    from saas.accounts.models import User
    from saas.catalogue.models import ActivitySession, Offer
    from saas.partners.models import Partner


class Status(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    RECEIVED = "received"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CLOSED = "closed_no_contact"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])

    @property
    def is_open(self) -> bool:
        return self not in TERMINAL


TERMINAL = {Status.DECLINED, Status.COMPLETED, Status.CLOSED, Status.CANCELLED}
STATUS_LABELS = {
    Status.DRAFT: _l("Draft"),
    Status.SENT: _l("Sent"),
    Status.RECEIVED: _l("Received"),
    Status.ACCEPTED: _l("Accepted"),
    Status.DECLINED: _l("Declined"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.COMPLETED: _l("Completed"),
    Status.CLOSED: _l("Closed without contact"),
    Status.CANCELLED: _l("Cancelled"),
}


class DeclineReason(enum.StrEnum):
    OUTSIDE_MISSION = "outside_mission"
    NO_CAPACITY = "no_capacity"
    WAITING_LIST = "waiting_list"
    ALREADY_HELPED = "already_helped"
    BETTER_ELSEWHERE = "better_elsewhere"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(DECLINE_LABELS[self])


DECLINE_LABELS = {
    DeclineReason.OUTSIDE_MISSION: _l("The question is outside what we do"),
    DeclineReason.NO_CAPACITY: _l("We have no room at the moment"),
    DeclineReason.WAITING_LIST: _l("There is a waiting list"),
    DeclineReason.ALREADY_HELPED: _l("The family is already helped elsewhere"),
    DeclineReason.BETTER_ELSEWHERE: _l("Another partner fits better"),
    DeclineReason.OTHER: _l("Another reason (explained in a message)"),
}


class Outcome(enum.StrEnum):
    HELPED = "helped"
    PARTLY = "partly_helped"
    REFERRED_ON = "referred_on"
    FAMILY_STOPPED = "family_stopped"

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self])


OUTCOME_LABELS = {
    Outcome.HELPED: _l("The question was answered"),
    Outcome.PARTLY: _l("The question was partly answered"),
    Outcome.REFERRED_ON: _l("The family was referred on"),
    Outcome.FAMILY_STOPPED: _l("The family stopped"),
}

CONTACT_WAYS = ("sender", "phone", "email")
CONSENT_GIVERS = ("parent", "guardian", "young_person")
CONSENT_TEXT_VERSION = "toestemming-v1"


class Referral(TenantOwned, CreatedAt, db.Model):
    __tablename__ = "referrals"
    __table_args__ = (
        UniqueConstraint("network_id", "id"),
        tenant_fk("from_partner_id", "partners"),
        tenant_fk("to_partner_id", "partners"),
        tenant_fk("offer_id", "offers", ondelete="RESTRICT"),
        tenant_fk("session_id", "sessions", ondelete="RESTRICT"),
        Index("ix_referrals_network_sent", "network_id", "sent_at"),  # network figures
        # A partner's inbox and outbox: the tenant column first, so one index scan answers
        # "this network, this partner" in list order, and the status counts read the index only.
        # (With the partner column alone, PostgreSQL's generic plans ANDed it with the whole
        # network's bitmap: 5 ms for a 500-referral inbox.)
        Index(
            "ix_referrals_inbox",
            "network_id",
            "to_partner_id",
            "urgent",
            "id",
            postgresql_include=["status"],
        ),
        Index(
            "ix_referrals_outbox",
            "network_id",
            "from_partner_id",
            "urgent",
            "id",
            postgresql_include=["status"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_partner_id: Mapped[int] = mapped_column(index=True)
    to_partner_id: Mapped[int] = mapped_column(index=True)
    offer_id: Mapped[int | None] = mapped_column(index=True)
    session_id: Mapped[int | None] = mapped_column(index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[Status] = mapped_column(str_enum(Status, 20), default=Status.DRAFT, index=True)
    urgent: Mapped[bool] = mapped_column(default=False)
    # the family: minimal, and removed on withdrawal or after retention
    family_label: Mapped[str] = mapped_column(String(60), default="")
    contact_way: Mapped[str] = mapped_column(String(10), default="sender")
    contact_value: Mapped[str] = mapped_column(String(120), default="")
    age_bands: Mapped[str] = mapped_column(String(40), default="")  # comma-separated band codes
    languages: Mapped[str] = mapped_column(String(100), default="")
    neighbourhood: Mapped[str] = mapped_column(String(100), default="")
    question: Mapped[str] = mapped_column(Text, default="")
    themes: Mapped[str] = mapped_column(String(300), default="")
    preferred_days: Mapped[str] = mapped_column(String(40), default="")
    preferred_times: Mapped[str] = mapped_column(String(40), default="")
    # lifecycle
    decline_reason: Mapped[DeclineReason | None] = mapped_column(str_enum(DeclineReason, 30))
    outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome, 30))
    sent_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    response_due_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    lapsed: Mapped[bool] = mapped_column(default=False)
    anonymised_at: Mapped[datetime | None]

    from_partner: Mapped[Partner] = relationship(
        primaryjoin="Referral.from_partner_id == Partner.id",
        foreign_keys=[from_partner_id],
        viewonly=True,
    )
    to_partner: Mapped[Partner] = relationship(
        primaryjoin="Referral.to_partner_id == Partner.id",
        foreign_keys=[to_partner_id],
        viewonly=True,
    )
    offer: Mapped[Offer | None] = relationship(
        primaryjoin="Referral.offer_id == Offer.id", foreign_keys=[offer_id], viewonly=True
    )
    session: Mapped[ActivitySession | None] = relationship(
        primaryjoin="Referral.session_id == ActivitySession.id",
        foreign_keys=[session_id],
        viewonly=True,
    )

    @property
    def is_open(self) -> bool:
        return Status(self.status).is_open

    def list_of(self, name: str) -> list[str]:
        return [v for v in (getattr(self, name) or "").split(",") if v]


class Consent(TenantOwned, db.Model):
    """The family's consent: who gave it, when, for which recipient and purpose, which text."""

    __tablename__ = "referral_consents"
    __table_args__ = (
        tenant_fk("referral_id", "referrals"),
        tenant_fk("recipient_partner_id", "partners"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(index=True)
    given_by: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime]
    recipient_partner_id: Mapped[int]
    purpose: Mapped[str] = mapped_column(String(300))
    text_version: Mapped[str] = mapped_column(String(30), default=CONSENT_TEXT_VERSION)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None]


class ReferralEvent(TenantOwned, CreatedAt, db.Model):
    """The timeline: who did what and when (never the family's data)."""

    __tablename__ = "referral_events"
    __table_args__ = (tenant_fk("referral_id", "referrals"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[Status | None] = mapped_column(str_enum(Status, 20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_partner_id: Mapped[int | None]
    code: Mapped[str] = mapped_column(String(40), default="")  # a reason or outcome code

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], viewonly=True)
    actor_partner: Mapped[Partner | None] = relationship(
        primaryjoin="ReferralEvent.actor_partner_id == Partner.id",
        foreign_keys="ReferralEvent.actor_partner_id",
        viewonly=True,
    )


class ReferralMessage(TenantOwned, CreatedAt, db.Model):
    """A short message between sender and receiver; its text is removed with the family's data
    (an empty body), its author and time stay."""

    __tablename__ = "referral_messages"
    __table_args__ = (tenant_fk("referral_id", "referrals"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_partner_id: Mapped[int]
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id], viewonly=True)
    author_partner: Mapped[Partner] = relationship(
        primaryjoin="ReferralMessage.author_partner_id == Partner.id",
        foreign_keys="ReferralMessage.author_partner_id",
        viewonly=True,
    )
