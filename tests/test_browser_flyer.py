"""The flyer in a real browser: its QR code, read back from a screenshot, opens the families'
page with the same choices, and that page lists the same activities.

Debian's Chromium draws the page (the QR code is SVG made on the server); zxing-cpp reads the
code from the PNG the way a phone's camera would. Skipped when Chromium is missing, unless
DORP_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser_support import AxeAudit, require_chromium

require_chromium()

import zxingcpp  # noqa: E402
from PIL import Image  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from tests import flyer_world as w  # noqa: E402
from tests.browser_fixtures import TIMEOUT_MS, Live  # noqa: E402,F401  (fixtures: conftest plugin)

pytestmark = pytest.mark.browser


def _read_qr(png: bytes) -> str:
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    qr = [c for c in codes if c.format == zxingcpp.BarcodeFormat.QRCode]
    assert len(qr) == 1, f"expected one QR code in the screenshot, read {codes}"
    return qr[0].text


def _no_sideways_scroll(page, width: int) -> None:
    inner, scroll = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
    assert inner == width and scroll <= inner + 1, f"{scroll}px of content in {inner}px"


def test_the_flyers_qr_code_opens_the_same_filtered_page(app, live, new_page):
    world = w.build(app)
    day = world.day
    axe = AxeAudit()
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live.url}/beringen/")
    # the family chooses on the families' page, then asks for the paper version
    page.goto(f"{live.url}/beringen/?age=2&neighbourhood={w.MIJN}&language=ar&day={day.weekday()}")
    page.locator("main a[href*='/flyer']").click()
    expect(page).to_have_url(
        f"{live.url}/beringen/flyer?age=2&day={day.weekday()}&neighbourhood={w.MIJN}&language=ar"
    )
    page.goto(page.url + f"&from={day.isoformat()}")  # the week the chosen day falls in
    cards = page.locator("main .dorp-flyer-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(w.WANTED)
    flyer_titles = set(page.locator("main .dorp-flyer-card h3").all_inner_texts())
    axe.check(page, "flyer (1280)")

    link = _read_qr(page.screenshot(full_page=True))
    printed = page.locator("main .dorp-flyer-url").inner_text()
    assert link == printed, (link, printed)
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == live.app.config["BASE_URL"]
    assert parse_qs(parts.query) == {
        "age": ["2"],
        "day": [str(day.weekday())],
        "neighbourhood": [w.MIJN],
        "language": ["ar"],
        "lang": ["nl"],
    }

    # following the code: the families' page, filtered the same way, lists the same activities
    page.goto(f"{live.url}{parts.path}?{parts.query}")
    sessions = page.locator("main article.dorp-session")
    expect(sessions.first).to_be_visible()
    page_titles = set(sessions.locator("h3").all_inner_texts())
    assert page_titles == flyer_titles == {w.WANTED}
    expect(page.get_by_label(live.t("Age of my child"), exact=True)).to_have_value("2")

    # on a phone, in Arabic, the flyer fits and its code still reads
    phone = new_page(viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True)
    phone.goto(f"{live.url}/beringen/flyer?from={day}&age=2&language=ar&lang=ar")
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    _no_sideways_scroll(phone, 375)
    axe.check(phone, "flyer (375, ar)")
    assert parse_qs(urlsplit(_read_qr(phone.screenshot(full_page=True))).query) == {
        "age": ["2"],
        "language": ["ar"],
        "lang": ["ar"],
    }
    assert not axe.problems, axe.report()


def test_a_printed_flyer_keeps_every_card_whole(app, live, new_page):
    world = w.build(app)
    page = new_page(viewport={"width": 794, "height": 1123})
    page.goto(f"{live.url}/beringen/flyer?period=month&from={world.day}")
    page.emulate_media(media="print")
    expect(page.locator("main form")).to_be_hidden()
    cards = page.locator("main .dorp-flyer-card")
    assert cards.count() >= 4
    styles = cards.evaluate_all("cs => cs.map(c => getComputedStyle(c).breakInside)")
    assert set(styles) == {"avoid"}, styles
    qr = page.locator("main .dorp-flyer-qr")
    assert qr.evaluate("e => getComputedStyle(e).breakInside") == "avoid"
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
