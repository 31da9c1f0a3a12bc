"""Schedules: RFC 5545 recurrence in Europe/Brussels wall-clock time, minus holidays and closures.

An offer's rule is expanded over local times, and each occurrence is then placed in the time zone,
so a Monday 9:30 session stays at 9:30 across the daylight-saving changes. Each occurrence keeps
a stable key (its local start), so regenerating sessions never duplicates or loses a cancellation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from dateutil.rrule import rrule, rrulestr
from flask_babel import gettext as _

from saas.catalogue.models import TIMEZONE

TZ = ZoneInfo(TIMEZONE)
MAX_SPAN = timedelta(days=3 * 366)
MAX_OCCURRENCES = 800
ALLOWED_FREQ = {"DAILY", "WEEKLY", "MONTHLY"}
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


def parse_rule(rule: str, start_local: datetime) -> rrule:
    """Parse and bound a rule: it must end (UNTIL or COUNT) within three years."""
    text = rule.strip().upper()
    if text.startswith("RRULE:"):
        text = text[6:]
    parts = dict(p.split("=", 1) for p in text.split(";") if "=" in p)
    if parts.get("FREQ") not in ALLOWED_FREQ:
        raise ScheduleError(_("The repetition must be daily, weekly or monthly."))
    if "UNTIL" not in parts and "COUNT" not in parts:
        raise ScheduleError(_("A repeating activity needs an end date."))
    if "UNTIL" in parts:  # interpret UNTIL in local time, as people mean it
        parts["UNTIL"] = parts["UNTIL"].rstrip("Z")
        if "T" not in parts["UNTIL"]:
            parts["UNTIL"] += "T235959"
    text = ";".join(f"{k}={v}" for k, v in parts.items())
    try:
        parsed = rrulestr(text, dtstart=start_local)
    except (ValueError, TypeError) as exc:
        raise ScheduleError(_("The repetition rule is not valid.")) from exc
    if (
        "COUNT" in parts and int(parts["COUNT"]) > MAX_OCCURRENCES
    ):  # rrulestr checked it is a number
        raise ScheduleError(_("At most %(n)d sessions per activity.", n=MAX_OCCURRENCES))
    last = parsed.before(start_local + MAX_SPAN + timedelta(days=1))
    beyond = parsed.after(start_local + MAX_SPAN)
    if beyond is not None:
        raise ScheduleError(_("A repeating activity can run for at most three years."))
    if last is None and parsed.after(start_local, inc=True) is None:
        raise ScheduleError(_("This schedule has no dates at all."))
    return parsed


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
    local_starts = list(parse_rule(rule, start_local)) if rule else [start_local]
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
    """Read a rule back into the plain form's fields (for editing)."""
    if not rule:
        return {"frequency": "once", "weekdays": [], "interval": 1, "until": None}
    parts = dict(p.split("=", 1) for p in rule.upper().split(";") if "=" in p)
    until = None
    if "UNTIL" in parts:
        until = datetime.strptime(parts["UNTIL"].rstrip("Z")[:8], "%Y%m%d").date()
    if parts.get("FREQ") == "MONTHLY":
        return {"frequency": "monthly", "weekdays": [], "interval": 1, "until": until}
    days = [d[-2:] for d in parts.get("BYDAY", WEEKDAYS[start.weekday()]).split(",")]
    return {
        "frequency": "weekly",
        "weekdays": days,
        "interval": int(parts.get("INTERVAL", "1")),
        "until": until,
    }
