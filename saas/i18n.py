"""Interface language: Dutch first, English second; chosen by link, account, network or browser."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from datetime import date as date_type
from datetime import time as time_type
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_interval
from babel.dates import format_timedelta as babel_format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as babel_format_decimal
from babel.numbers import format_percent as babel_format_percent
from flask import Flask, current_app, g, has_request_context, redirect, request, url_for
from flask_babel import (
    format_date,
    format_datetime,
    format_time,
    get_locale,
    get_timezone,
    get_translations,
    gettext,
    ngettext,
    to_user_timezone,
)
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from saas.partners.models import LANGUAGE_NAMES
from saas.security import is_safe_next

LANG_COOKIE = "dorp_lang"
SOURCE = Path(__file__).resolve().parent / "translations"


def compile_catalogues(instance_path: str) -> str:
    """Compile the .po catalogues into instance/translations when they changed; return that folder.

    Compiled files are build output: they are never committed, and a read-only code tree works.
    """

    target = Path(instance_path) / "translations"
    for po in SOURCE.glob("*/LC_MESSAGES/messages.po"):
        mo = target / po.relative_to(SOURCE).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as source:
            catalogue = read_po(source, locale=po.parent.parent.name)
        fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalogue, use_fuzzy=False)
        os.replace(tmp, mo)  # atomic: parallel workers never read half a file
    return str(target)


PUBLIC_BLUEPRINTS = {"public"}
RTL = {"ar"}


def supported() -> list[str]:
    """Families' pages speak five languages; the staff interface Dutch and English."""

    if has_request_context() and request.blueprint in PUBLIC_BLUEPRINTS:
        return current_app.config["PUBLIC_LANGUAGES"]
    return current_app.config["LANGUAGES"]


def select_locale() -> str:

    if not has_request_context():  # CLI and workers: Dutch, unless a caller forces a locale
        return "nl"
    langs = supported()
    if request.blueprint == "api":  # machines say what they want in Accept-Language
        return request.accept_languages.best_match(langs) or "nl"
    chosen = request.args.get("lang")
    if chosen in langs:
        return chosen
    cookie = request.cookies.get(LANG_COOKIE)
    if request.blueprint in PUBLIC_BLUEPRINTS and cookie in langs:
        return cookie  # a family's own choice on the public pages
    if current_user and current_user.is_authenticated and current_user.language in langs:
        return current_user.language
    if cookie in langs:
        return cookie
    browser = request.accept_languages.best_match(langs)
    if browser:
        return browser
    network = g.get("network")
    if network is not None and network.default_language in langs:
        return network.default_language
    return "nl"


def register(app: Flask) -> None:
    @app.route("/language/<code>", methods=["POST", "GET"])
    def set_language(code: str):
        target = request.values.get("next")
        if not is_safe_next(target):
            target = url_for("site.home")
        response = redirect(target)
        if code in app.config["PUBLIC_LANGUAGES"]:
            response.set_cookie(
                LANG_COOKIE,
                code,
                max_age=365 * 24 * 3600,
                secure=app.config["SESSION_COOKIE_SECURE"],
                httponly=True,
                samesite="Lax",
            )
            if (
                current_user.is_authenticated
                and current_user.language != code
                and code in app.config["LANGUAGES"]
            ):
                current_user.language = code
        return response

    _install_template_gettext(app)
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_day
    app.jinja_env.filters["time"] = format_time
    app.jinja_env.filters["period"] = format_period
    app.jinja_env.filters["ago"] = format_ago
    app.jinja_env.filters["decimal"] = format_number
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["hours"] = format_hours
    app.jinja_env.filters["times"] = format_times
    app.jinja_env.filters["first_upper"] = first_upper
    app.jinja_env.filters["language_name"] = lambda code: LANGUAGE_NAMES.get(code, code)

    @app.context_processor
    def _languages():
        language = str(get_locale())
        return {
            "here_without_lang": here_without_lang,
            "language_label": lambda code: LANGUAGE_NAMES.get(code, code),
            "languages": supported(),
            "current_language": language,
            "text_direction": "rtl" if language in RTL else "ltr",
        }


