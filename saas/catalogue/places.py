"""The steward's places, closure periods and types of activity: where activities happen, when the
network rests, and what kinds of activity there are."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import exists, select

from saas.audit.services import record
from saas.catalogue.models import ActivitySession, Closure, ClosureKind, Location, Offer, OfferType
from saas.catalogue.services import sync_sessions
from saas.extensions import db
from saas.models_base import utcnow


class PlaceError(ValueError):
    """A place, period or type the steward cannot add or remove: `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def places() -> list[Location]:
    return list(
        db.session.execute(
            select(Location).order_by(Location.neighbourhood, Location.name)
        ).scalars()
    )


def closures() -> list[Closure]:
    return list(db.session.execute(select(Closure).order_by(Closure.starts_on)).scalars())


def add_place(*, name: str, address: str, neighbourhood: str, accessibility: str) -> Location:
    name = name.strip()
    if db.session.execute(select(Location.id).where(Location.name == name)).first():
        raise PlaceError(_("There is already a place with this name."), "name")
    place = Location(
        name=name,
        address=address.strip(),
        neighbourhood=neighbourhood.strip(),
        accessibility=accessibility.strip(),
    )
    db.session.add(place)
    db.session.flush()
    record("location.created", place)
    return place


def place_in_use(place: Location) -> bool:
    return bool(
        db.session.execute(
            select(
                exists().where(Offer.location_id == place.id)
                | exists().where(ActivitySession.location_id == place.id)
            )
        ).scalar()
    )


def delete_place(place: Location) -> None:
    """Remove a place no activity or session uses."""
    if place_in_use(place):
        raise PlaceError(_("This place is used by activities: change them first."))
    record("location.deleted", place)
    db.session.delete(place)


def add_closure(*, kind: ClosureKind, label: str, starts_on: date, ends_on: date) -> Closure:
    """A period the network rests: the offers' coming sessions in it leave the schedule."""
    if ends_on < starts_on:
        raise PlaceError(_("The last day must not be before the first day."), "ends_on")
    closure = Closure(kind=kind, label=label.strip(), starts_on=starts_on, ends_on=ends_on)
    db.session.add(closure)
    db.session.flush()
    record("closure.created", closure)
    _resync_all(closure)
    return closure


def delete_closure(closure: Closure) -> None:
    """The period is open again: the offers' coming sessions in it come back."""
    record("closure.deleted", closure)
    db.session.delete(closure)
    db.session.flush()
    _resync_all(closure)


def _resync_all(closure: Closure) -> None:
    """Every offer's sessions follow the new periods; an offer that skips this kind of period has
    a new schedule text (its skipped days), so its open data changed now too."""
    skips = "skip_closures" if closure.kind == ClosureKind.CLOSURE else "skip_school_holidays"
    now = utcnow()
    for offer in db.session.execute(select(Offer)).scalars():
        if getattr(offer, skips):
            offer.changed_at = now
        sync_sessions(offer)


def add_offer_type(*, name_nl: str, name_en: str, is_salon: bool, is_thematic: bool) -> OfferType:
    """A new type of activity, after the others; its code comes from the Dutch name."""
    code = re.sub(r"[^a-z0-9]+", "_", name_nl.strip().lower()).strip("_")[:40] or "type"
    if db.session.execute(select(OfferType.id).where(OfferType.code == code)).first():
        raise PlaceError(_("This type already exists."), "name_nl")
    last = (
        db.session.execute(select(OfferType.sort).order_by(OfferType.sort.desc())).scalars().first()
        or 0
    )
    kind = OfferType(
        code=code,
        name_nl=name_nl.strip(),
        name_en=name_en.strip(),
        is_salon=is_salon,
        is_thematic=is_thematic,
        sort=last + 1,
    )
    db.session.add(kind)
    db.session.flush()
    record("offer_type.created", kind)
    return kind
