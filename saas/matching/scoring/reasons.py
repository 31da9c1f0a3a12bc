"""Why an offer is suggested: short reason codes, and a translated line."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from babel import Locale
from babel.dates import get_day_names
from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext as _

from saas.matching.scoring.features import (
    TIMES,
    WEEKDAYS,
    OfferFeatures,
    Question,
    bands_covered,
    time_of_day,
)
from saas.partners.models import LANGUAGE_NAMES

# `explain` gives codes such as "age", "theme:sleep", "language:tr", "neighbourhood", "free",
# "day:MO", "time:morning", "seats", "soon". What is stored in Redis is only their kinds
# (`stored_codes`: "theme", "language", ... never the family's values); the page rebuilds the
# details from the referral it shows (`detail_codes`) and words them (`explanation`).

CODE_ORDER = [
    "age",
    "age_partly",
    "theme",
    "language",
    "neighbourhood",
    "free",
    "reduced",
    "day",
    "time",
    "seats",
    "full",
    "soon",
]
QUESTION_KINDS = {"age", "age_partly", "theme", "language", "neighbourhood", "day", "time"}
MAX_THEMES_SHOWN = 3
MAX_LANGUAGES_SHOWN = 2
MAX_DAYS_SHOWN = 3


def kind(code: str) -> str:
    return code.split(":", 1)[0]


def explain(question: Question, offer: OfferFeatures) -> list[str]:
    """The reasons an offer fits a question, as short codes in a fixed order."""
    codes: list[str] = []
    if question.age_bands:
        covered = question.age_bands & bands_covered(offer.age_min_months, offer.age_max_months)
        if covered == question.age_bands:
            codes.append("age")
        elif covered:
            codes.append("age_partly")
    codes += [f"theme:{t}" for t in sorted(question.themes & offer.themes)[:MAX_THEMES_SHOWN]]
    shared = sorted(question.languages & offer.languages, key=lambda c: (c == "nl", c))
    codes += [f"language:{c}" for c in shared[:MAX_LANGUAGES_SHOWN]]
    if question.neighbourhood and question.neighbourhood == offer.neighbourhood:
        codes.append("neighbourhood")
    if offer.cost_kind in ("free", "reduced"):
        codes.append(offer.cost_kind)
    days = [d for d in WEEKDAYS if d in question.days and d in offer.days]
    codes += [f"day:{d}" for d in days[:MAX_DAYS_SHOWN]]
    part = time_of_day(offer.start_hour)
    if part in question.times:
        codes.append(f"time:{part}")
    if offer.sessions_soon:
        if offer.capacity is None:
            codes.append("soon")
        else:
            codes.append("seats" if offer.seats_left else "full")
    return codes


def stored_codes(codes: Iterable[str]) -> list[str]:
    """The kinds of the codes, once each: what may be kept (no family values)."""
    kinds: list[str] = []
    for code in codes:
        if kind(code) not in kinds:
            kinds.append(kind(code))
    return kinds


def detail_codes(stored: Iterable[str], question: Question, offer: OfferFeatures) -> list[str]:
    """Stored kinds back to detailed codes, from the question and offer as they are now.

    The kinds about the question are re-derived (a kind that no longer holds is dropped); the
    kinds about the offer's cost and seats are kept as stored (they came from the sessions).
    """
    wanted = set(stored)
    fresh = [c for c in explain(question, offer) if kind(c) in QUESTION_KINDS & wanted]
    kept = [c for c in wanted if c not in QUESTION_KINDS and c in CODE_ORDER]
    return sorted(fresh + kept, key=lambda c: CODE_ORDER.index(kind(c)))


def _locale():
    return get_locale() or Locale.parse("en")


def _language_name(code: str, locale) -> str:
    return locale.languages.get(code) or LANGUAGE_NAMES.get(code, code)


def explanation(codes: Sequence[str]) -> str:
    """One translated line: "Right age · speaks Turkish · same neighbourhood · free · on Monday
    mornings". Codes without their detail (see `detail_codes`) are left out."""

    locale = _locale()
    by_kind: dict[str, list[str]] = {}
    for code in codes:
        by_kind.setdefault(kind(code), []).append(code.split(":", 1)[1] if ":" in code else "")
    day_names = get_day_names("wide", locale=locale)
    days = [day_names[WEEKDAYS.index(d)] for d in by_kind.get("day", []) if d in WEEKDAYS]
    part = next((t for t in by_kind.get("time", []) if t in TIMES), "")
    parts: list[str] = []
    for name in CODE_ORDER:
        values = [v for v in by_kind.get(name, []) if v or name not in ("theme", "language")]
        if name not in by_kind or not values:
            continue
        if name == "age":
            parts.append(_("right age"))
        elif name == "age_partly":
            parts.append(_("suits some of the children's ages"))
        elif name == "theme":
            parts.append(_("about %(themes)s", themes=format_list(values, locale=locale)))
        elif name == "language":
            names = [_language_name(v, locale) for v in values]
            parts.append(_("speaks %(languages)s", languages=format_list(names, locale=locale)))
        elif name == "neighbourhood":
            parts.append(_("same neighbourhood"))
        elif name == "free":
            parts.append(_("free"))
        elif name == "reduced":
            parts.append(_("reduced rate possible"))
        elif name == "day" and days:
            listed = format_list(days, locale=locale)
            if part == "morning":
                parts.append(_("on %(days)s mornings", days=listed))
            elif part == "afternoon":
                parts.append(_("on %(days)s afternoons", days=listed))
            elif part == "evening":
                parts.append(_("on %(days)s evenings", days=listed))
            else:
                parts.append(_("on %(days)s", days=listed))
        elif name == "time" and part and not days:
            parts.append(
                {
                    "morning": _("in the morning"),
                    "afternoon": _("in the afternoon"),
                    "evening": _("in the evening"),
                }[part]
            )
        elif name == "seats":
            parts.append(_("places left"))
        elif name == "full":
            parts.append(_("full in the coming four weeks"))
        elif name == "soon":
            parts.append(_("a session in the coming four weeks"))
    line = " · ".join(parts)
    return line[:1].upper() + line[1:]
