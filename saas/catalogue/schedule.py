"""Schedules: RFC 5545 recurrence in Europe/Brussels wall-clock time, minus holidays and closures.

An offer's rule is expanded over local times, and each occurrence is then placed in the time zone,
so a Monday 9:30 session stays at 9:30 across the daylight-saving changes. Each occurrence keeps
a stable key (its local start), so regenerating sessions never duplicates or loses a cancellation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import islice
from zoneinfo import ZoneInfo

import holidays
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule, weekday
from flask_babel import gettext as _

from saas.bounds import date_allowed, date_bounds_message
from saas.catalogue.models import TIMEZONE

TZ = ZoneInfo(TIMEZONE)
MAX_SPAN = timedelta(days=3 * 366)
MAX_OCCURRENCES = 800
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


class ScheduleError(ValueError):
    """A schedule that cannot be used, with a message for the person who typed it."""


@dataclass(frozen=True)
class Occurrence:
    key: str
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    local_start: datetime

    @property
    def day(self) -> date:
        return self.local_start.date()


def to_utc(local: datetime) -> datetime:
    return local.replace(tzinfo=TZ).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(TZ)


@lru_cache(maxsize=32)
def public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.Belgium(years=year).keys())


def is_public_holiday(day: date) -> bool:
    return day in public_holidays(day.year)


def build_rrule(
    *,
    frequency: str,
    weekdays: list[str] | None,
    until: date | None,
    start: date,
    interval: int = 1,
) -> str:
    """The RRULE a plain form describes: once, weekly (every 1 or 2 weeks) or monthly."""
    if frequency == "once":
        return ""
    if until is None:
        raise ScheduleError(_("A repeating activity needs an end date."))
    end = f"UNTIL={until:%Y%m%d}"
    if frequency == "weekly":
        days = [d for d in (weekdays or []) if d in WEEKDAYS] or [WEEKDAYS[start.weekday()]]
        step = f"INTERVAL={interval};" if interval > 1 else ""
        return f"FREQ=WEEKLY;{step}BYDAY={','.join(days)};{end}"
    if frequency == "monthly":
        nth = (start.day - 1) // 7 + 1
        position = -1 if nth == 5 else nth
        return f"FREQ=MONTHLY;BYDAY={position}{WEEKDAYS[start.weekday()]};{end}"
    raise ScheduleError(_("Unknown repetition."))


_UNTIL = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:T\d{2}:?\d{2}:?\d{2}Z?)?$")
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_NUMBER = re.compile(r"^[+-]?\d{1,3}$")
FREQUENCIES = {"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY}
MAX_INTERVAL = {"DAILY": 366, "WEEKLY": 53, "MONTHLY": 36}
# An activity takes place once on a day, at its own start time: rules that pick hours, minutes,
# seconds, week numbers or days of the year describe something else, and multiply occurrences.
UNSUPPORTED = {"BYHOUR", "BYMINUTE", "BYSECOND", "BYWEEKNO", "BYYEARDAY", "RDATE", "EXDATE"}
ORDER = ("FREQ", "INTERVAL", "BYMONTH", "BYMONTHDAY", "BYDAY", "BYSETPOS", "WKST", "COUNT", "UNTIL")
MAX_RULE_LENGTH = 300  # the column
MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True)
class Rule:
    """A repetition rule Dorp can keep its promises on, read by our own grammar before `dateutil`
    sees it: daily, weekly or monthly, a positive interval, short BYxxx lists, and an end (UNTIL,
    one local day, or COUNT) no further than three years after the first date. Any rule that
    parses describes and expands in milliseconds: it is expanded with a hard stop at three years,
    so even a rule that never matches ends."""

    freq: str
    interval: int = 1
    byday: tuple[tuple[int, str], ...] = ()  # (0, "MO") every Monday, (-1, "FR") the last Friday
    bymonthday: tuple[int, ...] = ()
    bymonth: tuple[int, ...] = ()
    bysetpos: tuple[int, ...] = ()
    wkst: str = ""
    count: int | None = None
    until: date | None = None

    @classmethod
    def parse(cls, text: str) -> Rule:
        """Read a rule; anything outside the grammar raises ScheduleError saying what is wrong."""
        text = (text or "").strip().upper()
        if text.startswith("RRULE:"):
            text = text[6:]
        if len(text) > MAX_RULE_LENGTH:
            raise ScheduleError(_("The repetition rule is too long."))
        parts: dict[str, str] = {}
        for piece in filter(None, (p.strip() for p in text.split(";"))):
            key, sep, value = piece.partition("=")
            if not sep or not value or key in parts:
                raise ScheduleError(_("The repetition rule is not valid."))
            if key in UNSUPPORTED:
                raise ScheduleError(
                    _(
                        "%(part)s is not possible: an activity takes place at most once a day, "
                        "at its start time.",
                        part=key,
                    )
                )
            if key not in ORDER:
                raise ScheduleError(_("The repetition rule is not valid."))
            parts[key] = value
        freq = parts.get("FREQ")
        if freq not in FREQUENCIES:
            raise ScheduleError(_("The repetition must be daily, weekly or monthly."))
        if ("COUNT" in parts) == ("UNTIL" in parts):
            if "COUNT" in parts:
                raise ScheduleError(_("Give an end date or a number of sessions, not both."))
            raise ScheduleError(_("A repeating activity needs an end date."))
        interval = _whole(parts.get("INTERVAL", "1"), 1, MAX_INTERVAL[freq])
        if interval is None:
            raise ScheduleError(
                _("The interval must be a whole number from 1 to %(max)d.", max=MAX_INTERVAL[freq])
            )
        count = None
        if "COUNT" in parts:
            count = _whole(parts["COUNT"], 1, MAX_OCCURRENCES)
            if count is None:
                raise ScheduleError(_("At most %(n)d sessions per activity.", n=MAX_OCCURRENCES))
        return cls(
            freq=freq,
            interval=interval,
            byday=_days(parts.get("BYDAY"), ordinals=freq == "MONTHLY"),
            bymonthday=_numbers(parts.get("BYMONTHDAY"), 31, allowed=freq != "WEEKLY"),
            bymonth=_numbers(parts.get("BYMONTH"), 12, signed=False),
            bysetpos=_numbers(parts.get("BYSETPOS"), 31, most=7),
            wkst=_weekday(parts.get("WKST")),
            count=count,
            until=_until(parts.get("UNTIL")),
        )._checked()

    def _checked(self) -> Rule:
        """Combinations `dateutil` would search for years on end for (a day no month has, a
        position past the end of the set, an interval that never meets the months asked for)
        are refused here, so every accepted rule finds its next date within a few periods."""
        invalid = ScheduleError(_("The repetition rule is not valid."))
        if len({n == 0 for n, _day in self.byday}) > 1:  # dateutil would want both at once
            raise invalid
        if self.byday and self.bymonthday:
            raise ScheduleError(_("Choose weekdays or days of the month, not both."))
        if self.bysetpos and not (
            self.freq == "MONTHLY"
            and self.byday
            and all(n == 0 for n, _day in self.byday)
            and all(abs(p) <= 4 * len(self.byday) for p in self.bysetpos)
        ):
            raise invalid
        if self.interval > 1 and self.bymonth:
            raise ScheduleError(_("Months can only be chosen for a rule without an interval."))
        if self.freq == "DAILY" and self.interval > 1 and (self.byday or self.bymonthday):
            raise invalid
        if self.interval > 1 and any(abs(d) > 28 for d in self.bymonthday):
            raise ScheduleError(_("With an interval, days of the month go up to 28."))
        if not all(_month_has(self.bymonth, d) for d in self.bymonthday):
            raise ScheduleError(_("This schedule has no dates at all."))
        return self

    @property
    def text(self) -> str:
        """The one form a rule is kept in: fixed order, UNTIL as a bare local date."""
        values = {
            "FREQ": self.freq,
            "INTERVAL": str(self.interval) if self.interval != 1 else "",
            "BYMONTH": ",".join(map(str, self.bymonth)),
            "BYMONTHDAY": ",".join(map(str, self.bymonthday)),
            "BYDAY": ",".join(f"{n or ''}{day}" for n, day in self.byday),
            "BYSETPOS": ",".join(map(str, self.bysetpos)),
            "WKST": self.wkst,
            "COUNT": str(self.count) if self.count else "",
            "UNTIL": f"{self.until:%Y%m%d}" if self.until else "",
        }
        return ";".join(f"{key}={values[key]}" for key in ORDER if values[key])

    def starts(self, start_local: datetime) -> list[datetime]:
        """The local start moments from `start_local`: never more than MAX_OCCURRENCES, never
        later than three years on. A rule that would need more raises ScheduleError."""
        horizon = start_local + MAX_SPAN
        implicit_day = self.freq == "MONTHLY" and not (self.byday or self.bymonthday)
        if implicit_day and not _month_has(self.bymonth, start_local.day):
            raise ScheduleError(_("This schedule has no dates at all."))
        if self.until is not None and self.until > horizon.date():
            raise ScheduleError(_("A repeating activity can run for at most three years."))
        stop = min(datetime.combine(self.until, time.max), horizon) if self.until else horizon
        expansion = rrule(
            FREQUENCIES[self.freq],
            dtstart=start_local,
            interval=self.interval,
            until=stop,
            byweekday=[weekday(WEEKDAYS.index(d), n or None) for n, d in self.byday] or None,
            bymonthday=self.bymonthday or None,
            bymonth=self.bymonth or None,
            bysetpos=self.bysetpos or None,
            wkst=WEEKDAYS.index(self.wkst) if self.wkst else None,
            cache=False,
        )
        wanted = self.count or MAX_OCCURRENCES
        found = list(islice(expansion, wanted + 1))
        if not found:
            raise ScheduleError(_("This schedule has no dates at all."))
        if self.count is not None:
            if len(found) < self.count:
                raise ScheduleError(_("A repeating activity can run for at most three years."))
            return found[: self.count]
        if len(found) > MAX_OCCURRENCES:
            raise ScheduleError(_("At most %(n)d sessions per activity.", n=MAX_OCCURRENCES))
        return found

    def weekdays(self, start: date | None) -> frozenset[str]:
        """The weekdays it runs on, as far as the rule says: BYDAY, every day, else the start's."""
        if self.byday:
            return frozenset(day for _n, day in self.byday)
        if self.freq == "DAILY" and self.interval == 1:
            return frozenset(WEEKDAYS)
        return frozenset({WEEKDAYS[start.weekday()]}) if start else frozenset()


