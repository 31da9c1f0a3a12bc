"""iCalendar feeds (RFC 5545): one VEVENT per session, times in Europe/Brussels with a VTIMEZONE."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from saas.catalogue.models import ActivitySession, Offer, OfferPartner, SessionStatus
from saas.catalogue.schedule import TZ
from saas.extensions import db
from saas.models_base import utcnow
from saas.urls import absolute_url

PAST = timedelta(days=30)
AHEAD = timedelta(days=120)


def feed_sessions(
    *, offer_id: int | None = None, partner_id: int | None = None
) -> list[ActivitySession]:
    now = utcnow()
    query = (
        select(ActivitySession)
        .join(Offer, Offer.id == ActivitySession.offer_id)
        .where(
            Offer.published_at.is_not(None),
            Offer.hidden_at.is_(None),
            ActivitySession.starts_at >= now - PAST,
            ActivitySession.starts_at < now + AHEAD,
        )
        .options(
            selectinload(ActivitySession.offer).selectinload(Offer.location),
            selectinload(ActivitySession.offer).selectinload(Offer.partner),
            selectinload(ActivitySession.moved_location),
        )
        .order_by(ActivitySession.starts_at)
    )
    if offer_id is not None:
        query = query.where(Offer.id == offer_id)
    if partner_id is not None:
        co = select(OfferPartner.offer_id).where(OfferPartner.partner_id == partner_id)
        query = query.where(or_(Offer.partner_id == partner_id, Offer.id.in_(co)))
    return list(db.session.execute(query).scalars())


def build(
    network, sessions: list[ActivitySession], language: str, name: str | None = None
) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Dorp//Huis van het Kind//NL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name or network.name)
    cal.add("x-wr-timezone", "Europe/Brussels")
    for session in sessions:
        offer = session.offer
        title, description = offer.text(language)
        place = session.place
        event = Event()
        event.add("uid", f"session-{session.id}@{network.slug}.dorp")
        event.add("dtstamp", session.created_at)
        event.add("dtstart", session.starts_at.astimezone(TZ))
        event.add("dtend", session.ends_at.astimezone(TZ))
        event.add("summary", title)
        event.add("description", f"{description}\n\n{offer.partner.name}".strip())
        event.add("location", f"{place.name}, {place.address}")
        event.add("url", absolute_url("public.activity", slug=network.slug, offer_id=offer.id))
        event.add(
            "status", "CANCELLED" if session.status == SessionStatus.CANCELLED else "CONFIRMED"
        )
        if offer.updated_at:
            event.add("last-modified", offer.updated_at)
        cal.add_component(event)
    if sessions:  # a VTIMEZONE covering just the feed's dates keeps the file small
        first = sessions[0].starts_at.date() - timedelta(days=1)
        last = max(s.ends_at for s in sessions).date() + timedelta(days=1)
        cal.add_missing_timezones(first_date=first, last_date=last)
    return cal.to_ical()
