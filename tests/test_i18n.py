"""Template text and dates in the page's language: the kept translations and formatted days
must follow the language of each page, not the first page a process served."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import render_template_string
from flask_babel import force_locale, format_date

DAYS = "{{ late|date('medium') }}|{{ aware|date('long') }}|{{ day|date }}|{{ none|date('short') }}"


def _values():
    return {
        # 23:30 UTC on 28 March 2026 is already the 29th in Brussels (UTC+1)
        "late": datetime(2026, 3, 28, 23, 30),
        "aware": datetime(2026, 7, 1, 22, 15, tzinfo=UTC),  # the 2nd in summer time (UTC+2)
        "day": date(2026, 12, 31),
        "none": None,
    }


@pytest.mark.parametrize("language", ["nl", "en", "nl"])
def test_the_date_filter_shows_the_local_day_in_the_pages_language(app, language):
    with app.test_request_context(f"/?lang={language}"), force_locale(language):
        shown = render_template_string(DAYS, **_values()).split("|")
        expected = [
            format_date(datetime(2026, 3, 28, 23, 30), "medium"),
            format_date(datetime(2026, 7, 1, 22, 15, tzinfo=UTC), "long"),
            format_date(date(2026, 12, 31)),
            format_date(None, "short"),
        ]
    assert shown == expected
    assert shown[0] == {"nl": "29 mrt 2026", "en": "Mar 29, 2026"}[language]
    assert shown[1] == {"nl": "2 juli 2026", "en": "July 2, 2026"}[language]


def test_the_same_date_follows_each_pages_language(app):
    due = datetime(2026, 5, 4, 8, 0)
    shown = {}
    for language in ("nl", "en", "nl", "en"):
        with app.test_request_context(f"/?lang={language}"), force_locale(language):
            shown.setdefault(language, set()).add(
                render_template_string("{{ due|date('full') }}", due=due)
            )
    assert shown == {"nl": {"maandag 4 mei 2026"}, "en": {"Monday, May 4, 2026"}}


def test_template_text_follows_each_pages_language_inside_and_outside_macros(app):
    page = (
        '{% macro note() %}{{ _("Log in") }}{% endmacro %}'
        '{{ _("Log in") }}|{{ note() }}|{{ _("Page %(number)d of %(pages)d", number=2, pages=3) }}'
    )
    seen = {}
    for language in ("en", "nl", "en"):
        with app.test_request_context(f"/?lang={language}"), force_locale(language):
            seen.setdefault(language, set()).add(render_template_string(page))
    assert seen == {
        "en": {"Log in|Log in|Page 2 of 3"},
        "nl": {"Aanmelden|Aanmelden|Pagina 2 van 3"},
    }


def test_dates_a_day_apart_around_midnight_stay_a_day_apart(app):
    evening = datetime(2026, 11, 30, 22, 59)  # 23:59 in Brussels
    with app.test_request_context("/?lang=nl"), force_locale("nl"):
        first = render_template_string("{{ d|date('medium') }}", d=evening)
        second = render_template_string("{{ d|date('medium') }}", d=evening + timedelta(minutes=2))
    assert (first, second) == ("30 nov 2026", "1 dec 2026")


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nl", "19,5|19|1.234,5|0,01|+3,2|-1,5|–"), ("en", "19.5|19|1,234.5|0.01|+3.2|-1.5|–")],
)
def test_numbers_are_written_the_pages_way_without_a_needless_zero(app, language, expected):
    """Hours and seconds on staff pages: a decimal comma in Dutch, never "19.0" (#19)."""
    template = (
        "{{ 19.5|decimal }}|{{ 19.0|decimal }}|{{ 1234.46|decimal }}|{{ 0.0123|decimal(2) }}|"
        "{{ 3.21|decimal(1, signed=True) }}|{{ -1.5|decimal(1, signed=True) }}|{{ none|decimal }}"
    )
    with app.test_request_context(f"/?lang={language}"), force_locale(language):
        assert render_template_string(template, none=None) == expected
