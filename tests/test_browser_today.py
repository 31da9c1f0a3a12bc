"""The home page in a real browser: each role signs in, sees what waits for it, follows one item
to the page where it is done; the page passes axe and fits a 375 px phone without sideways
scrolling. Skipped when Chromium is missing, unless DORP_REQUIRE_BROWSER=1 demands it."""

from __future__ import annotations

import re

import pytest

from tests.browser_support import AxeAudit, require_chromium

require_chromium()

from playwright.sync_api import Page, expect  # noqa: E402

from tenants.models import Role  # noqa: E402
from tests import factories as f  # noqa: E402
from tests.browser_fixtures import Live  # noqa: E402
from tests.today_world import Home, build  # noqa: E402

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 375, "height": 812}


def _log_in(page: Page, live: Live, email: str) -> None:
    t = live.t
    page.goto(live.url + "/auth/login")
    page.get_by_label(t("E-mail address"), exact=True).fill(email)
    page.get_by_label(t("Password"), exact=True).fill(f.PASSWORD)
    page.locator("main").get_by_role("button", name=t("Log in"), exact=True).click()
    expect(page).to_have_url(live.url + "/beringen/dashboard")


def _section(page: Page, live: Live, title: str):
    return page.get_by_role("region", name=live.t(title), exact=True)


def _fits(page: Page) -> None:
    inner, scroll = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
    assert scroll <= inner + 1, f"{page.url} scrolls sideways ({scroll}px content in {inner}px)"


@pytest.fixture
def home(app, live) -> Home:
    build(app, "sint-truiden")  # a second network: nothing of it may show
    return build(app, "beringen")


def _open_home(new_page, live: Live, email: str, axe: AxeAudit, name: str) -> Page:
    """Sign in on a phone, check the home page there, then widen to a desktop."""
    page = new_page(viewport=SMALL_PHONE)
    _log_in(page, live, email)
    expect(
        page.get_by_role("heading", name=live.t("What needs you today"), exact=True)
    ).to_be_visible()
    _fits(page)
    axe.check(page, f"home of the {name} on a phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    axe.check(page, f"home of the {name}")
    assert "sint-truiden" not in page.locator("main").inner_text().lower()
    return page


def test_each_role_sees_what_waits_and_follows_it_to_where_it_is_done(home, live, new_page):
    t, axe = live.t, AxeAudit()

    page = _open_home(new_page, live, home.people[Role.STEWARD].email, axe, "steward")
    steward = _section(page, live, "As network steward")
    expect(steward).to_contain_text(t("Salons without a confirmed speaker"))
    expect(steward).to_contain_text(
        t("Fewer than 5 referrals wait for an answer past their response target")
    )
    expect(steward).not_to_contain_text(home.family)
    steward.get_by_role("link", name="Dansatelier beringen", exact=True).click()
    expect(page).to_have_url(live.url + f"/beringen/network/partners/{home.ids['invited']}")
    expect(page.get_by_role("button", name=t("Send the invitation again"))).to_be_visible()

    page = _open_home(new_page, live, home.people[Role.PARTNER_ADMIN].email, axe, "partner")
    partner = _section(page, live, "For your organisation")
    expect(partner.get_by_role("link", name="Oudersalon slapen beringen")).to_be_visible()
    partner.get_by_role("link", name="Babysalon beringen", exact=True).click()
    expect(page).to_have_url(live.url + f"/beringen/catalogue/sessions/{home.ids['uncounted']}")
    axe.check(page, "the session to count")
    page.goto(live.url + "/beringen/dashboard")
    referral = t("Referral from %(sender)s", sender="OCMW beringen")
    _section(page, live, "For your organisation").get_by_role("link", name=referral).click()
    expect(page).to_have_url(live.url + f"/beringen/referrals/{home.ids['referral']}")

    page = _open_home(new_page, live, home.people[Role.SE_COORDINATOR].email, axe, "coordinator")
    team = _section(page, live, "For the social-economy team")
    expect(team).to_contain_text(t("Changed flexibility cards"))
    team.get_by_role("link", name="Voorschools klasje beringen", exact=True).click()
    # the roster opens at the week of the session that lacks a worker, where it can be fixed
    draft = re.escape(live.url + f"/beringen/team/rosters/{home.ids['draft']}")
    expect(page).to_have_url(re.compile(draft + r"\?week=\d{4}-W\d\d$"))
    expect(page.locator("main")).to_contain_text("Voorschools klasje beringen")

    page = _open_home(new_page, live, home.people[Role.SE_WORKER].email, axe, "worker")
    week = _section(page, live, "Your week")
    week.get_by_role("link", name=t("Open my week"), exact=True).click()
    expect(page).to_have_url(live.url + "/beringen/team/my-week")
    assert not axe.problems, axe.report()
