"""What the referral form may offer: only what `services.create` will accept.

Another active partner than the one referring; that partner's published activities (its own
and those it co-organises); the coming sessions of the chosen activity that still have room.
A referral started from another one (a suggestion on its page) starts with the family's data
already written there.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from sqlalchemy import or_, select

from saas.audit.services import record
from saas.bounds import MAX_INT
from saas.catalogue.models import (
    ActivitySession,
    Answer,
    Offer,
    OfferPartner,
    SessionStatus,
)
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner
from saas.partners.queries import active_partner, active_partners
from saas.referrals.models import Referral
from saas.referrals.services import FamilyData, open_as, seats_held

SESSION_DAYS = 21  # the sessions a referral can name: those of the next three weeks
MAX_SESSIONS = 30


def target_partners(from_partner_id: int | None) -> list[Partner]:
    """The partners a family can be referred to: every active one but the referring partner."""
    return active_partners(excluding=from_partner_id)


def offers_of(partner_id: int | None) -> list[Offer]:
    """The published activities a family can be referred to at this partner, by title: the ones
    it organises and the ones it co-organises (an organiser who did not decline)."""
    if not partner_id or not 0 < partner_id <= MAX_INT or active_partner(partner_id) is None:
        return []
    co_organised = select(OfferPartner.offer_id).where(
        OfferPartner.partner_id == partner_id, OfferPartner.answer != Answer.DECLINED
    )
    return list(
        db.session.execute(
            select(Offer)
            .where(
                Offer.published_at.is_not(None),
                Offer.hidden_at.is_(None),
                or_(Offer.partner_id == partner_id, Offer.id.in_(co_organised)),
            )
            .order_by(Offer.title, Offer.id)
        ).scalars()
    )


def sessions_of(offer: Offer | None) -> list[ActivitySession]:
    """The activity's sessions of the next three weeks that a referral may still hold a place
    in: scheduled, not started, not full."""
    if offer is None:
        return []
    now = utcnow()
    coming = db.session.execute(
        select(ActivitySession)
        .where(
            ActivitySession.offer_id == offer.id,
            ActivitySession.status == SessionStatus.SCHEDULED,
            ActivitySession.starts_at > now,
            ActivitySession.starts_at < now + timedelta(days=SESSION_DAYS),
        )
        .order_by(ActivitySession.starts_at, ActivitySession.id)
        .limit(MAX_SESSIONS)
    ).scalars()
    if offer.capacity is None:
        return list(coming)
    return [s for s in coming if seats_held(s.id) < offer.capacity]


def offer_in(offers: Collection[Offer], offer_id: int | None) -> Offer | None:
    return next((o for o in offers if o.id == offer_id), None)


def family_from(
    referral_id: int | None, partner_ids: Collection[int]
) -> tuple[int, FamilyData] | None:
    """The family's data as written on a referral these partners' people may open (the partner
    they act for on it, and the data), to start another referral with; None otherwise or when
    the data has been removed."""
    opened = open_as(referral_id, partner_ids) if referral_id else None
    if opened is None or opened.referral.anonymised_at is not None:
        return None
    r: Referral = opened.referral
    record("referral.viewed", r, copied=True)  # the family's data is read into a new form
    return opened.partner_id, FamilyData(
        family_label=r.family_label,
        question=r.question,
        contact_way=r.contact_way,
        contact_value=r.contact_value,
        age_bands=r.list_of("age_bands"),
        languages=r.list_of("languages"),
        neighbourhood=r.neighbourhood,
        themes=r.list_of("themes"),
        preferred_days=r.list_of("preferred_days"),
        preferred_times=r.list_of("preferred_times"),
        urgent=r.urgent,
    )
