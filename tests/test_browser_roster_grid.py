"""The roster's week grid in a real browser, on a desk (1280 px), on a phone (375 and 320 px) and
on paper: the coordinator reads who works which day, the orange hour and the session nobody
covers, in words; the worker reads their own week. Nothing scrolls the page sideways (a wide
grid scrolls inside its own labelled region; a phone gets a list per day) and axe finds nothing
serious.

Debian's Chromium driven by Playwright against a live server. Skipped when Chromium is missing,
unless DORP_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest

from tests.browser_support import AxeAudit, require_chromium

require_chromium()

from playwright.sync_api import expect  # noqa: E402

from saas.partners.models import Sector  # noqa: E402
from tests import catalogue_factories as cf  # noqa: E402
from tests import factories as f  # noqa: E402

pytestmark = pytest.mark.browser

from tests.browser_fixtures import Live  # noqa: E402  (fixtures: conftest plugin)

DESK = {"width": 1280, "height": 900}
PHONES = ({"width": 375, "height": 812}, {"width": 320, "height": 640})


def _log_in(page, live: Live, email: str) -> None:
    t = live.t
    page.goto(live.url + "/auth/login")
    page.get_by_label(t("E-mail address"), exact=True).fill(email)
    page.get_by_label(t("Password"), exact=True).fill(f.PASSWORD)
    page.locator("main").get_by_role("button", name=t("Log in"), exact=True).click()
    expect(page).to_have_url(live.url + "/beringen/dashboard")


def _published_week(app):
    """Next week's published roster: Fatma on Monday's klasje in an orange hour, a second
    place on it still open; Yusuf on Wednesday's salon."""
    from sqlalchemy import select

    from saas.catalogue.models import ActivitySession
    from saas.extensions import db
    from saas.models_base import utcnow
    from saas.workforce.models import (
        Assignment,
        Roster,
        RosterStatus,
        StaffingNeed,
        WorkerProfile,
    )
    from tenants.context import network_scope

    net = f.network(app, "beringen")
    employer = f.partner(app, net, "IN-Z vzw", Sector.SOCIAL_ECONOMY)
    place = cf.place(app, net)
    monday = date.today() - timedelta(days=date.today().weekday()) + timedelta(weeks=1)
    until = f"UNTIL={(monday + timedelta(weeks=2)):%Y%m%d}"
    klasje = cf.offer(
        app,
        net,
        employer,
        title="Voorschools klasje",
        location=place,
        start=monday,
        start_time=time(9),
        end_time=time(11, 30),
        rrule=f"FREQ=WEEKLY;BYDAY=MO;{until}",
        skip_public_holidays=False,
    )
    salon = cf.offer(
        app,
        net,
        employer,
        title="Oudersalon koken",
        location=place,
        start=monday,
        start_time=time(13),
        end_time=time(15),
        rrule=f"FREQ=WEEKLY;BYDAY=WE;{until}",
        skip_public_holidays=False,
    )
    coordinator = f.user(
        app, "coordinator@in-z.example", (net, f.Role.SE_COORDINATOR), name="Nadia Coördinator"
    )
    fatma = f.user(app, "fatma@in-z.example", (net, f.Role.SE_WORKER), name="Fatma Yilmaz")
    yusuf = f.user(app, "yusuf@in-z.example", (net, f.Role.SE_WORKER), name="Yusuf Demir")
    with app.app_context(), network_scope(net.id):
        workers = [WorkerProfile(user_id=fatma.id), WorkerProfile(user_id=yusuf.id)]
        db.session.add_all(workers)
        db.session.add(StaffingNeed(offer_id=klasje.id, workers=2))
        db.session.add(StaffingNeed(offer_id=salon.id, workers=1))
        roster = Roster(
            starts_on=monday,
            ends_on=monday + timedelta(weeks=1),
            status=RosterStatus.PUBLISHED,
            published_at=utcnow(),
        )
        db.session.add(roster)
        db.session.flush()
        sessions = {
            s.offer_id: s
            for s in db.session.execute(select(ActivitySession)).scalars()
            if monday <= s.starts_at.date() < monday + timedelta(weeks=1)
        }
        db.session.add_all(
            [
                Assignment(
                    roster_id=roster.id,
                    session_id=sessions[klasje.id].id,
                    worker_id=workers[0].id,
                    orange=True,
                    minutes=150,
                ),
                Assignment(
                    roster_id=roster.id,
                    session_id=sessions[salon.id].id,
                    worker_id=workers[1].id,
                    minutes=120,
                ),
            ]
        )
        db.session.commit()
        return coordinator, fatma, roster.id, monday


