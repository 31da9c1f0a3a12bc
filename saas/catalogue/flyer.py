"""The flyer for the schoolbag: what a family chose on the families' page, on one sheet of paper.

A week reads day by day; a month reads activity by activity, each with its dates, so that a
busy month still fits on an A4 page. The choices are the families' page's own (age, day,
neighbourhood, the language an activity is held in, the partner), plus a place; a value the
network does not know is left out and said so, never an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from saas.catalogue import listings, queries, services
from saas.catalogue.models import ActivitySession, Location, Offer
from saas.catalogue.schedule import to_local
from saas.partners import queries as partner_queries
from saas.partners.models import LANGUAGE_NAMES, Partner

PERIODS = ("week", "month")
MAX_YEARS_AWAY = 5  # a flyer is about now: a date further away than this is today


@dataclass
class FlyerChoices:
    """What the flyer shows, read from a query string; `dropped` names what was not understood."""

    period: str
    start: date
    end: date  # the first day after the period
    filters: queries.Filters
    location: Location | None = None
    partner: Partner | None = None
    dropped: list[str] = field(default_factory=list)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def page_args(self) -> dict[str, str | int]:
        """The families' page's query for the same choices (the QR code's link)."""
        f = self.filters
        args: dict[str, str | int] = {}
        if f.age_months is not None:
            args["age"] = f.age_months // 12
        if f.weekday is not None:
            args["day"] = f.weekday
        if f.neighbourhood:
            args["neighbourhood"] = f.neighbourhood
        if f.language:
            args["language"] = f.language
        if self.partner is not None:
            args["partner"] = self.partner.id
        return args

    def flyer_args(self) -> dict[str, str | int]:
        """The flyer's own query for the same choices (another period, another week)."""
        args = {**self.page_args(), "period": self.period, "from": self.start.isoformat()}
        if self.location is not None:
            args["location"] = self.location.id
        return args


def _number(args: Mapping, name: str, low: int, high: int) -> int | None:
    try:
        value = int(args.get(name, ""))
    except ValueError:
        return None
    return value if low <= value <= high else None


def _given(args: Mapping, name: str) -> bool:
    return bool((args.get(name) or "").strip())


def _day(args: Mapping, today: date) -> date:
    try:
        day = date.fromisoformat(args.get("from", ""))
    except ValueError:
        return today
    return day if abs((day - today).days) <= MAX_YEARS_AWAY * 366 else today


def read_choices(args: Mapping, today: date) -> FlyerChoices:
    """The flyer's choices from a query string: every value checked against what the network
    knows (its neighbourhoods, places and partners, the spoken languages); what is not known is
    left out and named in `dropped` (the argument's name, never its value)."""
    dropped: list[str] = []
    period = args.get("period") or "week"
    if period not in PERIODS:
        dropped.append("period")
        period = "week"
    start = _day(args, today)
    if _given(args, "from") and start == today and args.get("from") != today.isoformat():
        dropped.append("from")
    if period == "month":
        start = start.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
    else:
        start = queries.week_start(start)
        end = start + timedelta(days=7)

    age = _number(args, "age", 0, 18)
    weekday = _number(args, "day", 0, 6)
    neighbourhood = (args.get("neighbourhood") or "").strip()
    if neighbourhood and neighbourhood not in services.neighbourhoods():
        neighbourhood = ""
        dropped.append("neighbourhood")
    language = (args.get("language") or "").strip()
    if language and language not in LANGUAGE_NAMES:
        language = ""
        dropped.append("language")
    location_id = _number(args, "location", 1, 2**31 - 1)
    location = listings.location(location_id) if location_id else None
    partner_id = _number(args, "partner", 1, 2**31 - 1)
    partner = partner_queries.active_partner(partner_id) if partner_id else None
    for name, value, read in (
        ("age", args.get("age"), age),
        ("day", args.get("day"), weekday),
        ("location", args.get("location"), location),
        ("partner", args.get("partner"), partner),
    ):
        if (value or "").strip() and read is None:
            dropped.append(name)
    filters = queries.Filters(
        age_months=age * 12 if age is not None else None,
        weekday=weekday,
        neighbourhood=neighbourhood,
        language=language,
    )
    return FlyerChoices(period, start, end, filters, location, partner, dropped)


def sessions(choices: FlyerChoices) -> list[ActivitySession]:
    return queries.sessions_between(
        choices.start,
        choices.end,
        choices.filters,
        location_id=choices.location.id if choices.location else None,
        partner_id=choices.partner.id if choices.partner else None,
    )


def by_day(found: list[ActivitySession]) -> list[tuple[date, list[ActivitySession]]]:
    days: dict[date, list[ActivitySession]] = {}
    for s in found:
        days.setdefault(to_local(s.starts_at).date(), []).append(s)
    return sorted(days.items())


@dataclass
class Repeated:
    """One activity at one time and place, with its dates in the period (a month's card)."""

    offer: Offer
    place: Location
    starts: time
    ends: time
    sessions: list[ActivitySession]

    @property
    def first(self) -> ActivitySession:
        return self.sessions[0]


def by_activity(found: list[ActivitySession]) -> list[Repeated]:
    """Sessions of the same activity at the same time and place as one card, in order of their
    first date."""
    cards: dict[tuple, Repeated] = {}
    for s in found:
        starts, ends = to_local(s.starts_at).time(), to_local(s.ends_at).time()
        key = (s.offer_id, s.place.id, starts, ends)
        if key not in cards:
            cards[key] = Repeated(s.offer, s.place, starts, ends, [])
        cards[key].sessions.append(s)
    return list(cards.values())
