"""What waits for the network steward: partners and people who have not joined yet, referrals
past their response target (a count only, through the suppression rule: never a family or a
partner's referral), the catalogue's gaps and thematic salons without a confirmed speaker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, select

from saas.catalogue.models import (
    ActivitySession,
    Answer,
    Offer,
    OfferPartner,
    OfferType,
    OrganiserRole,
    SessionStatus,
)
from saas.catalogue.queries import coverage
from saas.extensions import db
from saas.insights.suppression import Cell, suppressed_count
from saas.models_base import utcnow
from saas.partners.models import Partner, PartnerState
from saas.referrals.overview import count_open_past_target
from saas.today import SHOWN, Listed
from tenants.models import Invitation, Role

SALONS_AHEAD = timedelta(weeks=6)  # a speaker is found weeks ahead, not the day before


@dataclass(frozen=True)
class InvitedPartner:
    partner_id: int
    name: str
    expires_at: datetime | None  # the newest invitation still standing; None: none at all

    @property
    def expired(self) -> bool:
        return self.expires_at is None or self.expires_at <= utcnow()


@dataclass(frozen=True)
class StaffInvitation:
    email: str
    role: Role
    expires_at: datetime


@dataclass(frozen=True)
class SalonWithoutSpeaker:
    offer_id: int
    title: str
    next_session: datetime
    asked: bool  # a speaker has been asked and has not answered yet


@dataclass
class StewardNeeds:
    invited_partners: Listed
    staff_invitations: Listed
    late_referrals: Cell  # suppressed: 1 to 4 shows as "< 5"
    gaps: int  # action line × age band cells without an offer
    salons: Listed

    @property
    def empty(self) -> bool:
        return not (
            self.invited_partners
            or self.staff_invitations
            or self.late_referrals.value
            or self.gaps
            or self.salons
        )


def needs() -> StewardNeeds:
    return StewardNeeds(
        invited_partners=invited_partners(),
        staff_invitations=staff_invitations(),
        late_referrals=suppressed_count(count_open_past_target()),
        gaps=sum(1 for bands in coverage().values() for n in bands.values() if n == 0),
        salons=salons_without_speaker(),
    )


def invited_partners() -> Listed:
    """Partners invited that have not joined yet, with their newest standing invitation (an
    expired one is to be sent again), the longest waiting first."""
    standing = and_(
        Invitation.partner_id == Partner.id,
        Invitation.role == Role.PARTNER_ADMIN,
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
    )
    rows = db.session.execute(
        select(Partner.id, Partner.name, func.max(Invitation.expires_at), func.count().over())
        .outerjoin(Invitation, standing)
        .where(Partner.state == PartnerState.INVITED)
        # with the network: PostgreSQL's key is (network_id, id), which is what lets the query
        # order by the partner's other columns
        .group_by(Partner.network_id, Partner.id, Partner.name)
        .order_by(Partner.created_at, Partner.id)
        .limit(SHOWN)
    ).all()
    return Listed(
        [InvitedPartner(pid, name, expires) for pid, name, expires, _total in rows],
        rows[0][3] if rows else 0,
    )


def staff_invitations() -> Listed:
    """Invitations to a network role (steward, social economy, municipality) still open, the
    first to expire first."""
    rows = db.session.execute(
        select(Invitation.email, Invitation.role, Invitation.expires_at, func.count().over())
        .where(
            Invitation.partner_id.is_(None),
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
        .order_by(Invitation.expires_at, Invitation.id)
        .limit(SHOWN)
    ).all()
    return Listed(
        [StaffInvitation(email, Role(role), at) for email, role, at, _n in rows],
        rows[0][3] if rows else 0,
    )


def salons_without_speaker() -> Listed:
    """Published thematic salons with a session in the coming weeks and no speaker who has
    confirmed, the soonest first."""
    now = utcnow()
    confirmed = exists().where(
        OfferPartner.offer_id == Offer.id,
        OfferPartner.role == OrganiserRole.SPEAKER,
        OfferPartner.answer == Answer.CONFIRMED,
    )
    asked = exists().where(
        OfferPartner.offer_id == Offer.id,
        OfferPartner.role == OrganiserRole.SPEAKER,
        OfferPartner.answer == Answer.INVITED,
    )
    first = func.min(ActivitySession.starts_at)
    rows = db.session.execute(
        select(Offer.id, Offer.title, first, asked.label("asked"), func.count().over())
        .join(OfferType, OfferType.id == Offer.type_id)
        .join(ActivitySession, ActivitySession.offer_id == Offer.id)
        .where(
            OfferType.is_salon.is_(True),
            OfferType.is_thematic.is_(True),
            Offer.published_at.is_not(None),
            Offer.hidden_at.is_(None),
            ActivitySession.status == SessionStatus.SCHEDULED,
            ActivitySession.starts_at >= now,
            ActivitySession.starts_at < now + SALONS_AHEAD,
            ~confirmed,
        )
        .group_by(Offer.network_id, Offer.id, Offer.title)
        .order_by(first, Offer.id)
        .limit(SHOWN)
    ).all()
    return Listed(
        [
            SalonWithoutSpeaker(oid, title, at, bool(was_asked))
            for oid, title, at, was_asked, _n in rows
        ],
        rows[0][4] if rows else 0,
    )
