"""What the social economy delivered: the sessions its partners organise, and the hours its team
was rostered."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import case, exists, func, or_, select

from saas.catalogue.models import Offer, OfferPartner, OfferType
from saas.extensions import db
from saas.insights.figures.blocks import (
    _attendance_query,
    _children,
    _held,
    _held_sessions,
    _language,
)
from saas.insights.period import Period
from saas.insights.suppression import Table, suppress
from saas.partners.models import Partner, Sector
from saas.workforce.models import Assignment
from saas.workforce.rostered import rostered


@dataclass
class SocialEconomy:
    table: Table
    sessions_staffed: int
    activity_hours: float
    salons: int
    roster_hours: float | None = None  # hours the team was rostered on sessions held (published)
    orange_hours: float | None = None  # of which in orange (occasionally possible) time
    notes: list[str] = field(default_factory=list)


def _roster_minutes(period: Period) -> tuple[int | None, int]:
    """Minutes rostered (and of those, orange) on sessions held, from the assignments that count
    (`rostered`: published rosters, not the days a newer roster took over)."""
    row = db.session.execute(
        rostered(
            select(
                func.count(Assignment.id),
                func.coalesce(func.sum(Assignment.minutes), 0),
                func.coalesce(func.sum(case((Assignment.orange, Assignment.minutes), else_=0)), 0),
            ).select_from(Assignment)
        ).where(_held(period))
    ).one()
    if not row[0]:
        return None, 0
    return int(row[1]), int(row[2])


def social_economy_figures(period: Period) -> SocialEconomy:
    """What the social economy delivered: sessions of activities its partners organise, and the
    hours its team was rostered on sessions held in the period.

    The catalogue gives the sessions held of offers owned or co-organised by a partner of the
    social-economy sector (salons included), their length and attendance. Published rosters give
    `roster_hours` and `orange_hours` as team totals: never per worker, never a worker's name.
    Both stay None when no published roster covers a session of the period.
    """
    se_partner = select(Partner.id).where(Partner.sector == Sector.SOCIAL_ECONOMY)
    se_offer = or_(
        Offer.partner_id.in_(se_partner),
        exists().where(OfferPartner.offer_id == Offer.id, OfferPartner.partner_id.in_(se_partner)),
    )
    held = _held_sessions(period)
    rows = db.session.execute(
        _attendance_query(
            held,
            OfferType.id,
            OfferType.name_nl,
            OfferType.name_en,
            OfferType.is_salon,
            func.coalesce(func.sum(held.c.hours), 0.0).label("hours"),
        )
        .join(OfferType, OfferType.id == Offer.type_id)
        .where(se_offer)
        .group_by(OfferType.id, OfferType.name_nl, OfferType.name_en, OfferType.is_salon)
        .order_by(OfferType.id)
    ).all()
    language = _language()
    table = suppress(
        Table(
            key="social_economy",
            title=_("Activities of the social economy, by type"),
            row_labels=[r.name_nl if language == "nl" else r.name_en for r in rows],
            col_labels=[
                _("Sessions held"),
                _("Hours of activity"),
                _("Adults"),
                _("Children"),
                _("First-time families"),
            ],
            values=[
                [
                    r.sessions,
                    round(float(r.hours), 1),
                    r.adults,
                    _children(r),
                    r.first_time_families,
                ]
                for r in rows
            ],
            sensitive_cols={2, 3, 4},
            total_label=_("Total"),
        )
    )
    rostered, orange = _roster_minutes(period)
    return SocialEconomy(
        table=table,
        roster_hours=None if rostered is None else round(rostered / 60, 1),
        orange_hours=None if rostered is None else round(orange / 60, 1),
        sessions_staffed=sum(r.sessions for r in rows),
        activity_hours=round(sum(float(r.hours) for r in rows), 1),
        salons=sum(r.sessions for r in rows if r.is_salon),
    )
