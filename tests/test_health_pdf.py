"""The network-health PDF for the council: the page's charts drawn in it, and table headers
wrapped between words, never inside one. Read back from the PDF bytes (tests/pdf_reading.py)."""

from __future__ import annotations

import os
import re

import pytest

from saas.insights import charts, export
from tenants.models import Role
from tests import factories as f
from tests.insights_fixture import build
from tests.pdf_reading import page_contents, shown_text

URL = "/beringen/municipality/report.pdf"
YEAR = {"kind": "year", "year": "2025"}
FILL = re.compile(rb"([\d.]+) ([\d.]+) ([\d.]+) rg")


def _fills_in(contents: bytes, colour: str) -> int:
    """How often the pages choose `colour` ("#1f5f8b") to fill with."""
    want = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    return sum(
        all(abs(float(v) - w) < 0.002 for v, w in zip(m.groups(), want, strict=True))
        for m in FILL.finditer(contents)
    )


@pytest.fixture
def fx(app):
    return build(app)


@pytest.fixture
def viewer(app, client, fx):
    f.login(client, f.user(app, "beleid@beringen.example", (fx.network, Role.MUNICIPALITY_VIEWER)))
    return client


def _report(viewer, language: str) -> bytes:
    response = viewer.get(URL, query_string={**YEAR, "lang": language})
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    if os.environ.get("DORP_KEEP_PDF"):  # to look at it: pdftoppm turns it into pictures
        with open(os.environ["DORP_KEEP_PDF"] + f"-{language}.pdf", "wb") as out:
            out.write(response.data)
    return response.data


def _health(app, fx, language: str):
    from saas.insights import figures
    from saas.insights.period import Period
    from tenants.context import network_scope

    with app.test_request_context(f"/?lang={language}"), network_scope(fx.network.id):
        health = figures.health(Period("year", 2025))
        return health, {name: str(svg) for name, svg in charts.for_health(health).items()}


def _svg_texts(svg: str) -> list[str]:
    body = re.sub(r"<title.*?</title>|<desc.*?</desc>", "", svg, flags=re.S)
    return [t for t in re.findall(r"<text[^>]*>([^<]*)</text>", body) if t.strip()]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_pdf_draws_the_charts_of_the_page(app, viewer, fx, language):
    from html import unescape

    pdf = _report(viewer, language)
    _health_figures, drawn = _health(app, fx, language)
    contents = b"\n".join(page_contents(pdf))
    # every chart of the page is drawn: bars filled in the chart's colour, as vector paths
    bars = sum(svg.count(charts.BAR) for svg in drawn.values())
    assert bars > 9
    assert _fills_in(contents, charts.BAR) >= len(drawn)
    assert re.search(rb"[\d.]+ [\d.]+ m [\d.]+ [\d.]+ l", contents), "no path drawn"
    # and the words of each chart (its labels and numbers) are written in the PDF
    shown = {s.text.strip() for s in shown_text(pdf)}
    for name, svg in drawn.items():
        missing = [t for t in _svg_texts(svg) if unescape(t).replace("…", "...") not in shown]
        assert not missing, f"chart {name}: {missing[:5]}"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_table_header_word_is_split_across_lines(app, viewer, fx, language):
    pdf = _report(viewer, language)
    health, _drawn = _health(app, fx, language)
    headers = {
        export._latin(label)  # as the PDF's core font writes it
        for table in health.tables().values()
        for label in table.rows_text()[0][1:]
        if label
    }
    long_words = {w for h in headers for w in h.split() if len(w) >= 8}
    assert long_words, "the fixture's headers have no long words to test with"
    bold_small = [s.text for s in shown_text(pdf) if s.font.endswith("Bold") and s.size <= 8]
    assert bold_small, "no table header found in the PDF"
    lines_words = {w for line in bold_small for w in line.split()}
    for header in headers:
        for word in header.split():
            assert word in lines_words, f"header {header!r}: {word!r} is cut in two"
    # and no header line holds a piece of a header word (what a cut leaves on each line)
    header_words = {w for h in headers for w in h.split()}
    pieces = {w for w in lines_words - header_words if len(w) >= 3 and w.isalpha()}
    cut = {p for p in pieces for w in header_words if p in w}
    assert not cut, f"pieces of header words on their own line: {sorted(cut)}"
