"""The flyer keeps what the family chose, links back to it with a QR code, and never fails."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from tests import flyer_world as w


@pytest.fixture
def world(app):
    return w.build(app)


def _get(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    assert "Set-Cookie" not in response.headers  # nothing is kept about a family
    return response.get_data(as_text=True)


def _titles(body: str) -> set[str]:
    return {unescape(t) for t in re.findall(r'<h[23][^>]*lang="[a-z]+">([^<]+)</h[23]>', body)}


def _qr_link(body: str) -> str:
    match = re.search(r'<p class="dorp-flyer-url[^"]*" dir="ltr"><a href="([^"]+)">', body)
    assert match, "the flyer prints no address beside its QR code"
    return unescape(match.group(1))


def test_the_flyer_keeps_age_day_neighbourhood_and_language(app, world):
    anonymous = app.test_client()
    day = world.day
    everything = _get(anonymous, f"/beringen/flyer?from={day}")
    assert _titles(everything) == {w.WANTED, w.TOO_OLD, w.ELSEWHERE_IN_TOWN, w.ONLY_DUTCH}

    query = f"from={day}&age=2&day={day.weekday()}&neighbourhood={w.MIJN}&language=ar"
    chosen = _get(anonymous, f"/beringen/flyer?{query}")
    assert _titles(chosen) == {w.WANTED}
    assert chosen.count("dorp-flyer-card") == 1  # the one day of the week chosen
    link = urlsplit(_qr_link(chosen))
    assert link.scheme + "://" + link.netloc == "http://localhost"
    assert link.path == "/beringen/"
    assert parse_qs(link.query) == {
        "age": ["2"],
        "day": [str(day.weekday())],
        "neighbourhood": [w.MIJN],
        "language": ["ar"],
        "lang": ["nl"],
    }
    assert '<svg aria-hidden="true" focusable="false" viewBox=' in chosen  # the QR code itself
    # the families' page at that address shows the same activity and nothing else
    page = _get(anonymous, f"{link.path}?{link.query}")
    assert w.WANTED in page
    for title in (w.TOO_OLD, w.ELSEWHERE_IN_TOWN, w.ONLY_DUTCH, w.OTHER_NETWORK):
        assert title not in page
    # the choices are printed in words under the title
    assert "Voor een kind van 2 jaar" in chosen or "For a child of 2 years" in chosen


def test_the_families_page_hands_its_filters_to_the_flyer(app, world):
    body = _get(app.test_client(), f"/beringen/?age=2&neighbourhood={w.MIJN}&language=ar")
    href = unescape(re.search(r'href="(/beringen/flyer[^"]*)"', body).group(1))
    assert parse_qs(urlsplit(href).query) == {
        "age": ["2"],
        "neighbourhood": [w.MIJN],
        "language": ["ar"],
    }


def test_a_month_lists_each_activity_once_with_its_dates(app, world):
    anonymous = app.test_client()
    body = _get(anonymous, f"/beringen/flyer?period=month&from={world.day}&age=2&language=ar")
    assert _titles(body) == {w.WANTED, w.ELSEWHERE_IN_TOWN}
    assert body.count('class="dorp-flyer-card"') == 2
    first_card = body.split('class="dorp-flyer-card"')[1]
    dates = re.findall(r"<li[^>]*>([^<]+)</li>", first_card.split("</ul>")[0])
    assert len(dates) >= 2  # a daily activity has several dates in the month


def test_the_flyer_shows_only_this_networks_activities(app, world):
    anonymous = app.test_client()
    theirs = world.offers[w.OTHER_NETWORK]
    for query in ("", "&age=2&language=ar", f"&partner={theirs.id}", "&period=month"):
        body = _get(anonymous, f"/beringen/flyer?from={world.day}{query}")
        assert w.OTHER_NETWORK not in body, query
    body = _get(anonymous, f"/sint-truiden/flyer?from={world.day}&age=2&language=ar")
    assert _titles(body) == {w.OTHER_NETWORK}
    assert "/sint-truiden/?age=2&amp;language=ar" in body


def test_an_empty_week_is_a_friendly_page(app, world):
    anonymous = app.test_client()
    later = world.day + timedelta(days=60)
    body = _get(anonymous, f"/beringen/flyer?from={later}&age=2")
    assert "dorp-flyer-card" not in body
    assert "dorp-flyer-empty" in body
    assert "staat er niets gepland" in body or "Nothing planned" in body
    assert "dorp-qr" in body  # the paper still leads to the web page


@pytest.mark.parametrize(
    "query",
    [
        "neighbourhood=Nergenshuizen",
        "language=xx",
        "language=<script>",
        "age=abc",
        "age=99",
        "day=8",
        "period=year",
        "from=gisteren",
        "partner=999999",
        "location=-3",
    ],
)
def test_unknown_choices_are_left_out_and_said_so(app, world, query):
    anonymous = app.test_client()
    body = _get(anonymous, f"/beringen/flyer?{query}&neighbourhood={w.MIJN}")
    if "neighbourhood=Nergenshuizen" not in query:
        assert "Nergenshuizen" not in body
    assert 'class="alert alert-info no-print" role="status"' in body
    link = urlsplit(_qr_link(body))
    assert set(parse_qs(link.query)) <= {"neighbourhood", "lang"}


def test_the_flyer_in_arabic_keeps_the_language_in_its_link(app, world):
    body = _get(app.test_client(), f"/beringen/flyer?from={world.day}&lang=ar")
    assert '<html lang="ar" dir="rtl">' in body
    assert parse_qs(urlsplit(_qr_link(body)).query) == {"lang": ["ar"]}
