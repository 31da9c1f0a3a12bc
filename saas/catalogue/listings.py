"""The smaller lists of the catalogue's, the families' and the referral pages: a partner's
offers, an offer's sessions, what a form or a flyer can choose from."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select

from saas.catalogue.models import (
    ActivitySession,
    Answer,
    Location,
    Offer,
    OfferPartner,
    OrganiserRole,
)
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner, PartnerState


def offers_of(partner_ids: list[int]) -> list[Offer]:
    """The offers these partners organise, by title."""
    return list(
        db.session.execute(
            select(Offer).where(Offer.partner_id.in_(partner_ids)).order_by(Offer.title)
        ).scalars()
    )


def organiser_links(partner_ids: list[int]) -> list[OfferPartner]:
    """The other partners' offers these partners take part in (co-organiser, host, speaker)."""
    return list(
        db.session.execute(
            select(OfferPartner).where(OfferPartner.partner_id.in_(partner_ids))
        ).scalars()
    )


def open_speaker_invitations(partner_id: int) -> list[OfferPartner]:
    """The offers that asked this partner to speak and wait for its answer."""
    return list(
        db.session.execute(
            select(OfferPartner).where(
                OfferPartner.partner_id == partner_id,
                OfferPartner.role == OrganiserRole.SPEAKER,
                OfferPartner.answer == Answer.INVITED,
            )
        ).scalars()
    )


def offer_sessions(offer_id: int, *, since: datetime, limit: int) -> list[ActivitySession]:
    """An offer's first `limit` sessions starting from `since`, cancelled ones too."""
    return list(
        db.session.execute(
            select(ActivitySession)
            .where(ActivitySession.offer_id == offer_id, ActivitySession.starts_at >= since)
            .order_by(ActivitySession.starts_at)
            .limit(limit)
        ).scalars()
    )


def coming_sessions(offer_id: int, *, limit: int) -> list[ActivitySession]:
    """An offer's next `limit` sessions that have not ended yet."""
    return list(
        db.session.execute(
            select(ActivitySession)
            .where(ActivitySession.offer_id == offer_id, ActivitySession.ends_at >= utcnow())
            .order_by(ActivitySession.starts_at)
            .limit(limit)
        ).scalars()
    )


def published_offers() -> list[Offer]:
    """The offers families can see, by title."""
    return list(
        db.session.execute(
            select(Offer)
            .where(Offer.published_at.is_not(None), Offer.hidden_at.is_(None))
            .order_by(Offer.title)
        ).scalars()
    )


def published_sessions_within(days: int, *, limit: int) -> list[ActivitySession]:
    """The first `limit` sessions of published offers that start within `days` from now."""
    return list(
        db.session.execute(
            select(ActivitySession)
            .join(Offer, Offer.id == ActivitySession.offer_id)
            .where(
                Offer.published_at.is_not(None),
                Offer.hidden_at.is_(None),
                ActivitySession.starts_at > utcnow(),
                ActivitySession.starts_at < utcnow() + timedelta(days=days),
            )
            .order_by(ActivitySession.starts_at)
            .limit(limit)
        ).scalars()
    )


def location(location_id: int) -> Location | None:
    return db.session.execute(
        select(Location).where(Location.id == location_id)
    ).scalar_one_or_none()


def flyer_partners() -> list[Partner]:
    """The active partners a flyer can be made for: those with a published offer, or taking
    part in one."""
    return list(
        db.session.execute(
            select(Partner)
            .where(
                Partner.state == PartnerState.ACTIVE,
                or_(
                    Partner.id.in_(select(Offer.partner_id).where(Offer.published_at.is_not(None))),
                    Partner.id.in_(select(OfferPartner.partner_id)),
                ),
            )
            .order_by(Partner.name)
        ).scalars()
    )