def _month_has(months: tuple[int, ...], day: int) -> bool:
    """Whether day `day` of the month (negative: from the end) exists in one of `months`."""
    longest = max(MONTH_DAYS[m - 1] for m in months or range(1, 13))
    return abs(day) <= longest


def _whole(text: str, low: int, high: int) -> int | None:
    if not text.isdigit() or len(text) > 4:
        return None
    value = int(text)
    return value if low <= value <= high else None


def _weekday(text: str | None) -> str:
    if text is None:
        return ""
    if text not in WEEKDAYS:
        raise ScheduleError(_("The repetition rule is not valid."))
    return text


def _days(text: str | None, *, ordinals: bool) -> tuple[tuple[int, str], ...]:
    if text is None:
        return ()
    days = []
    for item in text.split(","):
        match = _BYDAY.match(item.strip())
        if match is None:
            raise ScheduleError(_("The repetition rule is not valid."))
        n = int(match.group(1) or 0)
        if n and (not ordinals or not 1 <= abs(n) <= 5):
            raise ScheduleError(_("The repetition rule is not valid."))
        days.append((n, match.group(2)))
    if len(days) != len(set(days)) or len(days) > 10:
        raise ScheduleError(_("The repetition rule is not valid."))
    return tuple(days)


def _numbers(
    text: str | None, high: int, *, signed: bool = True, most: int = 31, allowed: bool = True
) -> tuple[int, ...]:
    if text is None:
        return ()
    if not allowed:
        raise ScheduleError(_("The repetition rule is not valid."))
    numbers = []
    for item in text.split(","):
        item = item.strip()
        if not _NUMBER.match(item) or (not signed and item[0] in "+-"):
            raise ScheduleError(_("The repetition rule is not valid."))
        value = int(item)
        if not 1 <= abs(value) <= high:
            raise ScheduleError(_("The repetition rule is not valid."))
        numbers.append(value)
    if len(numbers) != len(set(numbers)) or len(numbers) > most:
        raise ScheduleError(_("The repetition rule is not valid."))
    return tuple(numbers)


