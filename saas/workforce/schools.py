"""Schools the team works for: the partners the coordinator can give a fixed contact, and the
profile each school wishes for (`contacts` ranks the workers against it). Changes flush; the
request commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlalchemy import select

from saas.extensions import db
from saas.partners.models import Partner, PartnerState, Sector
from saas.workforce.models import FixedContact, SchoolWish


def school(partner_id: int) -> Partner | None:
    """A partner of the network the team can work for: any partner that is not suspended."""
    return db.session.execute(
        select(Partner).where(Partner.id == partner_id, Partner.state != PartnerState.SUSPENDED)
    ).scalar_one_or_none()


def overview() -> dict:
    """The schools (and any other partner with a wish), with their wishes and fixed contacts."""
    wishes = {w.partner_id: w for w in db.session.execute(select(SchoolWish)).scalars()}
    contacts = {c.partner_id: c for c in db.session.execute(select(FixedContact)).scalars()}
    partners = [
        p
        for p in db.session.execute(
            select(Partner).where(Partner.state != PartnerState.SUSPENDED).order_by(Partner.name)
        ).scalars()
        if p.sector == Sector.EDUCATION or p.id in wishes
    ]
    return {"partners": partners, "wishes": wishes, "contacts": contacts}


def wish_for(partner_id: int) -> SchoolWish | None:
    return db.session.execute(
        select(SchoolWish).where(SchoolWish.partner_id == partner_id)
    ).scalar_one_or_none()


@dataclass(frozen=True)
class WishData:
    """The kind of person a school wishes for, and when."""

    tasks: list[str]
    languages: list[str]
    profile: str
    neighbourhood: str
    weekdays: list[str]
    start_time: time
    end_time: time
    hours_per_week: int


def save_wish(partner: Partner, wish: SchoolWish | None, data: WishData) -> SchoolWish:
    """Set the school's wished profile (`wish`, its current one, or a new one when None)."""
    if wish is None:
        wish = SchoolWish(partner_id=partner.id)
        db.session.add(wish)
    wish.tasks = ",".join(data.tasks)
    wish.languages = ",".join(data.languages)
    wish.profile = data.profile
    wish.neighbourhood = data.neighbourhood.strip()
    wish.weekdays = ",".join(sorted(data.weekdays))
    wish.start_time, wish.end_time = data.start_time, data.end_time
    wish.hours_per_week = data.hours_per_week
    db.session.flush()
    return wish
