"""The catalogue in a real browser: a coordinator publishes a parent salon; a parent finds it.

Debian's Chromium driven by Playwright against a live server with CSRF protection on, so the real
forms (hidden csrf_token and all) are used. Every distinct page on the way is checked with
axe-core (no serious or critical violations). Texts are looked up through the app's own
translations (`live.t`), so the selectors keep working whether or not the Dutch catalogue has
the catalogue's labels yet. Skipped when Chromium is missing, unless DORP_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser_support import (
    AxeAudit,
    require_chromium,
)

require_chromium()

from icalendar import Calendar  # noqa: E402
from playwright.sync_api import Page, expect  # noqa: E402

from saas.catalogue.schedule import is_public_holiday  # noqa: E402
from saas.partners.models import Sector  # noqa: E402
from tests import catalogue_factories as cf  # noqa: E402
from tests import factories as f  # noqa: E402
from tests.mail import links_in_mailbox  # noqa: E402

pytestmark = pytest.mark.browser

from tests.browser_fixtures import PHONE, TIMEOUT_MS, Live  # noqa: E402,F401  (fixtures: conftest plugin)

# --- helpers ----------------------------------------------------------------------------------


def _log_in(page: Page, live: Live, email: str, landing: str) -> None:
    """Fill the login form on the current page (or open it) and land on `landing`."""
    t = live.t
    if "/auth/login" not in page.url:
        page.goto(live.url + "/auth/login")
    page.get_by_label(t("E-mail address"), exact=True).fill(email)
    page.get_by_label(t("Password"), exact=True).fill(f.PASSWORD)
    page.locator("main").get_by_role("button", name=t("Log in"), exact=True).click()
    expect(page).to_have_url(live.url + landing)


def _expect_flash(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def _nl_date(live: Live, day: date, fmt: str = "full") -> str:
    """A date as the Dutch interface writes it ("dinsdag 1 december 2026")."""
    from flask_babel import force_locale, format_date

    with live.app.test_request_context(), force_locale("nl"):
        return format_date(day, fmt)


def _one_of(text: str, *accepted: str) -> str:
    """The label the interface shows must be the Dutch one, or the English msgid while the Dutch
    catalogue still lacks it."""
    assert text in accepted, f"unexpected label {text!r}, wanted one of {accepted}"
    return text


def _no_sideways_scroll(page: Page, where: str) -> None:
    inner, scroll = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
    assert inner == PHONE["width"], f"{where}: laid out {inner}px wide on a 390px phone"
    assert scroll <= inner + 1, f"{where}: scrolls sideways ({scroll}px content in {inner}px)"


def _set_ages(app, net: f.Ref, offer: f.Ref, low_months: int, high_months: int) -> None:
    """catalogue_factories.offer fixes the ages at 0-6 years; give an offer its own age range."""
    from saas.catalogue.models import Offer
    from saas.extensions import db
    from tenants.context import network_scope

    with app.app_context(), network_scope(net.id):
        row = db.session.get(Offer, offer.id)
        row.age_min_months, row.age_max_months = low_months, high_months
        db.session.commit()


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _report_lesser(axe: AxeAudit) -> None:
    if axe.lesser:
        print("axe-core, moderate/minor findings (not failed):\n  " + "\n  ".join(axe.lesser))


# --- 1. a coordinator publishes a parent salon --------------------------------------------------

SALON = "Oudersalon: slapen zonder tranen"
SPEAKER = "Opvoedingswinkel West-Limburg"
EMPLOYER = "IN-Z vzw"


def test_a_coordinator_publishes_a_parent_salon(app, live, new_page, run_jobs, environ):
    """Team -> Parent salons -> new salon with a speaker -> published -> the speaker confirms
    from the e-mail -> the coordinator sees it confirmed -> families see it this week and next."""
    t = live.t
    net = f.network(app, "beringen")
    f.partner(app, net, EMPLOYER, Sector.SOCIAL_ECONOMY)
    speaker_org = f.partner(app, net, SPEAKER, Sector.WELFARE)
    speaker = f.user(
        app,
        "lies@opvoedingswinkel.example",
        (net, f.Role.PARTNER_ADMIN, speaker_org),
        name="Lies Peeters",
    )
    cf.place(app, net)  # Buurthuis De Kolonie, Beringen-Mijn
    cf.type_id(app, net)  # seeds the network's offer types
    coordinator = f.user(
        app, "coordinator@in-z.example", (net, f.Role.SE_COORDINATOR), name="Ann Coördinator"
    )
    axe = AxeAudit()

    today = date.today()
    first = _week_start(today) + timedelta(days=8)  # next week's Tuesday: this week and next
    until = first + timedelta(weeks=8)
    tuesdays = [first + timedelta(weeks=n) for n in range(9)]
    expected_dates = [d for d in tuesdays if not is_public_holiday(d)]
    skip_holidays = not is_public_holiday(first)  # the first date must stay in the schedule
    if not skip_holidays:
        expected_dates = tuesdays

    # The coordinator logs in and goes Team -> Parent salons.
    page = new_page()
    page.goto(live.url + "/auth/login")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    axe.check(page, "login")
    _log_in(page, live, coordinator.email, "/beringen/dashboard")
    axe.check(page, "dashboard (coordinator)")
    page.get_by_role("navigation").get_by_role("link", name=t("Team"), exact=True).click()
    expect(page).to_have_url(live.url + "/beringen/team/")
    axe.check(page, "social-economy team")
    page.locator("main").get_by_role("link", name=t("Parent salons"), exact=True).click()
    expect(page).to_have_url(live.url + "/beringen/team/salons")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Parent salons"))
    expect(page.locator("main")).to_contain_text(t("No salons yet."))
    axe.check(page, "parent salons (empty)")

    # A new thematic salon, filled in by its labels.
    page.get_by_role("link", name=t("New parent salon"), exact=True).click()
    expect(page).to_have_url(live.url + "/beringen/catalogue/offers/new?salon=1")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("New parent salon"))
    expect(page.locator("main form input[name=csrf_token]")).not_to_have_value("")
    axe.check(page, "new parent salon form")

    what = page.get_by_role("group", name=t("What"), exact=True)
    organiser = what.get_by_label(t("Organised by"), exact=True)
    expect(organiser.locator("option")).to_have_text([EMPLOYER])  # its employer, nobody else
    organiser.select_option(label=EMPLOYER)
    what.get_by_label(t("Title"), exact=True).fill(SALON)
    kinds = what.get_by_label(t("Type of activity"), exact=True)
    expect(kinds.locator("option", has_text="Voorschools klasje")).to_have_count(0)  # salons only
    kinds.select_option(label="Oudersalon (thematisch)")
    what.get_by_label(t("Description"), exact=True).fill(
        "Een avond over slapen: rituelen, nachtmerries en wat wel werkt. Met koffie en thee."
    )
    what.get_by_label(t("Themes"), exact=True).fill("slapen, rituelen")
    what.get_by_label(t("Speaker (a partner of the network)"), exact=True).select_option(
        label=SPEAKER
    )
    for_whom = page.get_by_role("group", name=t("For whom"), exact=True)
    for_whom.get_by_label(t("From age"), exact=True).fill("0")
    for_whom.get_by_label(t("Up to age"), exact=True).fill("6")
    spoken = for_whom.get_by_role("group", name=t("Languages spoken"), exact=True)
    expect(spoken.get_by_label("Nederlands", exact=True)).to_be_checked()  # the default
    spoken.get_by_label("Türkçe", exact=True).check()
    spoken.get_by_label("العربية", exact=True).check()
    where = page.get_by_role("group", name=t("Where and when"), exact=True)
    where.get_by_label(t("Location"), exact=True).select_option(
        label="Buurthuis De Kolonie (Beringen-Mijn)"
    )
    where.get_by_label(t("First date"), exact=True).fill(first.isoformat())
    where.get_by_label(t("Start time"), exact=True).fill("19:00")
    where.get_by_label(t("End time"), exact=True).fill("21:00")
    repeats = where.get_by_role("group", name=t("Repeats"), exact=True)
    repeats.get_by_label(t("Every week"), exact=True).check()
    days = where.get_by_role("group", name=t("On these days"), exact=True)
    days.get_by_label(t("Tuesday"), exact=True).check()
    where.get_by_label(t("Last date"), exact=True).fill(until.isoformat())
    if not skip_holidays:
        where.get_by_label(t("Not on public holidays"), exact=True).uncheck()
    page.get_by_role("button", name=t("Save and publish"), exact=True).click()

    # The offer's page: published, with its sessions and the speaker still to answer.
    expect(page).to_have_url(re.compile(re.escape(live.url) + r"/beringen/catalogue/offers/\d+$"))
    offer_id = int(page.url.rsplit("/", 1)[1])
    _expect_flash(page, t("“%(title)s” has been saved.", title=SALON))
    expect(page.get_by_role("heading", level=1)).to_have_text(SALON)
    expect(page.locator("main .badge").filter(has_text=t("Published"))).to_be_visible()
    expect(page.locator("main .badge").filter(has_text=t("Draft"))).to_have_count(0)
    sessions = page.get_by_role("table", name=t("Sessions"), exact=True)
    rows = sessions.locator("tbody tr")
    expect(rows).to_have_count(len(expected_dates))
    expect(rows.first.get_by_role("cell").first).to_have_text(_nl_date(live, first))
    expect(rows.first.get_by_role("cell").nth(1)).to_have_text("19:00–21:00")
    expect(rows.first.get_by_role("cell").nth(2)).to_have_text("Buurthuis De Kolonie")
    expect(rows.last.get_by_role("cell").first).to_have_text(_nl_date(live, expected_dates[-1]))
    speaker_item = page.locator("main li").filter(has_text=SPEAKER)
    expect(speaker_item.locator(".badge")).to_have_text(t("Waiting for an answer"))
    axe.check(page, "offer detail (coordinator)")

    # The salons page lists it, waiting for the speaker.
    page.goto(live.url + "/beringen/team/salons")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=SALON, exact=True))
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(2)).to_have_text(f"{SPEAKER} ({t('Waiting for an answer')})")
    expect(row.get_by_role("cell").nth(3)).to_have_text(t("Published"))
    upcoming = page.locator("main .list-group-item").filter(has_text=SALON)
    expect(upcoming.first).to_contain_text(_nl_date(live, first))
    axe.check(page, "parent salons (one salon)")

    # The speaker's administrator gets an e-mail with the activity's link.
    run_jobs()
    base = live.app.config["BASE_URL"]
    links = links_in_mailbox(environ, speaker.email, f"/beringen/catalogue/offers/{offer_id}")
    assert links, f"no e-mail with the salon's link to {speaker.email}"
    link = live.url + links[0].removeprefix(base)
    assert link == f"{live.url}/beringen/catalogue/offers/{offer_id}", link

    # ...opens it in a browser of their own, logs in on the way and confirms.
    other = new_page()
    other.goto(link)
    expect(other).to_have_url(re.compile(re.escape(live.url) + r"/auth/login\?next="))
    _log_in(other, live, speaker.email, f"/beringen/catalogue/offers/{offer_id}")
    expect(other.get_by_role("heading", level=1)).to_have_text(SALON)
    axe.check(other, "offer detail (speaker, before answering)")
    other.get_by_role("button", name=t("We will speak"), exact=True).click()
    expect(other).to_have_url(f"{live.url}/beringen/catalogue/offers/{offer_id}")
    _expect_flash(other, t("Thank you, your answer has been sent."))
    confirmed = other.locator("main li").filter(has_text=SPEAKER).locator(".badge")
    expect(confirmed).to_have_text(t("Confirmed"))
    axe.check(other, "offer detail (speaker, confirmed)")

    # The coordinator hears about it and sees it on the salons page.
    run_jobs()
    assert links_in_mailbox(environ, coordinator.email, f"/catalogue/offers/{offer_id}"), (
        "the coordinator got no e-mail about the speaker's answer"
    )
    page.reload()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=SALON, exact=True))
    expect(row.get_by_role("cell").nth(2)).to_have_text(f"{SPEAKER} ({t('Confirmed')})")
    page.get_by_role("link", name=SALON, exact=True).click()
    expect(page.locator("main li").filter(has_text=SPEAKER).locator(".badge")).to_have_text(
        t("Confirmed")
    )

    # Families, without an account, find the salon this week and next.
    family = new_page()
    family.goto(live.url + "/beringen/")
    expect(family.get_by_role("heading", level=2).first).to_have_text(t("This week and next week"))
    day = family.get_by_role("region", name=_nl_date(live, first).capitalize(), exact=True)
    session = day.get_by_role("article").filter(has_text=SALON)
    expect(session).to_have_count(1)
    expect(session.locator(".dorp-when")).to_have_text("19:00–21:00")
    expect(session).to_contain_text("Buurthuis De Kolonie · Beringen-Mijn")
    expect(session.get_by_role("link", name=SALON, exact=True)).to_have_attribute(
        "href", f"/beringen/activity/{offer_id}"
    )
    axe.check(family, "public network page")

    _report_lesser(axe)
    assert not axe.problems, axe.report()


# --- 2. a parent finds this week's activities ---------------------------------------------------

TODDLERS = "Babbelonie: spelen en praten"
TODDLERS_FR = "Babbelonie : jouer et parler"
SPORT = "Sportatelier voor kinderen"
DRAFT = "Geheim concept: nog niet publiceren"
MIJN, PAAL = "Beringen-Mijn", "Paal"


def test_a_parent_finds_this_weeks_activities(app, live, new_page):
    """On a phone, without an account: filter by age and neighbourhood, read an activity in
    French and Arabic, take the agenda into a calendar; and the filter works without JavaScript."""
    t = live.t
    net = f.network(app, "beringen")
    health = f.partner(app, net, "Kind en Gezin Beringen", Sector.HEALTH)
    leisure = f.partner(app, net, "Vrijetijdsdienst Beringen", Sector.LEISURE)
    mijn = cf.place(app, net, "Buurthuis De Kolonie", MIJN)
    paal = cf.place(app, net, "Sporthal Paal", PAAL)
    today = date.today()
    daily = {
        "start": today + timedelta(days=1),
        "rrule": f"FREQ=DAILY;UNTIL={today + timedelta(days=10):%Y%m%d}",
    }
    toddlers = cf.offer(
        app,
        net,
        health,
        title=TODDLERS,
        location=mijn,
        code="onthaalmoment",
        translations={"fr": {"title": TODDLERS_FR, "description": ""}},
        **daily,
    )
    _set_ages(app, net, toddlers, 0, 47)  # 0 to 3 years
    sport = cf.offer(app, net, leisure, title=SPORT, location=paal, code="atelier_sport", **daily)
    _set_ages(app, net, sport, 72, 155)  # 6 to 12 years
    draft = cf.offer(app, net, health, title=DRAFT, location=mijn, published=False, **daily)
    _set_ages(app, net, draft, 0, 47)
    # the daily sessions (no public holidays), and what "this week and next week" holds of them
    dates = [today + timedelta(days=n) for n in range(1, 11)]
    dates = [d for d in dates if not is_public_holiday(d)]
    shown = [d for d in dates if d < _week_start(today) + timedelta(days=14)]
    assert shown, "no session falls in this week and next"
    free = _one_of(t("Free"), "Gratis", "Free")
    no_registration = _one_of(
        t("No registration needed"), "Geen inschrijving nodig", "No registration needed"
    )
    axe = AxeAudit()

    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=3)
    page.goto(live.url + "/beringen/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    sessions = page.locator("main article.dorp-session")
    expect(sessions).to_have_count(2 * len(shown))
    expect(page.locator("main")).not_to_contain_text(DRAFT)
    _no_sideways_scroll(page, "network page")
    axe.check(page, "public network page (phone)")

    # Age of my child: 2; neighbourhood: Beringen-Mijn; Show.
    page.get_by_label(t("Age of my child"), exact=True).select_option("2")
    page.get_by_label(t("Neighbourhood"), exact=True).select_option(MIJN)
    page.get_by_role("button", name=t("Show"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/beringen/\?"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["age"] == ["2"] and query["neighbourhood"] == [MIJN], page.url
    expect(page.get_by_label(t("Age of my child"), exact=True)).to_have_value("2")
    expect(sessions).to_have_count(len(shown))
    expect(sessions.filter(has_text=TODDLERS)).to_have_count(len(shown))
    expect(page.locator("main")).not_to_contain_text(SPORT)
    expect(page.locator("main")).not_to_contain_text(DRAFT)
    first = sessions.first
    expect(first.locator(".dorp-when")).to_have_text("09:30–11:30")
    expect(first).to_contain_text(f"Buurthuis De Kolonie · {MIJN}")
    expect(first.locator(".badge").filter(has_text=free)).to_have_count(1)
    expect(first.locator(".badge").filter(has_text=no_registration)).to_have_count(1)
    _no_sideways_scroll(page, "filtered network page")
    axe.check(page, "public network page, filtered (phone)")

    # The activity's own page, in Dutch...
    first.get_by_role("link", name=TODDLERS, exact=True).click()
    expect(page).to_have_url(f"{live.url}/beringen/activity/{toddlers.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(TODDLERS)
    plain_words = page.locator("main ul.dorp-plain")  # free, registration, ages: in sentences
    expect(plain_words).to_contain_text(t("Free: you pay nothing."))
    expect(plain_words).to_contain_text(t("No registration needed: just come."))
    expect(page.locator("main ul.dorp-next li")).to_have_count(min(len(dates), 12))
    _no_sideways_scroll(page, "activity page")
    axe.check(page, "activity page (nl)")

    # ...in French, chosen with the header's link...
    languages = page.get_by_role("list", name=t("Language"), exact=True)
    languages.get_by_role("link", name="Français", exact=True).click()
    expect(page).to_have_url(f"{live.url}/beringen/activity/{toddlers.id}")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("heading", level=1)).to_have_text(TODDLERS_FR)
    axe.check(page, "activity page (fr)")

    # ...and in Arabic: right to left, and still no sideways scrolling on the phone.
    page.get_by_role("list").get_by_role("link", name="العربية", exact=True).click()
    expect(page).to_have_url(f"{live.url}/beringen/activity/{toddlers.id}")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text(TODDLERS)  # no Arabic version
    _no_sideways_scroll(page, "activity page (ar)")
    axe.check(page, "activity page (ar)")

    # The only cookie is the language the family chose: no session, no tracking.
    cookies = page.context.cookies()
    assert [(c["name"], c["value"]) for c in cookies] == [("dorp_lang", "ar")], cookies

    # The agenda goes into a calendar app: a real iCalendar file with the published sessions.
    page.goto(live.url + "/beringen/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    _no_sideways_scroll(page, "network page (ar)")
    axe.check(page, "public network page (ar)")
    href = page.locator("main a[href$='agenda.ics']").get_attribute("href")
    assert href == "/beringen/agenda.ics", href
    response = page.request.get(live.url + href)
    assert response.ok, response.status
    assert response.headers["content-type"].startswith("text/calendar"), response.headers
    calendar = Calendar.from_ical(response.body())
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert events, "the agenda has no VEVENT"
    summaries = {str(e["SUMMARY"]) for e in events}
    assert summaries == {TODDLERS, SPORT}, summaries
    assert [(c["name"], c["value"]) for c in page.context.cookies()] == [("dorp_lang", "ar")]

    # Without JavaScript the filter form is a plain GET form: it still filters.
    plain = new_page(java_script_enabled=False)
    plain.goto(live.url + "/beringen/")
    plain.get_by_label(t("Age of my child"), exact=True).select_option("8")
    plain.get_by_role("button", name=t("Show"), exact=True).click()
    expect(plain).to_have_url(re.compile(r"/beringen/\?.*age=8"))
    plain_sessions = plain.locator("main article.dorp-session")
    expect(plain_sessions).to_have_count(len(shown))
    expect(plain_sessions.filter(has_text=SPORT)).to_have_count(len(shown))
    expect(plain.locator("main")).not_to_contain_text(TODDLERS)
    plain.get_by_label(t("Age of my child"), exact=True).select_option("2")
    plain.get_by_label(t("Neighbourhood"), exact=True).select_option(PAAL)
    plain.get_by_role("button", name=t("Show"), exact=True).click()
    expect(plain.locator("main article.dorp-session")).to_have_count(0)
    expect(plain.locator("main")).to_contain_text(
        t("Nothing found for these choices. Try another day or neighbourhood.")
    )
    assert plain.context.cookies() == []

    _report_lesser(axe)
    assert not axe.problems, axe.report()


def test_the_arabic_activity_page_fits_a_phone(app, live, new_page):
    net = f.network(app, "beringen")
    health = f.partner(app, net, "Kind en Gezin Beringen", Sector.HEALTH)
    today = date.today()
    offer = cf.offer(
        app,
        net,
        health,
        title=TODDLERS,
        start=today + timedelta(days=1),
        rrule=f"FREQ=DAILY;UNTIL={today + timedelta(days=10):%Y%m%d}",
    )
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=3)
    page.goto(f"{live.url}/beringen/activity/{offer.id}?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text(TODDLERS)
    _no_sideways_scroll(page, "activity page (ar)")
