"""The dates an offer's rule would fall on but that are not held: public holidays, the network's
closure days and school holidays (when the offer skips them), and cancelled sessions. Families
read them on the activity page, so each says why in words."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import select

from saas.catalogue.models import ActivitySession, Closure, ClosureKind, Offer, SessionStatus
from saas.catalogue.schedule import ScheduleError, parse_rule, public_holidays, to_local
from saas.extensions import db
from saas.models_base import utcnow

AHEAD = timedelta(weeks=16)  # as far as sessions are made (services.HORIZON)
# the languages `holidays` names Belgian public holidays in, by the interface's codes
HOLIDAY_LANGUAGES = {"nl": "nl", "fr": "fr", "en": "en_US"}


class SkipReason(enum.StrEnum):
    PUBLIC_HOLIDAY = "public_holiday"
    CLOSURE = "closure"
    SCHOOL_HOLIDAY = "school_holiday"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class SkippedDate:
    day: date
    reason: SkipReason
    name: str = ""  # the holiday's or closure's name, where there is one in a language shown


def skipped_dates(offer: Offer, language: str, *, limit: int = 12) -> list[SkippedDate]:
    """The coming dates (today up to the horizon) this offer is not held, in date order."""
    today = to_local(utcnow()).date()
    last = today + AHEAD
    found: dict[date, SkippedDate] = {}
    closures = _closures_between(today, last)
    for day in _planned_days(offer, today, last):
        reason = _why_skipped(offer, day, language, closures)
        if reason is not None:
            found[day] = reason
    for day in _cancelled_days(offer):
        found.setdefault(day, SkippedDate(day, SkipReason.CANCELLED))
    return [found[d] for d in sorted(found)][:limit]


def _planned_days(offer: Offer, first: date, last: date) -> list[date]:
    """The rule's own days between two dates, before any holiday or closure is taken out."""
    start = datetime.combine(offer.start_date, offer.start_time)
    try:
        starts = parse_rule(offer.rrule, start) if offer.rrule else [start]
    except ScheduleError:  # a rule stored before today's checks: nothing to say about it
        return []
    return [s.date() for s in starts if first <= s.date() <= last]


def _why_skipped(
    offer: Offer, day: date, language: str, closures: list[tuple[ClosureKind, str, date, date]]
) -> SkippedDate | None:
    if offer.skip_public_holidays and day in public_holidays(day.year):
        return SkippedDate(day, SkipReason.PUBLIC_HOLIDAY, _holiday_name(day, language))
    for kind, label, first, last in closures:
        if not first <= day <= last:
            continue
        if kind == ClosureKind.CLOSURE and offer.skip_closures:
            return SkippedDate(day, SkipReason.CLOSURE, label if language == "nl" else "")
        if kind == ClosureKind.SCHOOL_HOLIDAY and offer.skip_school_holidays:
            return SkippedDate(day, SkipReason.SCHOOL_HOLIDAY, label if language == "nl" else "")
    return None


def _closures_between(first: date, last: date) -> list[tuple[ClosureKind, str, date, date]]:
    """The network's closures and school holidays that touch these dates (one query)."""
    rows = db.session.execute(
        select(Closure.kind, Closure.label, Closure.starts_on, Closure.ends_on)
        .where(Closure.starts_on <= last, Closure.ends_on >= first)
        .order_by(Closure.starts_on)
    )
    return [tuple(row) for row in rows]


def _holiday_name(day: date, language: str) -> str:
    """The holiday's name in the page's language, where `holidays` has one (nl, fr, en); the
    reason alone ("public holiday") in Turkish and Arabic."""
    code = HOLIDAY_LANGUAGES.get(language)
    if code is None:
        return ""
    return _holiday_names(day.year, code).get(day, "")


@lru_cache(maxsize=64)
def _holiday_names(year: int, code: str) -> dict[date, str]:
    return dict(holidays.Belgium(years=year, language=code))


def _cancelled_days(offer: Offer) -> list[date]:
    now = utcnow()
    rows = db.session.execute(
        select(ActivitySession.starts_at).where(
            ActivitySession.offer_id == offer.id,
            ActivitySession.status == SessionStatus.CANCELLED,
            ActivitySession.starts_at >= now,
            ActivitySession.starts_at < now + AHEAD,
        )
    ).scalars()
    return [to_local(moment).date() for moment in rows]