def here_without_lang() -> str:
    """This page's path and query without `lang`: where the language switch comes back to, so a
    link that named a language (`?lang=ar`) does not outvote the language just chosen."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return request.path + (f"?{urlencode(args)}" if args else "")


def _install_template_gettext(app: Flask) -> None:
    """Templates' `_()` and `gettext()`, with each message looked up once per language.

    Jinja's i18n extension asks Flask-Babel for the catalogue on every call (about 45 µs, most of
    it finding the request's locale and domain); a page says thirty to forty of them. The
    catalogues do not change while the process runs, so the finished text is kept per (language,
    message, autoescape). The rest is Jinja's "newstyle" gettext: marked safe only when
    autoescaping, and always `%`-formatted with the keyword variables (escaped when autoescaping).
    """

    @lru_cache(maxsize=8192)
    def translated(locale, message: str) -> str:
        return get_translations().ugettext(message)

    def formatted(text: str, autoescape: bool, variables: dict):
        # our own catalogue's text is trusted markup, as in Jinja's gettext; variables are escaped
        return (Markup(text) if autoescape else text) % variables  # noqa: S704

    @lru_cache(maxsize=8192)
    def finished(locale, message: str, autoescape: bool):
        return formatted(translated(locale, message), autoescape, {})

    @pass_context
    def gettext(context, message: str, **variables):
        autoescape = context.eval_ctx.autoescape
        language = _page_language(context)
        if not variables:
            return finished(language, message, autoescape)
        return formatted(translated(language, message), autoescape, variables)

    app.jinja_env.globals.update(gettext=gettext, _=gettext)


def _page_language(context) -> str:
    """The language of the page being rendered, as the `_languages` context processor put it in
    the context (a macro imported without the context asks Flask-Babel)."""
    return context.get("current_language") or str(get_locale())


@pass_context
def format_day(context, value=None, format: str | None = None, rebase: bool = True) -> str:
    """Flask-Babel's `format_date` as the template filter `date`, each (value, format, language,
    time zone) formatted once per process: a list page shows the same rows' dates on every
    view, and each costs Babel a pattern walk and a time-zone move. The language is the page's
    (`current_language`, as for `_()`)."""
    if not isinstance(value, date_type):  # None (today) or what Babel itself turns down
        return format_date(value, format, rebase)
    return _day(value, format, rebase, _page_language(context), get_timezone())


@lru_cache(maxsize=4096)
def _day(value: date_type, format: str | None, rebase: bool, language: str, zone) -> str:
    # `language` and `zone` are the request's (Flask-Babel reads them there): in the key only
    return format_date(value, format, rebase)


@pass_context
def format_period(context, first: date_type, last: date_type, skeleton: str = "yMMMd") -> str:
    """A period from its first to its LAST day, both shown (`{{ first|period(last) }}`): the one
    way a period is written (rosters, their e-mail, a worker's week and feed), e.g. "7 dec 2026 –
    3 jan 2027", in the page's language (Babel's `format_interval` drops what both ends share)."""
    return period_text(first, last, _page_language(context), skeleton)


@lru_cache(maxsize=1024)
def period_text(first: date_type, last: date_type, language: str, skeleton: str = "yMMMd") -> str:
    """`format_period` outside a template (a calendar feed's name, a flash message)."""
    if first == last:
        return babel_format_date(first, "medium", locale=language)
    return format_interval(first, last, skeleton, locale=language)


@pass_context
def format_ago(context, moment: datetime) -> str:
    """How long ago a moment was, in the page's language: "7 minuten geleden", "2 days ago";
    under a minute (or a clock a little ahead) is "just now"."""
    return ago_text(moment, _page_language(context))


def ago_text(moment: datetime, language: str, now: datetime | None = None) -> str:
    delta = moment - (now or datetime.now(UTC))
    if delta.total_seconds() > -60:
        return gettext("just now")
    return babel_format_timedelta(delta, granularity="minute", add_direction=True, locale=language)


def language_now() -> str:
    """The language figures are written in outside a template: the request's (or the one a
    `force_locale` block chose), Dutch for the CLI and workers, English without an app at all
    (a bare unit test of a table)."""
    locale = get_locale()
    return str(locale) if locale is not None else "en"


def number_text(value, digits: int = 1, language: str | None = None, signed: bool = False) -> str:
    """A number rounded to at most `digits` decimals, in `language` (default: the current one):
    "19,5" in Dutch and French, "19.5" in English; "19", never "19.0". The one way a number is
    written on pages, in e-mails, CSV files, the PDF report and charts."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    text = babel_format_decimal(value, format=pattern, locale=language or language_now())
    return f"+{text}" if signed and value > 0 else text


def percent_text(value, digits: int = 1, language: str | None = None) -> str:
    """A percentage given in points (87.93 for 87.93 %), rounded to at most `digits` decimals,
    in the language's own pattern (Babel, CLDR): "87,9%" in Dutch, "87.9%" in English,
    "87,9 %" in French, "%87,9" in Turkish."""
    if value is None:
        return "–"
    share = Decimal(str(round(float(value), digits))) / 100
    return babel_format_percent(
        share, locale=language or language_now(), decimal_quantization=False
    )


def hours_text(value, digits: int = 1) -> str:
    """A number of hours with its unit, in words: "106,5 uur", "106.5 hours", "1 hour". The one
    way hours are written, so a tile and the table beside it agree."""
    if value is None:
        return "–"
    rounded = round(float(value), digits)
    # the plural form of a whole number is its own; a fraction reads as plural ("1.5 hours")
    count = int(rounded) if rounded == int(rounded) else 2
    return ngettext("%(hours)s hour", "%(hours)s hours", count, hours=number_text(rounded, digits))


@pass_context
def format_number(context, value, digits: int = 1, signed: bool = False) -> str:
    """`number_text` as the template filter `decimal` (`{{ hours|decimal }}`), in the page's
    language."""
    return number_text(value, digits, _page_language(context), signed)


@pass_context
def format_percent(context, value, digits: int = 1) -> str:
    """`percent_text` as the template filter `percent` (`{{ rate|percent }}`)."""
    return percent_text(value, digits, _page_language(context))


def first_upper(text) -> str:
    """Text at the start of a line or heading: its first letter upper case and the rest as the
    language wrote it. Jinja's `capitalize` lowers the rest, which turns "Thursday, December 3"
    into "Thursday, december 3" and a Turkish "3 Aralık 2026 Perşembe" into "3 aralık 2026
    perşembe"."""
    text = str(text)
    return text[:1].upper() + text[1:]


def format_hours(value, digits: int = 1) -> str:
    """`hours_text` as the template filter `hours` (`{{ median|hours }}`)."""
    return hours_text(value, digits)


def time_range_text(
    start: datetime | time_type, end: datetime | time_type, language: str | None = None
) -> str:
    """From one time to another as the language writes it (Babel's `format_interval`):
    "08:30–09:30" in Dutch, "8:30 – 9:30 AM" in English. Moments are shown in the viewer's
    time zone, as the `time` filter does."""
    if isinstance(start, datetime):
        start, end = to_user_timezone(start).time(), to_user_timezone(end).time()
    return _time_range(start, end, language or language_now())


@lru_cache(maxsize=2048)
def _time_range(start: time_type, end: time_type, language: str) -> str:
    locale = Locale.parse(language)
    twelve_hours = "h" in locale.time_formats["short"].pattern
    return format_interval(start, end, "hm" if twelve_hours else "Hm", locale=locale)


@pass_context
def format_times(context, start, end) -> str:
    """`time_range_text` as the template filter `times` (`{{ s.starts_at|times(s.ends_at) }}`)."""
    return time_range_text(start, end, _page_language(context))


def labels(choices: type) -> dict:
    """Every member's translated `label` of an enum (statuses, kinds), worked out once per
    language instead of one catalogue lookup per use."""
    return _labels(choices, str(get_locale()))


@lru_cache(maxsize=512)
def _labels(choices: type, locale: str) -> dict:
    return {member: member.label for member in choices}
