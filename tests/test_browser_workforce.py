"""The roster in a real browser: a coordinator edits a card, makes a roster, watches it being
solved (the page refreshes itself, no script needed), publishes it; the worker sees their week.
Then the coordinator makes a replacement for the second week (the page says what it replaces),
publishes it, and each worker's week shows what is theirs now: the session once, with whom the
new roster gave it to. And a card from next week: saved and shown as that card, changed,
deleted after the confirmation step; the worker reads the notices.

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
    colleague = f.user(app, "yusuf@in-z.example", (net, f.Role.SE_WORKER), name="Yusuf Demir")
    with app.app_context(), network_scope(net.id):
        worker = WorkerProfile(user_id=worker_user.id, skills="reading_aloud")
        second = WorkerProfile(user_id=colleague.id, skills="reading_aloud")
        db.session.add_all([worker, second])
        db.session.flush()
        save_card(worker, "o" * 91, monday - timedelta(weeks=10), "", None)
        save_card(second, "r" * 91, monday - timedelta(weeks=10), "", None)  # not yet free
        db.session.add(StaffingNeed(offer_id=offer.id, workers=1, skills="reading_aloud"))
        db.session.commit()
        worker_id = worker.id
    return coordinator, worker_user, worker_id, monday, colleague


def test_a_coordinator_publishes_a_roster_and_the_worker_sees_it(app, live, new_page, run_jobs):
    t = live.t
    coordinator, worker_user, worker_id, monday, colleague = _setup(app)
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
    page.get_by_label(t("Valid from"), exact=True).fill(date.today().isoformat())  # never the past
    page.get_by_role("button", name=t("Save as a new card"), exact=True).click()
    expect(
        page.get_by_role("status").filter(has_text=t("The flexibility card has been saved."))
    ).to_be_visible()

    # Rosters -> a roster for next week; the page shows the solver's progress while the job runs
    # (static/progress.js) and the roster once it is done.
    page.get_by_role("link", name=t("Rosters"), exact=True).click()
    axe.check(page, "rosters")
    page.get_by_label(t("First week (any day of it)"), exact=True).fill(monday.isoformat())
    page.get_by_label(t("Last week (any day of it)"), exact=True).fill(
        (monday + timedelta(days=9)).isoformat()
    )
    page.get_by_role("button", name=t("Make the roster"), exact=True).click()
    expect(page.locator("[data-progress]")).to_have_count(1)
    expect(page.locator("main")).to_contain_text(t("Being solved"))
    axe.check(page, "roster being solved")
    run_jobs()  # the page fetches its progress every few seconds and loads once when done
    expect(page.locator("[data-progress]")).to_have_count(0)
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
    # on a phone the week grid reads as a list per day: one item per session, under its day
    items = worker_page.locator("main .dorp-week-days li")
    days = worker_page.locator("main .dorp-week-days h3")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Voorschools klasje")
    axe.check(worker_page, "my week (phone)")
    worker_page.get_by_role("button", name=t("Make a calendar address"), exact=True).click()
    feed = worker_page.locator("main code").inner_text()
    assert "/beringen/team/feed/" in feed and feed.endswith(".ics")

    # From the second Monday on Fatma cannot come; Yusuf can. The coordinator makes a roster for
    # that week: a draft that says which published roster it replaces, and from when.
    _cards_change(app, worker_id, colleague, monday + timedelta(weeks=1))
    second_monday = monday + timedelta(weeks=1)
    page.get_by_role("link", name=t("Rosters"), exact=True).click()
    page.get_by_label(t("First week (any day of it)"), exact=True).fill(second_monday.isoformat())
    page.get_by_label(t("Last week (any day of it)"), exact=True).fill(second_monday.isoformat())
    page.get_by_role("button", name=t("Make the roster"), exact=True).click()
    expect(page.locator("main")).to_contain_text(t("Being solved"))  # queued, not before
    run_jobs()
    expect(page.locator("[data-progress]")).to_have_count(0)
    note = page.get_by_role("note").filter(has_text=t("See the published roster"))
    expect(note).to_have_count(1)
    expect(page.locator("main table").last).to_contain_text("Yusuf Demir")
    axe.check(page, "replacement roster (draft)")
    # Fatma's week still shows the published roster: a draft changes nobody's week
    week = f"{live.url}/beringen/team/my-week?week={monday.isoformat()}"
    worker_page.goto(week)
    expect(items).to_have_count(2)
    page.get_by_role("button", name=t("Publish and tell the workers"), exact=True).click()
    expect(page.locator("main [role=status] .badge")).to_have_text(t("Published"))
    expect(page.get_by_role("note")).to_have_count(0)
    # the old roster says its second week has been replaced
    page.get_by_role("link", name=t("Rosters"), exact=True).click()
    page.locator("main .list-group-item a").last.click()
    expect(page.get_by_role("note")).to_have_count(1)
    axe.check(page, "replaced roster")

    # Fatma's two weeks: the first Monday only (the second is Yusuf's now), never twice
    worker_page.goto(week)
    expect(items).to_have_count(1)
    expect(days).to_have_count(1)
    expect(days.first).to_contain_text(f"{monday.day} ")
    # Yusuf's: the second Monday, once
    yusuf = new_page(viewport=PHONE)
    _log_in(yusuf, live, colleague.email, "/beringen/dashboard")
    yusuf.goto(f"{live.url}/beringen/team/my-week?week={monday.isoformat()}")
    mine = yusuf.locator("main .dorp-week-days li")
    expect(mine).to_have_count(1)
    expect(mine.first).to_contain_text("Voorschools klasje")
    expect(yusuf.locator("main .dorp-week-days h3").first).to_contain_text(f"{second_monday.day} ")
    axe.check(yusuf, "my week after the replacement (phone)")
    assert not axe.problems, axe.report()


def _cards_change(app, fatma_id: int, yusuf, day: date) -> None:
    """Fatma's card goes red from `day` on; Yusuf's green (what they tell the coordinator)."""
    from sqlalchemy import select

    from saas.extensions import db
    from saas.workforce.cards import save_card
    from saas.workforce.models import WorkerProfile
    from tenants.context import network_scope

    with app.app_context():
        from tenants.models import Network

        net_id = db.session.execute(select(Network.id).where(Network.slug == "beringen")).scalar()
        with network_scope(net_id):
            save_card(db.session.get(WorkerProfile, fatma_id), "r" * 91, day, "", None)
            second = db.session.execute(
                select(WorkerProfile).where(WorkerProfile.user_id == yusuf.id)
            ).scalar_one()
            save_card(second, "g" * 91, day, "", None)
            db.session.commit()


def test_a_coordinator_saves_changes_and_deletes_a_coming_card(app, live, new_page):
    """The card from next week: saved, shown as that card (the current one still applies until
    then), changed in the same form, deleted after the confirmation step; Fatma reads the three
    notices on her phone."""
    from babel.dates import format_date

    t = live.t
    coordinator, worker_user, worker_id, monday, _colleague = _setup(app)

    def long(day: date) -> str:
        return format_date(day, "long", locale="nl")

    since = monday - timedelta(weeks=10)
    axe = AxeAudit()
    page = new_page()
    _log_in(page, live, coordinator.email, "/beringen/dashboard")
    page.goto(f"{live.url}/beringen/team/workers/{worker_id}/card")
    status = page.locator("#card-status")
    expect(status).to_have_text(t("Current card since %(day)s", day=long(since)))

    # Monday 09:00 red from next Monday on
    monday_nine = page.get_by_label(f"{t('Monday')} 09:00", exact=True)
    expect(monday_nine).to_have_value("o")  # the new card starts as a copy of the current one
    monday_nine.select_option("r")
    page.get_by_label(t("Valid from"), exact=True).fill(monday.isoformat())
    page.get_by_role("button", name=t("Save as a new card"), exact=True).click()

    # the page shows the saved card, not the current one
    expect(
        page.get_by_role("status").filter(
            has_text=t("The card valid from %(day)s has been saved.", day=long(monday))
        )
    ).to_be_visible()
    expect(page.locator("#card-heading")).to_have_text(
        t("Card valid from %(day)s", day=long(monday))
    )
    expect(page.locator("#card-when")).to_have_text(
        t(
            "This card starts on %(day)s. Until then the current card (since %(since)s) still "
            "applies.",
            day=long(monday),
            since=long(since),
        )
    )
    expect(page.get_by_label(f"{t('Monday')} 09:00", exact=True)).to_have_value("r")
    expect(page.get_by_label(valid_from := t("Valid from"), exact=True)).to_have_value(
        monday.isoformat()
    )
    axe.check(page, "coming card")

    # changed in the same form: Tuesday 10:00 red too, and a day later
    page.get_by_label(f"{t('Tuesday')} 10:00", exact=True).select_option("r")
    tuesday = monday + timedelta(days=1)
    page.get_by_label(valid_from, exact=True).fill(tuesday.isoformat())
    page.get_by_role("button", name=t("Save the changes"), exact=True).click()
    expect(
        page.get_by_role("status").filter(
            has_text=t("The card valid from %(day)s has been changed.", day=long(tuesday))
        )
    ).to_be_visible()
    expect(page.locator("#card-heading")).to_have_text(
        t("Card valid from %(day)s", day=long(tuesday))
    )
    expect(page.get_by_label(f"{t('Tuesday')} 10:00", exact=True)).to_have_value("r")
    expect(page.get_by_label(f"{t('Monday')} 09:00", exact=True)).to_have_value("r")

    # the overview lists it as coming, and the history links every card
    page.get_by_role("link", name=t("All cards of %(name)s", name="Fatma Yilmaz")).click()
    coming = t("Coming: card valid from %(day)s", day=long(tuesday))
    expect(status.get_by_role("link", name=coming, exact=True)).to_be_visible()
    expect(page.locator("#card-history a")).to_have_count(2)
    axe.check(page, "card overview with a coming card")
    page.locator("#card-history a").last.click()  # the oldest: read-only
    expect(page.locator("#card-heading")).to_have_text(
        t("Card valid from %(day)s", day=long(since))
    )
    expect(page.locator("main select")).to_have_count(0)
    axe.check(page, "current card, read-only")
    page.go_back()

    # deleted after the confirmation page says what is lost
    status.get_by_role("link", name=coming, exact=True).click()
    page.get_by_role("button", name=t("Delete this card"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Delete the card valid from %(day)s?", day=long(tuesday))
    )
    lost = page.locator("#confirm-lost")
    expect(lost).to_contain_text(
        t(
            "From %(day)s the card valid from %(before)s holds instead.",
            day=long(tuesday),
            before=long(since),
        )
    )
    expect(lost).to_contain_text(
        t("%(name)s is told that the card has been deleted.", name="Fatma Yilmaz")
    )
    axe.check(page, "delete a coming card: confirmation")
    page.get_by_role("button", name=t("Delete the card"), exact=True).click()
    expect(
        page.get_by_role("status").filter(
            has_text=t("The card valid from %(day)s has been deleted.", day=long(tuesday))
        )
    ).to_be_visible()
    expect(status).to_have_text(t("Current card since %(day)s", day=long(since)))
    expect(page.locator("#card-history a")).to_have_count(1)

    # Fatma's notices, on her phone
    phone = new_page(viewport=PHONE)
    _log_in(phone, live, worker_user.email, "/beringen/dashboard")
    phone.goto(f"{live.url}/beringen/notifications")
    notices = phone.locator("main .list-group-item a")
    expect(notices).to_have_count(3)
    expect(notices.nth(0)).to_have_text(
        t("Your flexibility card from %(day)s has been deleted", day=long(tuesday))
    )
    expect(notices.nth(1)).to_have_text(
        t("Your flexibility card from %(day)s has been changed", day=long(tuesday))
    )
    expect(notices.nth(2)).to_have_text(t("A new flexibility card from %(day)s", day=long(monday)))
    axe.check(phone, "the worker's notices (phone)")
    assert not axe.problems, axe.report()
