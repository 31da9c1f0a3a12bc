"""How offers read to people: ages, schedules, prices, in the interface language."""

from __future__ import annotations

import functools

from babel.dates import get_day_names, get_month_names
from babel.lists import format_list
from flask import Flask
from flask_babel import format_date, format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from saas.catalogue import pictograms
from saas.catalogue.models import AGE_BANDS
from saas.catalogue.schedule import WEEKDAYS, Rule, describe
from saas.i18n import RTL, first_upper, time_range_text
from saas.partners.models import SPOKEN_LANGUAGES

# Codes stored or sent in links, and how a person reads them: one place per family of codes.
DAYPARTS = [("morning", _l("Morning")), ("afternoon", _l("Afternoon")), ("evening", _l("Evening"))]


def age_band_label(code: str) -> str:
    """An age band's code ("3-6") as people read it: "3 tot 6 jaar", "3 to 6 years"."""
    return next((str(label) for c, _lo, _hi, label in AGE_BANDS if c == code), code)


def daypart_label(code: str) -> str:
    """A part of the day's code ("morning") as people read it: "Voormiddag", "Morning"."""
    return next((str(label) for c, label in DAYPARTS if c == code), code)


def weekday_name(index: int) -> str:
    """A weekday on its own (a choice in a list, the start of a line): "Vrijdag", "Friday"."""
    return first_upper(get_day_names("wide", context="stand-alone", locale=get_locale())[index])


def weekday_in_sentence(index: int) -> str:
    """A weekday inside a sentence, as the language writes it there: "elke vrijdag" in Dutch and
    French, "every Friday" in English (Babel's format-context names)."""
    return get_day_names("wide", context="format", locale=get_locale())[index]


def _age(months: int) -> str:
    if months % 12 == 0 or months >= 36:
        years = months // 12
        return ngettext("%(num)d year", "%(num)d years", years)
    return ngettext("%(num)d month", "%(num)d months", months)


def _until_birthday(low: int, high: int) -> bool:
    """From birth to the day before the first, second or third birthday (11, 23 or 35 months,
    as a consultation bureau writes "0 tot 3 jaar"): read as "under 3 years"."""
    return low == 0 and high < 36 and high % 12 == 11


def age_range(offer) -> str:
    return _age_range(str(get_locale()), offer.age_min_months, offer.age_max_months)


# Lists show the same few ages and schedules on every card and every request: each is worked out
# once per language and value (Babel's dates and plurals cost more than the rest of a card).
@functools.lru_cache(maxsize=4096)
def _age_range(_language: str, low: int, high: int) -> str:
    if low == 0 and high >= 216:
        return _("All ages")
    if high >= 216:
        return _("From %(age)s", age=_age(low))
    # stored upper bounds are inclusive months; "up to 6 years" is kept as 83 months
    shown_high = high - 11 if high >= 36 and high % 12 == 11 else high
    if shown_high <= low:  # one year of age ("5 years"), never "5 years to 5 years"
        return _age(low)
    if _until_birthday(low, high):  # 0 to 35 months: "under 3 years", not "up to 35 months"
        return _("Under %(age)s", age=_age(high + 1))
    if low == 0:  # "up to 1 year", never "0 years to 1 year"
        return _("Up to %(age)s", age=_age(shown_high))
    return _("%(low)s to %(high)s", low=_age(low), high=_age(shown_high))


def age_sentence(offer) -> str:
    """The ages in a plain sentence for families: "For children from 18 months to 3 years"."""
    low, high = offer.age_min_months, offer.age_max_months
    if low == 0 and high >= 216:
        return _("For children of every age")
    if high >= 216:
        return _("For children from %(age)s", age=_age(low))
    shown_high = high - 11 if high >= 36 and high % 12 == 11 else high
    if _until_birthday(low, high):
        return _("For children under %(age)s", age=_age(high + 1))
    if low == 0:
        return _("For children up to %(age)s", age=_age(shown_high))
    return _("For children from %(low)s to %(high)s", low=_age(low), high=_age(shown_high))


def schedule_text(offer) -> str:
    """How an offer repeats, in words; a stored rule that no longer reads says so, never fails."""
    return _schedule_text(
        str(get_locale()), offer.rrule, offer.start_date, offer.start_time, offer.end_time
    )


