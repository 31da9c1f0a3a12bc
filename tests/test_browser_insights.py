"""The municipality opens the health of its network in a real browser, on a desktop and a phone.

The viewer logs in, follows "Network figures" in the header, picks a quarter with the plain GET
form (no JavaScript needed), reads a chart with the numbers beside it, and downloads a CSV. The
page passes axe-core and does not scroll sideways on a 390px phone. Skipped when Chromium is
missing, unless DORP_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import pytest

from tests.browser_support import AxeAudit, require_chromium

require_chromium()

from playwright.sync_api import Page, expect  # noqa: E402

from tenants.models import Role  # noqa: E402
from tests import factories as f  # noqa: E402
from tests.insights_fixture import build  # noqa: E402

pytestmark = pytest.mark.browser

from tests.browser_fixtures import PHONE, TIMEOUT_MS, Live  # noqa: E402,F401  (fixtures)


@pytest.fixture
def viewer(app):
    fx = build(app)
    return f.user(app, "beleid@beringen.example", (fx.network, Role.MUNICIPALITY_VIEWER))


def _log_in(page: Page, live: Live, email: str) -> None:
    t = live.t
    page.goto(live.url + "/auth/login")
    page.get_by_label(t("E-mail address"), exact=True).fill(email)
    page.get_by_label(t("Password"), exact=True).fill(f.PASSWORD)
    page.locator("main").get_by_role("button", name=t("Log in"), exact=True).click()
    page.wait_for_load_state()


def test_the_municipality_reads_the_health_of_its_network(live, viewer, new_page):
    t = live.t
    axe = AxeAudit()
    page = new_page()
    _log_in(page, live, viewer.email)
    page.get_by_role("link", name=t("Network figures"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Health of the network"))

    page.get_by_label(t("Show"), exact=True).select_option("quarter")
    page.get_by_label(t("Year"), exact=True).fill("2025")
    page.get_by_label(t("Quarter (for a quarter)"), exact=True).select_option("1")
    page.get_by_role("button", name=t("Show figures"), exact=True).click()
    assert "kind=quarter" in page.url and "quarter=1" in page.url
    expect(page.get_by_role("heading", level=2).first).to_have_text(
        t("Quarter %(q)s %(year)s", q=1, year=2025)
    )
    chart = page.get_by_role("img", name=t("Reach by type of activity") + ": " + t("Adults"))
    expect(chart).to_be_visible()
    table = page.locator("table").filter(has_text=t("Reach by type of activity")).first
    expect(table).to_contain_text("< 5")
    axe.check(page, "health, a quarter")

    link = table.get_by_role("link", name=t("CSV") + " " + t("Reach by type of activity"))
    response = page.request.get(live.url + link.get_attribute("href"))  # the browser's cookies
    assert response.status == 200
    assert "beringen-reach_by_type-2025-Q1.csv" in response.headers["content-disposition"]
    assert "< 5" in response.text()

    page.goto(live.url + "/beringen/municipality/?kind=month&month=13")
    expect(page.get_by_role("alert")).to_have_text(t("Choose a month from 1 to 12."))
    axe.check(page, "health, a bad month")
    assert not axe.problems, axe.report()


def test_the_dashboard_fits_a_phone(live, viewer, new_page):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=3)
    _log_in(page, live, viewer.email)
    page.goto(live.url + "/beringen/municipality/?kind=year&year=2025")
    inner, scroll = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
    assert inner == PHONE["width"]
    assert scroll <= inner + 1, f"scrolls sideways ({scroll}px content in {inner}px)"
    axe = AxeAudit()
    axe.check(page, "health on a phone")
    assert not axe.problems, axe.report()
