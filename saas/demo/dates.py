"""The demo's calendar: Flemish school holidays, and the data's dates relative to today.

The data files never hold a calendar date: they say "three weeks from now, on a school
Thursday" or "the second Monday of the last summer holidays", and `span` turns that into dates
around the day of seeding, so the demo always shows a year of history and the weeks ahead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from dateutil.easter import easter

from saas.catalogue import services
from saas.catalogue.schedule import is_public_holiday

SCHOOL_YEAR_END = (6, 30)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # the data's day codes, as in RRULE


# ---------------------------------------------------------------------------------------------
# The Flemish school calendar (Besluit van de Vlaamse Regering van 17 april 1991, still in force
# in Flanders: the two-week autumn and spring breaks of the 2022 reform are the French
# Community's, not Flanders')


def school_year_of(day: date) -> int:
    """The year in which the school year holding `day` began (1 September)."""
    return day.year if day.month >= 9 else day.year - 1


def _monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def flemish_school_holidays(year: int) -> list[tuple[str, str, date, date]]:
    """(code, label, first day, last day) of the school year that begins in September `year`."""
    nov1 = date(year, 11, 1)
    autumn = nov1 + timedelta(days=1) if nov1.weekday() == 6 else _monday_of(nov1)
    christmas_day = date(year, 12, 25)
    christmas = (
        _monday_of(christmas_day) + timedelta(weeks=1)
        if christmas_day.weekday() >= 5
        else _monday_of(christmas_day)
    )
    easter_day = easter(year + 1)
    carnival = easter_day - timedelta(days=48)  # the seventh Monday before Easter
    if easter_day.month == 3:
        spring = easter_day + timedelta(days=1)  # Easter in March: from Easter Monday
    elif easter_day > date(year + 1, 4, 15):
        spring = easter_day - timedelta(days=13)  # late Easter: the second Monday before it
    else:
        april1 = date(year + 1, 4, 1)
        spring = april1 + timedelta(days=(7 - april1.weekday()) % 7)  # first Monday of April
    return [
        ("herfst", f"Herfstvakantie {year}", autumn, autumn + timedelta(days=6)),
        (
            "kerst",
            f"Kerstvakantie {year}-{year + 1}",
            christmas,
            christmas + timedelta(days=13),
        ),
        ("krokus", f"Krokusvakantie {year + 1}", carnival, carnival + timedelta(days=6)),
        ("paas", f"Paasvakantie {year + 1}", spring, spring + timedelta(days=13)),
        ("zomer", f"Zomervakantie {year + 1}", date(year + 1, 7, 1), date(year + 1, 8, 31)),
    ]


def bridge_day_after_ascension(year: int) -> date:
    """The Friday after Ascension Day of the calendar year `year`."""
    return easter(year) + timedelta(days=40)


def _bridge_days_between(first: date, last: date) -> tuple[date, ...]:
    days = map(bridge_day_after_ascension, range(first.year, last.year + 1))
    return tuple(day for day in days if first <= day <= last)


def bridge_days(cal: Calendar) -> list[tuple[str, date, None]]:
    """The bridge days after Ascension Day within the calendar's span, as closure days."""
    return [
        ("Brugdag na O.L.H. Hemelvaart", day, None)
        for day in _bridge_days_between(cal.first, cal.last)
    ]