def _until(text: str | None) -> date | None:
    """UNTIL as people mean it: a day in local time, the whole day included."""
    if text is None:
        return None
    match = _UNTIL.match(text)
    if match is None:
        raise ScheduleError(_("The end date in the rule is not a date (use 20270630)."))
    try:
        day = date(*map(int, match.groups()))
    except ValueError:
        raise ScheduleError(_("The end date in the rule is not a date (use 20270630).")) from None
    if not date_allowed(day):
        raise ScheduleError(date_bounds_message())
    return day


def normalise_rule(text: str) -> str:
    """The rule in its one kept form ("" for a one-off); raises ScheduleError when invalid."""
    return Rule.parse(text).text if (text or "").strip() else ""


def parse_rule(rule: str, start_local: datetime) -> list[datetime]:
    """The local starts of a rule from its first moment (bounded: see `Rule.starts`)."""
    return Rule.parse(rule).starts(start_local)


@dataclass(frozen=True)
class Exclusions:
    public_holidays: bool = True
    periods: tuple[tuple[date, date], ...] = ()

    def excludes(self, day: date) -> bool:
        if self.public_holidays and is_public_holiday(day):
            return True
        return any(start <= day <= end for start, end in self.periods)


def expand(
    *,
    start_date: date,
    start_time: time,
    end_time: time,
    rule: str,
    exclusions: Exclusions,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
) -> list[Occurrence]:
    """The occurrences of a schedule between two UTC moments (all of them without a window)."""
    if end_time <= start_time:
        raise ScheduleError(_("The end time must be after the start time."))
    start_local = datetime.combine(start_date, start_time)
    duration = datetime.combine(start_date, end_time) - start_local
    if not date_allowed(start_date):
        raise ScheduleError(date_bounds_message())
    local_starts = parse_rule(rule, start_local) if rule else [start_local]
    result = []
    for local in local_starts:
        if exclusions.excludes(local.date()):
            continue
        starts_at = to_utc(local)
        if window_start and starts_at < window_start:
            continue
        if window_end and starts_at >= window_end:
            break
        result.append(
            Occurrence(f"{local:%Y-%m-%dT%H:%M}", starts_at, to_utc(local + duration), local)
        )
    return result


