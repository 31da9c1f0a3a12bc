"""A worker's own roster as an iCalendar feed (RFC 5545, Europe/Brussels with a VTIMEZONE).

Calendar apps cannot log in, so the feed URL carries the worker's own secret token, which the
worker can replace (revoking the old URL). It holds the worker's sessions only: activity, place,
time; never a family, never a colleague's name.
"""

from __future__ import annotations

from datetime import date, timedelta

from icalendar import Calendar, Event

from saas.catalogue.schedule import TZ
from saas.workforce.assignments import my_assignments
from saas.workforce.models import WorkerProfile

PAST = timedelta(days=30)
AHEAD = timedelta(days=120)  # as the catalogue's feeds


def build(network, worker: WorkerProfile, today: date, name: str) -> bytes:
    assignments = my_assignments(worker, today - PAST, today + AHEAD)
    cal = Calendar()
    cal.add("prodid", "-//Dorp//Huis van het Kind//NL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Brussels")
    for a in assignments:
        session = a.session
        place = session.place
        event = Event()
        event.add("uid", f"shift-{a.id}@{network.slug}.dorp")
        event.add("dtstamp", a.created_at)
        event.add("dtstart", session.starts_at.astimezone(TZ))
        event.add("dtend", session.ends_at.astimezone(TZ))
        event.add("summary", session.offer.title)
        event.add("location", f"{place.name}, {place.address}")
        event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
        cal.add_component(event)
    if assignments:
        first = assignments[0].session.starts_at.date() - timedelta(days=1)
        last = max(a.session.ends_at for a in assignments).date() + timedelta(days=1)
        cal.add_missing_timezones(first_date=first, last_date=last)
    return cal.to_ical()
