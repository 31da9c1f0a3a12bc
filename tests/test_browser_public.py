"""The families' pages on a small phone (320 and 375 px) in Dutch and Arabic: the families' page,
an activity page and the flyer fit the screen (no sideways scrolling: a badge listing five
languages wraps), axe finds nothing serious or critical (a cancelled session's colours
included), and Arabic reads right to left with its times left to right.

One live server and one browser page for the whole module (the world is seeded once), so the
twelve page × width × language checks stay quick. Debian's Chromium driven by Playwright;
skipped when Chromium is missing, unless DORP_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from tests.browser_support import AxeAudit, LiveServer, require_chromium

require_chromium()

from playwright.sync_api import expect  # noqa: E402

from saas.catalogue.models import ActivitySession, Offer, OrganiserRole  # noqa: E402
from saas.extensions import db  # noqa: E402
from saas.partners.models import Partner, Sector  # noqa: E402
from tenants.context import network_scope  # noqa: E402
from tests import catalogue_factories as cf  # noqa: E402
from tests import factories as f  # noqa: E402
from tests.browser_fixtures import TIMEOUT_MS  # noqa: E402
from tests.browser_support import BROWSER_LOCALE  # noqa: E402

pytestmark = pytest.mark.browser

WIDTHS = (320, 375)
LANGUAGES = ("nl", "ar")
FIVE = ["nl", "tr", "ar", "fr", "en"]


def _seed(app) -> int:
    """This week's sessions of an offer in five languages with a long title, a co-organiser and
    a cancelled session; returns the offer's id."""
    from sqlalchemy import select

    from saas.catalogue import services

    net = f.network(app, "beringen")
    owner = f.partner(app, net, "Kind & Gezin Beringen-Mijn en Beverlo", Sector.HEALTH)
    host = f.partner(app, net, "Basisschool De Mijnlamp", Sector.EDUCATION)
    place = cf.place(app, net, name="Ontmoetingscentrum 't Kruispunt", neighbourhood="Koersel")
    today = date.today()
    offer = cf.offer(
        app,
        net,
        owner,
        title="Babysalon: babymassage, hechting en borstvoeding voor jonge ouders",
        location=place,
        start=today,
        start_time=time(23, 0),
        end_time=time(23, 45),
        rrule=f"FREQ=DAILY;UNTIL={today + timedelta(days=13):%Y%m%d}",
        skip_public_holidays=False,
        code="babysalon",
        themes=["spelen", "voorlezen", "taal"],
        languages=FIVE,
    )
    with app.test_request_context(), network_scope(net.id):
        row = db.session.get(Offer, offer.id)
        services.set_organiser(row, db.session.get(Partner, host.id), OrganiserRole.HOST)
        second = (
            db.session.execute(
                select(ActivitySession)
                .where(ActivitySession.offer_id == offer.id)
                .order_by(ActivitySession.starts_at)
                .offset(1)
            )
            .scalars()
            .first()
        )
        services.cancel_session(second, "Vroedvrouw ziek")
        db.session.commit()
    return offer.id


@pytest.fixture(scope="module")
def site(_migrated, environ, browser):
    """The seeded world behind one live server and one page, emptied again afterwards."""
    from tests.conftest import _wipe

    app = _migrated
    offer_id = _seed(app)
    context = browser.new_context(locale=BROWSER_LOCALE)
    context.set_default_timeout(TIMEOUT_MS)
    broken: list[str] = []
    context.on(
        "response",
        lambda r: r.status >= 400 and broken.append(f"{r.status} {r.url}"),
    )
    try:
        with LiveServer(app) as url:
            yield url, offer_id, context.new_page()
    finally:
        context.close()
        _wipe(environ)
    assert not broken, f"pages or files that did not load: {broken}"


def _pages(offer_id: int) -> dict[str, str]:
    return {
        "families' page": "/beringen/",
        "activity page": f"/beringen/activity/{offer_id}",
        "flyer": "/beringen/flyer",
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_fit_a_small_phone_and_pass_axe(site, language):
    url, offer_id, page = site
    axe = AxeAudit()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for name, path in _pages(offer_id).items():
            page.goto(f"{url}{path}?lang={language}")
            expect(page.locator("html")).to_have_attribute(
                "dir", "rtl" if language == "ar" else "ltr"
            )
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll == width, f"{name} ({language}) scrolls sideways at {width} px: {scroll}"
            axe.check(page, f"{name} {language} {width}px")
    assert not axe.problems, axe.report()


def test_five_language_badges_wrap_and_arabic_times_read_left_to_right(site):
    url, offer_id, page = site
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{url}/beringen/?lang=ar")
    card = page.locator("article.dorp-session").first
    badges = card.locator(".dorp-badges .badge")
    expect(badges).to_have_count(2 + len(FIVE))  # free, no registration, five languages
    rects = badges.evaluate_all("els => els.map(e => e.getBoundingClientRect().toJSON())")
    assert len({round(r["y"]) for r in rects}) > 1, "the badges stay on one line"
    box = card.bounding_box()
    for r in rects:  # every badge inside its card
        assert box["x"] - 1 <= r["x"] and r["x"] + r["width"] <= box["x"] + box["width"] + 1
    time_ = card.locator(".dorp-when bdi")
    expect(time_).to_have_attribute("dir", "ltr")
    assert time_.evaluate("e => getComputedStyle(e).direction") == "ltr"
    # the cancelled session says so in words, not by colour alone
    expect(page.locator("article.is-cancelled .dorp-flag-cancelled").first).to_be_visible()

    page.goto(f"{url}/beringen/activity/{offer_id}?lang=ar")
    expect(page.locator("main")).to_contain_text("Basisschool De Mijnlamp")
    expect(page.locator(".dorp-pict-label").first).to_be_visible()
    share = page.locator("#share-link")
    assert share.input_value() == f"http://localhost/beringen/activity/{offer_id}"