def describe(rule: str, start: date) -> dict:
    """Read a rule back into the plain form's fields (for editing and for reading it out).

    "frequency" is once, weekly or monthly when the plain form can say it; "custom" (the rule
    stays in the advanced field) when it cannot; "unreadable" for a stored rule that no longer
    passes (never raises: one bad row must not take a page down).
    """
    plan = {"frequency": "once", "weekdays": [], "interval": 1, "until": None, "count": None}
    if not (rule or "").strip():
        return plan
    try:
        parsed = Rule.parse(rule)
    except ScheduleError:
        return {**plan, "frequency": "unreadable"}
    plan.update(until=parsed.until, count=parsed.count, interval=parsed.interval, rule=parsed)
    plain = not (parsed.bymonthday or parsed.bymonth or parsed.bysetpos or parsed.count)
    every_week = all(n == 0 for n, _day in parsed.byday) and parsed.wkst in {"", "MO"}
    if parsed.freq == "WEEKLY" and plain and parsed.interval <= 2 and every_week:
        days = [d for _n, d in parsed.byday] or [WEEKDAYS[start.weekday()]]
        return {**plan, "frequency": "weekly", "weekdays": days}
    if parsed.freq == "MONTHLY" and plain and parsed.interval == 1 and len(parsed.byday) == 1:
        n, day = parsed.byday[0]
        nth = (start.day - 1) // 7 + 1
        if day == WEEKDAYS[start.weekday()] and n == (-1 if nth == 5 else nth):
            return {**plan, "frequency": "monthly"}
    return {
        **plan,
        "frequency": "custom",
        "weekdays": sorted(parsed.weekdays(start), key=WEEKDAYS.index),
    }