@dataclass(frozen=True)
class Calendar:
    today: date
    first: date  # offers start here: about a year ago
    last: date  # and run until this 30 June, well past the sessions' horizon
    holidays: tuple[tuple[str, str, date, date], ...]
    closures: tuple[date, ...] = ()  # closure days: the bridge days, then the team's own

    @classmethod
    def around(cls, today: date) -> Calendar:
        first = today - timedelta(weeks=52)
        horizon = today + services.HORIZON
        last_year = school_year_of(horizon) + 1
        last = date(last_year, *SCHOOL_YEAR_END)
        holidays = tuple(
            period
            for year in range(school_year_of(first), last_year)
            for period in flemish_school_holidays(year)
        )
        bridges = _bridge_days_between(first, last)
        return cls(today=today, first=first, last=last, holidays=holidays, closures=bridges)

    def closed_also(self, days) -> Calendar:
        """This calendar with more closure days, which `school_day` and `school_day_before` skip
        from then on (so nothing once-only lands on the team's day off)."""
        return replace(self, closures=(*self.closures, *days))

    @property
    def horizon(self) -> date:
        return self.today + services.HORIZON

    def latest(self, code: str) -> tuple[date, date] | None:
        """The latest holiday of this kind that has started before the horizon."""
        periods = [(s, e) for c, _l, s, e in self.holidays if c == code and s <= self.horizon]
        periods = [(s, e) for s, e in periods if e >= self.first]
        return max(periods) if periods else None

    def latest_past(self, code: str) -> tuple[date, date] | None:
        periods = [(s, e) for c, _l, s, e in self.holidays if c == code and s < self.today]
        return max(periods) if periods else None

    def in_holiday(self, day: date) -> bool:
        return any(s <= day <= e for _c, _l, s, e in self.holidays)

    def school_day(self, day: date, weekday: int) -> date:
        """The first `weekday` on or after `day` that is no holiday or closure day."""
        day += timedelta(days=(weekday - day.weekday()) % 7)
        while self.in_holiday(day) or is_public_holiday(day) or day in self.closures:
            day += timedelta(weeks=1)
        return day

    def school_day_before(self, day: date, n: int) -> date:
        """The n-th school day (Monday to Friday, no holiday or closure) before `day`."""
        while n > 0:
            day -= timedelta(days=1)
            if day.weekday() < 5 and not (
                self.in_holiday(day) or is_public_holiday(day) or day in self.closures
            ):
                n -= 1
        return day


# ---------------------------------------------------------------------------------------------
# The data's relative dates (the forms are described in data/catalogue-beringen.yaml)

Span = tuple[date | None, date | None]


def weekday(code: str) -> int:
    """Python's weekday number (Monday 0) of a day code such as "TH"."""
    return WEEKDAYS.index(code)


def span(spec: dict | None, cal: Calendar) -> Span | None:
    """(first, last) of a plan's `dates`; None for either is the calendar's own first or last
    day. None: the plan has no place in this calendar (its holidays are not in it)."""
    if not spec:
        return None, None
    if "in_days" in spec:
        return cal.today + timedelta(days=spec["in_days"]), None
    if "school_days_ago" in spec:
        return cal.school_day_before(cal.today, spec["school_days_ago"]), None
    if "in_weeks" in spec:
        return school_day(cal, spec["in_weeks"], spec["school_day"]), None
    if "yearly" in spec:
        return _yearly(cal, *spec["yearly"], weekday(spec["weekday"])), None
    return _in_holiday(spec, cal)


def school_day(cal: Calendar, in_weeks: int, day: str) -> date:
    """The first `day` of the week from `in_weeks` weeks from today that is a school day."""
    return cal.school_day(cal.today + timedelta(weeks=in_weeks), weekday(day))


def _yearly(cal: Calendar, month: int, day: int, on_or_before: int) -> date:
    """The weekday on or before this day of the year: this year's, or last year's when this
    year's is not yet near (past the horizon)."""
    found = date(cal.today.year, month, day)
    if found > cal.horizon:
        found = date(cal.today.year - 1, month, day)
    return found - timedelta(days=(found.weekday() - on_or_before) % 7)


def _in_holiday(spec: dict, cal: Calendar) -> Span | None:
    period = (
        cal.latest(spec["latest"]) if "latest" in spec else cal.latest_past(spec["latest_past"])
    )
    if period is None:
        return None
    first = period[0]
    if "weekday" in spec:  # the nth such weekday from the holidays' first day
        first += timedelta(days=(weekday(spec["weekday"]) - first.weekday()) % 7)
        first += timedelta(weeks=spec.get("nth", 1) - 1)
    if spec.get("before_today") and first >= cal.today:
        return None
    if spec.get("to_end"):
        return first, period[1]
    if "days" in spec:
        return first, first + timedelta(days=spec["days"])
    return first, None