def _fits(page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") == width, (
        f"{page.url} scrolls sideways at {width} px"
    )


def test_the_coordinator_and_the_worker_read_the_week_at_a_glance(app, live, new_page):
    t = live.t
    coordinator, fatma, roster_id, monday = _published_week(app)
    axe = AxeAudit()
    roster_url = f"{live.url}/beringen/team/rosters/{roster_id}"
    not_covered = t("Not covered:")

    page = new_page(viewport=DESK)
    _log_in(page, live, coordinator.email)
    page.goto(roster_url)
    week = t("Week %(n)d", n=monday.isocalendar().week)
    grid = page.get_by_role("region", name=re.compile(re.escape(week)))
    table = page.locator("main table.dorp-week-grid")
    expect(table).to_be_visible()
    expect(grid).to_be_visible()  # the grid's own labelled, focusable scroll region
    expect(grid).to_have_attribute("tabindex", "0")
    expect(table.get_by_role("rowheader", name="Fatma Yilmaz")).to_have_count(1)
    fatma_row = table.locator("tbody tr").filter(has=page.get_by_role("rowheader", name="Fatma"))
    expect(fatma_row).to_contain_text("Voorschools klasje")
    expect(fatma_row).to_contain_text(t("orange hour"))
    open_row = table.locator("tbody tr.dorp-open-row")
    expect(open_row).to_contain_text(not_covered)
    expect(open_row).to_contain_text("Voorschools klasje")
    expect(page.locator("main .dorp-week-days")).to_be_hidden()
    _fits(page)
    axe.check(page, "roster grid (desk)")

    # on paper: the table, on its own, without the navigation and the forms
    page.emulate_media(media="print")
    expect(table).to_be_visible()
    expect(page.locator("main form").first).to_be_hidden()
    expect(page.get_by_role("heading", name=t("Unfilled sessions"))).to_be_hidden()
    page.emulate_media(media="screen")

    for phone in PHONES:
        page.set_viewport_size(phone)
        page.goto(roster_url)
        days = page.locator("main .dorp-week-days")
        expect(days).to_be_visible()
        expect(table).to_be_hidden()
        expect(days).to_contain_text("Fatma Yilmaz")
        expect(days.locator("li").filter(has_text="Voorschools klasje")).to_contain_text(
            not_covered
        )
        _fits(page)
        axe.check(page, f"roster grid ({phone['width']} px)")

    worker = new_page(viewport=DESK)
    _log_in(worker, live, fatma.email)
    worker.goto(f"{live.url}/beringen/team/my-week?week={monday.isoformat()}")
    own = worker.locator("main table.dorp-week-grid").first
    expect(own.get_by_role("rowheader", name="Fatma Yilmaz")).to_have_count(1)
    expect(own).to_contain_text("Voorschools klasje")
    expect(own).to_contain_text(t("orange hour"))
    expect(worker.locator("main")).not_to_contain_text("Oudersalon koken")  # Yusuf's, not hers
    expect(worker.locator("main")).not_to_contain_text(not_covered)
    _fits(worker)
    axe.check(worker, "my week grid (desk)")
    for phone in PHONES:
        worker.set_viewport_size(phone)
        worker.reload()
        item = worker.locator("main .dorp-week-days li").first
        expect(item).to_be_visible()
        expect(item).to_contain_text("Voorschools klasje")
        _fits(worker)
        axe.check(worker, f"my week grid ({phone['width']} px)")

    # a week that is no week: a message, and the page still works
    page.goto(f"{roster_url}?week=2026-W77")
    expect(page.get_by_role("alert")).to_contain_text("2026-W49")
    assert not axe.problems, axe.report()