@functools.lru_cache(maxsize=4096)
def _schedule_text(_language: str, rrule: str, start_date, start_time, end_time) -> str:
    plan = describe(rrule, start_date)
    hours = time_range_text(start_time, end_time)
    if str(get_locale()) in RTL:  # the times read left to right inside the Arabic sentence
        hours = f"\u2066{hours}\u2069"
    if plan["frequency"] == "once":
        return _("%(schedule)s, %(hours)s", schedule=format_date(start_date, "full"), hours=hours)
    if plan["frequency"] == "unreadable":
        return _("The schedule cannot be shown.")
    if plan["frequency"] == "monthly":
        text = _("Every month on a %(day)s", day=weekday_in_sentence(start_date.weekday()))
    elif plan["frequency"] == "weekly":
        text = _weekly(plan["weekdays"], plan["interval"])
    else:
        text = _custom(plan["rule"], start_date)
    text = _("%(schedule)s, %(hours)s", schedule=text, hours=hours)
    if plan["count"]:
        return ngettext(
            "%(schedule)s, %(num)d session",
            "%(schedule)s, %(num)d sessions",
            plan["count"],
            schedule=text,
        )
    until = format_date(plan["until"], "long") if plan["until"] else ""
    return _("%(schedule)s, until %(date)s", schedule=text, date=until) if until else text


def _weekly(weekdays: list[str], interval: int) -> str:
    days = _days([d for d in weekdays if d in WEEKDAYS])
    if interval == 1:
        return _("Every %(days)s", days=days)
    if interval == 2:
        return _("Every two weeks on %(days)s", days=days)
    return _("Every %(num)d weeks on %(days)s", num=interval, days=days)


def _days(codes: list[str]) -> str:
    """Weekdays as the language lists them in a sentence: "maandag en vrijdag", "Monday and
    Friday", "lundi et vendredi"."""
    names = [weekday_in_sentence(WEEKDAYS.index(d)) for d in codes]
    return format_list(names, locale=get_locale()) if names else ""


def _custom(rule: Rule, start) -> str:
    """A rule the plain form cannot say (daily, days of the month, chosen months, ...)."""
    if rule.freq == "DAILY" and not rule.byday:
        text = ngettext("Every day", "Every %(num)d days", rule.interval)
    elif rule.freq in {"DAILY", "WEEKLY"} and all(n == 0 for n, _d in rule.byday):
        text = _weekly(sorted(rule.weekdays(start), key=WEEKDAYS.index), rule.interval)
    elif rule.freq == "MONTHLY" and rule.bymonthday and all(d > 0 for d in rule.bymonthday):
        days = ", ".join(format_decimal(d) for d in sorted(rule.bymonthday))
        text = ngettext(
            "Every month on day %(days)s",
            "Every %(num)d months on day %(days)s",
            rule.interval,
            days=days,
        )
    else:
        return _("Repeats on set dates")
    if rule.bymonth:
        names = get_month_names("wide", locale=get_locale())
        months = ", ".join(names[m] for m in sorted(rule.bymonth))
        text = _("%(schedule)s, in %(months)s", schedule=text, months=months)
    return text


def moments_text(days: list[str], times: list[str]) -> str:
    """ "WE,TH" and "morning" read as "Woensdag en donderdag · in de voormiddag"."""
    labels = {
        "morning": _("in the morning"),
        "afternoon": _("in the afternoon"),
        "evening": _("in the evening"),
    }
    parts = [
        _days(sorted((d for d in days if d in WEEKDAYS), key=WEEKDAYS.index)),
        format_list([labels[t] for t in times if t in labels], locale=get_locale()),
    ]
    line = " · ".join(p for p in parts if p)
    return line[:1].upper() + line[1:]


def price_text(offer) -> str:
    if offer.is_free:
        return _("Free")
    amount = format_decimal((offer.cost_cents or 0) / 100, format="#,##0.00")
    if offer.cost_kind == "reduced":
        return _("€ %(amount)s, reduced rate possible", amount=amount)
    return f"€ {amount}"


def register(app: Flask) -> None:
    app.jinja_env.filters["age_band"] = age_band_label
    app.jinja_env.filters["daypart"] = daypart_label

    @app.context_processor
    def _display():

        return {
            "age_range": age_range,
            "age_sentence": age_sentence,
            "what_you_do": pictograms.what_you_do,
            "schedule_text": schedule_text,
            "weekday_name": weekday_name,
            "price_text": price_text,
            "moments_text": moments_text,
            "spoken_languages": SPOKEN_LANGUAGES,
        }
