"""The social economy's parent salons (oudersalons): its salon offers and their coming sessions."""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from saas.catalogue.models import ActivitySession, Offer, OfferType
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner, Sector

AHEAD = timedelta(days=21)


class Salons(NamedTuple):
    offers: list[Offer]
    upcoming: list[ActivitySession]


def coming_salons() -> Salons:
    """The salons social-economy partners offer, by title, and their sessions of the next weeks."""
    offers = list(
        db.session.execute(
            select(Offer)
            .join(OfferType, OfferType.id == Offer.type_id)
            .join(Partner, Partner.id == Offer.partner_id)
            .where(OfferType.is_salon.is_(True), Partner.sector == Sector.SOCIAL_ECONOMY)
            .options(
                selectinload(Offer.organisers),
                selectinload(Offer.location),
                selectinload(Offer.type),
            )
            .order_by(Offer.title)
        ).scalars()
    )
    now = utcnow()
    upcoming = list(
        db.session.execute(
            select(ActivitySession)
            .where(
                ActivitySession.offer_id.in_([o.id for o in offers]),
                ActivitySession.starts_at >= now,
                ActivitySession.starts_at < now + AHEAD,
            )
            .order_by(ActivitySession.starts_at)
        ).scalars()
    )
    return Salons(offers, upcoming)
