"""The vocabulary of the features, the weights of the score (see `saas.matching.scoring`), and
what a question and an offer are made of for matching."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from saas.catalogue.models import AGE_BANDS
from saas.catalogue.schedule import WEEKDAYS, Rule, ScheduleError

BANDS = [(code, low, high) for code, low, high, _label in AGE_BANDS]
BAND_CODES = [code for code, _low, _high in BANDS]
TIMES = ["morning", "afternoon", "evening"]

W_AGE = 250
W_THEMES = 250
W_LANGUAGE = 150
W_NEIGHBOURHOOD = 100
W_DAY = 60
W_TIME = 40
W_FREE = 50
W_REDUCED = 25
W_SEATS = 60
W_SEATS_UNKNOWN = 30
FULL_PENALTY = -200
W_SOON = 40
# The fit (age + themes, at most 500) comes before anything else: it is counted in thousands,
# and the rest (between -200 and 500) can never make up one point of fit.
FIT = 1000
SCALE = 1_000_000


def _words(values: Iterable[str]) -> list[str]:
    return [v for v in values if v]


def norm_theme(theme: str) -> str:
    return " ".join(theme.strip().lower().split())


def norm_place(name: str) -> str:
    return " ".join((name or "").strip().casefold().split())


def time_of_day(hour: int) -> str:
    return "morning" if hour < 12 else "afternoon" if hour < 17 else "evening"


def bands_covered(age_min_months: int, age_max_months: int) -> frozenset[str]:
    """The age bands an offer's range touches (the catalogue's rule: max is inclusive)."""
    return frozenset(
        code for code, low, high in BANDS if age_min_months < high and age_max_months >= low
    )


def age_overlap(asked: Iterable[str], age_min_months: int, age_max_months: int) -> tuple[int, int]:
    """The months the asked age bands and the offer's range (max inclusive) share, and the
    months they cover together: how closely the offer is meant for these children."""
    months = max(0, age_max_months + 1 - age_min_months)
    shared = asked_months = 0
    for code, low, high in BANDS:
        if code in asked:
            asked_months += high - low
            shared += max(0, min(high, age_max_months + 1) - max(low, age_min_months))
    return shared, asked_months + months - shared


def weekdays_of(rrule: str, start_date: date | None) -> frozenset[str]:
    """The weekdays an offer runs on: its rule's BYDAY, every day when daily, else the start."""
    if not rrule:
        return frozenset({WEEKDAYS[start_date.weekday()]}) if start_date else frozenset()
    try:
        return Rule.parse(rrule).weekdays(start_date)
    except ScheduleError:
        return frozenset()


@dataclass(frozen=True)
class Question:
    """What the family asks for (already normalised: build it with `Question.of`)."""

    age_bands: frozenset[str] = frozenset()
    themes: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    neighbourhood: str = ""
    days: frozenset[str] = frozenset()
    times: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        *,
        age_bands: Iterable[str] = (),
        themes: Iterable[str] = (),
        languages: Iterable[str] = (),
        neighbourhood: str = "",
        days: Iterable[str] = (),
        times: Iterable[str] = (),
    ) -> Question:
        return cls(
            age_bands=frozenset(b for b in age_bands if b in BAND_CODES),
            themes=frozenset(_words(norm_theme(t) for t in themes)),
            languages=frozenset(_words(x.strip().lower() for x in languages)),
            neighbourhood=norm_place(neighbourhood),
            days=frozenset(d.strip().upper() for d in days if d.strip().upper() in WEEKDAYS),
            times=frozenset(t for t in times if t in TIMES),
        )


@dataclass(frozen=True)
class OfferFeatures:
    """What matters about an offer for matching (build it with `OfferFeatures.of`)."""

    id: int
    age_min_months: int = 0
    age_max_months: int = 216
    themes: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    neighbourhood: str = ""
    days: frozenset[str] = frozenset()
    start_hour: int = 9
    cost_kind: str = "free"
    capacity: int | None = None  # None: unlimited
    sessions_soon: int = 0  # sessions in the next four weeks
    seats_left: int | None = None  # at the first of them with room (0: all full)
    next_session_id: int | None = None
    partner_id: int | None = field(default=None, compare=False)

    @classmethod
    def of(
        cls,
        *,
        id: int,
        age_min_months: int = 0,
        age_max_months: int = 216,
        themes: Iterable[str] = (),
        languages: Iterable[str] = (),
        neighbourhood: str = "",
        days: Iterable[str] = (),
        start_hour: int = 9,
        cost_kind: str = "free",
        capacity: int | None = None,
        sessions_soon: int = 0,
        seats_left: int | None = None,
        next_session_id: int | None = None,
        partner_id: int | None = None,
    ) -> OfferFeatures:
        capacity = capacity if capacity is not None and capacity > 0 else None
        if capacity is None or sessions_soon <= 0:
            seats_left = None
        else:
            seats_left = max(0, min(capacity, seats_left if seats_left is not None else capacity))
        return cls(
            id=id,
            age_min_months=age_min_months,
            age_max_months=age_max_months,
            themes=frozenset(_words(norm_theme(t) for t in themes)),
            languages=frozenset(_words(x.strip().lower() for x in languages)),
            neighbourhood=norm_place(neighbourhood),
            days=frozenset(d for d in days if d in WEEKDAYS),
            start_hour=start_hour,
            cost_kind=cost_kind,
            capacity=capacity,
            sessions_soon=max(0, sessions_soon),
            seats_left=seats_left,
            next_session_id=next_session_id,
            partner_id=partner_id,
        )
