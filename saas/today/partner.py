"""What waits for a partner's people: referrals waiting for the partner's answer (by sender and
dates: the family stays on the referral's own, audited page), sessions of the past week that the
partner still has to count, and requests to speak at another partner's activity."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select

from saas.catalogue.models import (
    ActivitySession,
    Answer,
    Headcount,
    Offer,
    OfferPartner,
    OrganiserRole,
    SessionStatus,
)
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner
from saas.referrals.models import Referral, Status
from saas.today import SHOWN, Listed

COUNTED_WITHIN = timedelta(days=7)  # this week so far, and the days before it on a Monday
WAITING = (Status.SENT, Status.RECEIVED)  # sent, not yet accepted or declined


@dataclass(frozen=True)
class WaitingReferral:
    referral_id: int
    sender: str
    sent_at: datetime | None
    due_at: datetime | None
    urgent: bool

    @property
    def late(self) -> bool:
        return self.due_at is not None and self.due_at < utcnow()


@dataclass(frozen=True)
class Uncounted:
    session_id: int
    title: str
    starts_at: datetime


@dataclass(frozen=True)
class SpeakerRequest:
    offer_id: int
    title: str
    organiser: str


@dataclass
class PartnerNeeds:
    referrals: Listed
    headcounts: Listed
    speaker_requests: Listed

    @property
    def empty(self) -> bool:
        return not (self.referrals or self.headcounts or self.speaker_requests)


def needs(partner_ids: Collection[int]) -> PartnerNeeds:
    ids = sorted(partner_ids)
    return PartnerNeeds(
        referrals=waiting_referrals(ids),
        headcounts=uncounted_sessions(ids),
        speaker_requests=speaker_requests(ids),
    )


def waiting_referrals(partner_ids: list[int]) -> Listed:
    """Referrals sent to these partners and not answered yet: urgent ones first, then by the
    date the answer is due."""
    sender = select(Partner.name).where(Partner.id == Referral.from_partner_id).scalar_subquery()
    rows = db.session.execute(
        select(
            Referral.id,
            sender,
            Referral.sent_at,
            Referral.response_due_at,
            Referral.urgent,
            func.count().over(),
        )
        .where(Referral.to_partner_id.in_(partner_ids), Referral.status.in_(WAITING))
        .order_by(Referral.urgent.desc(), Referral.response_due_at, Referral.id)
        .limit(SHOWN)
    ).all()
    return Listed(
        [
            WaitingReferral(rid, name or "", sent, due, bool(urgent))
            for rid, name, sent, due, urgent, _n in rows
        ],
        rows[0][5] if rows else 0,
    )


def _counted_by(partner_ids: list[int]):
    """The offers whose headcounts these partners record: their own, those they co-organise
    (and did not decline) or host (`saas.catalogue.permissions`)."""
    takes_part = exists().where(
        OfferPartner.offer_id == Offer.id,
        OfferPartner.partner_id.in_(partner_ids),
        or_(
            and_(
                OfferPartner.role == OrganiserRole.ORGANISER,
                OfferPartner.answer != Answer.DECLINED,
            ),
            OfferPartner.role == OrganiserRole.HOST,
        ),
    )
    return or_(Offer.partner_id.in_(partner_ids), takes_part)


def uncounted_sessions(partner_ids: list[int]) -> Listed:
    """Sessions held in the past seven days (not cancelled) of the partners' published offers
    without a headcount yet, the oldest first."""
    now = utcnow()
    counted = exists().where(Headcount.session_id == ActivitySession.id)
    rows = db.session.execute(
        select(ActivitySession.id, Offer.title, ActivitySession.starts_at, func.count().over())
        .join(Offer, Offer.id == ActivitySession.offer_id)
        .where(
            _counted_by(partner_ids),
            Offer.published_at.is_not(None),
            ActivitySession.status == SessionStatus.SCHEDULED,
            ActivitySession.ends_at <= now,
            ActivitySession.ends_at > now - COUNTED_WITHIN,
            ~counted,
        )
        .order_by(ActivitySession.starts_at, ActivitySession.id)
        .limit(SHOWN)
    ).all()
    return Listed(
        [Uncounted(sid, title, at) for sid, title, at, _n in rows], rows[0][3] if rows else 0
    )


def speaker_requests(partner_ids: list[int]) -> Listed:
    """Activities that asked these partners to speak and wait for an answer."""
    organiser = select(Partner.name).where(Partner.id == Offer.partner_id).scalar_subquery()
    rows = db.session.execute(
        select(Offer.id, Offer.title, organiser, func.count().over())
        .join(OfferPartner, OfferPartner.offer_id == Offer.id)
        .where(
            OfferPartner.partner_id.in_(partner_ids),
            OfferPartner.role == OrganiserRole.SPEAKER,
            OfferPartner.answer == Answer.INVITED,
        )
        .order_by(Offer.start_date, Offer.id)
        .limit(SHOWN)
    ).all()
    return Listed(
        [SpeakerRequest(oid, title, name or "") for oid, title, name, _n in rows],
        rows[0][3] if rows else 0,
    )
