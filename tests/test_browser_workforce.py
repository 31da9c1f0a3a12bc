"""The roster in a real browser: a coordinator edits a card, makes a roster, watches it being
solved (the page refreshes itself, no script needed), publishes it; the worker sees their week.

Debian's Chromium driven by Playwright against a live server with CSRF on; every page on the way
passes axe-core. Skipped when Chromium is missing, unless DORP_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from tests.browser_support import AxeAudit, require_chromium

require_chromium()

from playwright.sync_api import expect  # noqa: E402

from saas.partners.models import Sector  # noqa: E402
from tests import catalogue_factories as cf  # noqa: E402
from tests import factories as f  # noqa: E402

pytestmark = pytest.mark.browser

from tests.browser_fixtures import PHONE, Live  # noqa: E402  (fixtures: conftest plugin)


def _log_in(page, live: Live, email: str, landing: str) -> None:
    t = live.t
    page.goto(live.url + "/auth/login")
    page.get_by_label(t("E-mail address"), exact=True).fill(email)
    page.get_by_label(t("Password"), exact=True).fill(f.PASSWORD)
    page.locator("main").get_by_role("button", name=t("Log in"), exact=True).click()
    expect(page).to_have_url(live.url + landing)


def _setup(app):
    from saas.extensions import db
    from saas.workforce.cards import save_card
    from saas.workforce.models import StaffingNeed, WorkerProfile
    from tenants.context import network_scope

    net = f.network(app, "beringen")
    employer = f.partner(app, net, "IN-Z vzw", Sector.SOCIAL_ECONOMY)
    place = cf.place(app, net)
    monday = date.today() - timedelta(days=date.today().weekday()) + timedelta(weeks=1)
    offer = cf.offer(
        app,
        net,
        employer,
        title="Voorschools klasje",
        location=place,
        start=monday,
        start_time=time(9),
        end_time=time(11, 30),
        rrule=f"FREQ=WEEKLY;BYDAY=MO;UNTIL={(monday + timedelta(weeks=6)):%Y%m%d}",
        skip_public_holidays=False,
    )
    coordinator = f.user(
        app, "coordinator@in-z.example", (net, f.Role.SE_COORDINATOR), name="Nadia Coördinator"
    )
    worker_user = f.user(app, "fatma@in-z.example", (net, f.Role.SE_WORKER), name="Fatma Yilmaz")
    with app.app_context(), network_scope(net.id):
        worker = WorkerProfile(user_id=worker_user.id, skills="reading_aloud")
        db.session.add(worker)
        db.session.flush()
        save_card(worker, "o" * 91, monday - timedelta(weeks=10), "", None)
        db.session.add(StaffingNeed(offer_id=offer.id, workers=1, skills="reading_aloud"))
        db.session.commit()
        worker_id = worker.id
    return coordinator, worker_user, worker_id, monday


def test_a_coordinator_publishes_a_roster_and_the_worker_sees_it(app, live, new_page, run_jobs):
    t = live.t
    coordinator, worker_user, worker_id, monday = _setup(app)
    axe = AxeAudit()
    page = new_page()
    _log_in(page, live, coordinator.email, "/beringen/dashboard")

    # The worker's card: Monday mornings become green, by keyboard-operable selects.
    page.goto(f"{live.url}/beringen/team/workers/{worker_id}/card")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fatma Yilmaz")
    axe.check(page, "flexibility card")
    for hour in (9, 10, 11):
        cell = page.get_by_label(f"{t('Monday')} {hour:02d}:00", exact=True)
        cell.focus()
        cell.select_option("g")
    page.get_by_label(t("Valid from"), exact=True).fill((monday - timedelta(days=7)).isoformat())
    page.get_by_role("button", name=t("Save as a new card"), exact=True).click()
    expect(
        page.get_by_role("status").filter(has_text=t("The flexibility card has been saved."))
    ).to_be_visible()

    # Rosters -> a roster for next week; the page refreshes itself while the job runs.
    page.get_by_role("link", name=t("Rosters"), exact=True).click()
    axe.check(page, "rosters")
    page.get_by_label(t("First week (any day of it)"), exact=True).fill(monday.isoformat())
    page.get_by_label(t("Number of weeks"), exact=True).fill("2")
    page.get_by_role("button", name=t("Make the roster"), exact=True).click()
    expect(page.locator("meta[http-equiv=refresh]")).to_have_count(1)
    expect(page.locator("main")).to_contain_text(t("Being solved"))
    run_jobs()  # the page reloads itself every few seconds until the job is done
    expect(page.locator("meta[http-equiv=refresh]")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(t("Solved, not yet published"))
    expect(page.locator("main")).to_contain_text(t("Every session has the workers it needs."))
    expect(page.locator("main table").last).to_contain_text("Fatma Yilmaz")
    axe.check(page, "roster solved")
    page.get_by_role("button", name=t("Publish and tell the workers"), exact=True).click()
    expect(page.locator("main")).to_contain_text(t("Published"))

    # The worker logs in and sees both Mondays in their week, with a calendar address to make.
    worker_page = new_page(viewport=PHONE)
    _log_in(worker_page, live, worker_user.email, "/beringen/dashboard")
    worker_page.goto(f"{live.url}/beringen/team/my-week?week={monday.isoformat()}")
    items = worker_page.locator("main .list-group-item")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Voorschools klasje")
    axe.check(worker_page, "my week (phone)")
    worker_page.get_by_role("button", name=t("Make a calendar address"), exact=True).click()
    feed = worker_page.locator("main code").inner_text()
    assert "/beringen/team/feed/" in feed and feed.endswith(".ics")
    assert not axe.problems, axe.report()
