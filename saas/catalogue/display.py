"""How offers read to people: ages, schedules, prices, in the interface language."""

from __future__ import annotations

from babel.dates import get_day_names
from flask import Flask
from flask_babel import format_date, format_decimal, get_locale, ngettext
from flask_babel import gettext as _

from saas.catalogue.schedule import WEEKDAYS, describe
from saas.partners.models import SPOKEN_LANGUAGES


def weekday_name(index: int) -> str:
    return get_day_names("wide", locale=get_locale())[index].capitalize()


def _age(months: int) -> str:
    if months % 12 == 0 or months >= 36:
        years = months // 12
        return ngettext("%(num)d year", "%(num)d years", years)
    return ngettext("%(num)d month", "%(num)d months", months)


def age_range(offer) -> str:
    low, high = offer.age_min_months, offer.age_max_months
    if low == 0 and high >= 216:
        return _("All ages")
    if high >= 216:
        return _("From %(age)s", age=_age(low))
    # stored upper bounds are inclusive months; "up to 6 years" is kept as 83 months
    shown_high = high - 11 if high >= 36 and high % 12 == 11 else high
    return _("%(low)s to %(high)s", low=_age(low), high=_age(shown_high))


def schedule_text(offer) -> str:
    plan = describe(offer.rrule, offer.start_date)
    hours = f"{offer.start_time:%H:%M}–{offer.end_time:%H:%M}"
    if plan["frequency"] == "once":
        return f"{format_date(offer.start_date, 'full')}, {hours}"
    until = format_date(plan["until"], "long") if plan["until"] else ""
    if plan["frequency"] == "monthly":
        text = _("Every month on a %(day)s", day=weekday_name(offer.start_date.weekday()))
    else:
        days = ", ".join(weekday_name(WEEKDAYS.index(d)) for d in plan["weekdays"] if d in WEEKDAYS)
        text = (
            _("Every two weeks on %(days)s", days=days)
            if plan["interval"] == 2
            else _("Every %(days)s", days=days)
        )
    text = f"{text}, {hours}"
    return _("%(schedule)s, until %(date)s", schedule=text, date=until) if until else text


def moments_text(days: list[str], times: list[str]) -> str:
    """ "WE,TH" and "morning" read as "Woensdag, Donderdag · in de voormiddag"."""
    labels = {
        "morning": _("in the morning"),
        "afternoon": _("in the afternoon"),
        "evening": _("in the evening"),
    }
    day_names = [weekday_name(WEEKDAYS.index(d)) for d in days if d in WEEKDAYS]
    parts = [", ".join(day_names), ", ".join(labels[t] for t in times if t in labels)]
    return " · ".join(p for p in parts if p)


def price_text(offer) -> str:
    if offer.is_free:
        return _("Free")
    amount = format_decimal((offer.cost_cents or 0) / 100, format="#,##0.00")
    if offer.cost_kind == "reduced":
        return _("€ %(amount)s, reduced rate possible", amount=amount)
    return f"€ {amount}"


def register(app: Flask) -> None:
    @app.context_processor
    def _display():

        return {
            "age_range": age_range,
            "schedule_text": schedule_text,
            "weekday_name": weekday_name,
            "price_text": price_text,
            "moments_text": moments_text,
            "spoken_languages": SPOKEN_LANGUAGES,
        }
