"""Journeys in a real browser: Debian's Chromium driven by Playwright, against a live server.

The served app has CSRF protection on, so the real forms (hidden csrf_token and all) are used.
Texts are looked up through the app's own translations (`live.t`), so the selectors keep working
whether or not a Dutch catalogue is compiled. Skipped when Chromium is missing, unless
DORP_REQUIRE_BROWSER=1 demands it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser_support import (
    AxeAudit,
    invitation_link,
    require_chromium,
)

require_chromium()

from playwright.sync_api import Page, expect  # noqa: E402

from saas.partners.models import Sector  # noqa: E402
from tests import factories as f  # noqa: E402

pytestmark = pytest.mark.browser

from tests.browser_fixtures import PHONE, TIMEOUT_MS, Live  # noqa: E402,F401  (fixtures: conftest plugin)


def _log_in(page: Page, live: Live, email: str, password: str = f.PASSWORD) -> None:
    t = live.t
    page.goto(live.url + "/auth/login")
    page.get_by_label(t("E-mail address"), exact=True).fill(email)
    page.get_by_label(t("Password"), exact=True).fill(password)
    page.locator("main").get_by_role("button", name=t("Log in"), exact=True).click()
    expect(page).to_have_url(live.url + "/beringen/dashboard")


def _fill_invite_form(page: Page, live: Live, name: str, sector: Sector, email: str) -> None:
    t = live.t
    page.get_by_label(t("Organisation name"), exact=True).fill(name)
    page.get_by_label(t("Sector"), exact=True).select_option(label=_sector_label(live, sector))
    contact = t("Contact e-mail (becomes the partner's administrator)")
    page.get_by_label(contact, exact=True).fill(email)
    page.get_by_role("button", name=t("Send the invitation"), exact=True).click()


def _partner_row(page: Page, name: str):
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))


def _expect_flash(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def _definition(page: Page, term: str):
    """The <dd> that belongs to the <dt> with this text."""
    dt = page.locator("dt").filter(has_text=re.compile(f"^{re.escape(term)}$"))
    return dt.locator("xpath=following-sibling::dd[1]")


def _sector_label(live: Live, sector: Sector) -> str:
    from flask_babel import force_locale

    with live.app.test_request_context(), force_locale("nl"):
        return sector.label


def test_steward_onboards_a_partner(app, live, new_page, run_jobs, environ):
    """Invite -> e-mail -> the partner's admin accepts and completes the profile -> active."""
    t = live.t
    net = f.network(app, "beringen")
    steward = f.user(app, "regie@beringen.example", (net, f.Role.STEWARD), name="Regie Beringen")
    axe = AxeAudit()
    name, contact = "Kinderopvang De Vlinder", "info@devlinder.example"
    description = "Opvang voor baby's en peuters, ook 's avonds."

    # The steward logs in: the interface speaks Dutch by default.
    page = new_page()
    page.goto(live.url + "/auth/login")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    axe.check(page, "login")
    _log_in(page, live, steward.email)

    # Partners -> invite one.
    page.get_by_role("navigation").get_by_role("link", name=t("Partners"), exact=True).click()
    expect(page).to_have_url(live.url + "/beringen/network/partners")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Partners"))
    axe.check(page, "partners list")
    page.get_by_role("link", name=t("Invite a partner"), exact=True).click()
    expect(page).to_have_url(live.url + "/beringen/network/partners/invite")
    expect(page.locator("main form input[name=csrf_token]")).not_to_have_value("")
    axe.check(page, "invite form")
    _fill_invite_form(page, live, name, Sector.HEALTH, contact)
    expect(page).to_have_url(live.url + "/beringen/network/partners")
    _expect_flash(page, t("%(name)s has been invited.", name=name))
    row = _partner_row(page, name)
    expect(row).to_have_count(1)
    expect(row.locator(".badge")).to_have_text(t("Invited"))
    expect(row).to_contain_text(contact)

    # The invitation goes out through the outbox and RQ.
    run_jobs()
    link = invitation_link(
        Path(environ["DORP_INSTANCE_PATH"]) / "mail", contact, live.app.config["BASE_URL"], live.url
    )
    assert re.fullmatch(re.escape(live.url) + r"/beringen/invitation/\S+", link), link

    # The partner's administrator, in a browser of their own, accepts it.
    admin = new_page()
    admin.goto(link)
    expect(admin.get_by_role("heading", level=1)).to_have_text(
        t("Welcome to %(network)s", network=net.name)
    )
    expect(admin.locator("main")).to_contain_text(contact)
    axe.check(admin, "invitation acceptance form")
    admin.get_by_label(t("Your name"), exact=True).fill("Vera Vlinder")
    admin.get_by_label(t("Choose a password"), exact=True).fill("vlinder-vliegt-hoog-2024")
    admin.get_by_label(t("Repeat the password"), exact=True).fill("vlinder-vliegt-hoog-2024")
    admin.get_by_role("button", name=t("Create my account"), exact=True).click()
    expect(admin).to_have_url(live.url + "/beringen/partner/profile")
    _expect_flash(admin, t("Welcome to %(network)s.", network=net.name))
    expect(admin.get_by_role("heading", level=1)).to_have_text(t("Profile of %(name)s", name=name))
    axe.check(admin, "profile form")
    admin.get_by_label(t("What does your organisation offer families?"), exact=True).fill(
        description
    )
    admin.get_by_label("Nederlands", exact=True).check()
    admin.get_by_label("Français", exact=True).check()
    admin.get_by_role("button", name=t("Save"), exact=True).click()
    expect(admin).to_have_url(live.url + "/beringen/partner/")
    _expect_flash(admin, t("The profile has been saved."))
    expect(admin.get_by_role("heading", level=1)).to_have_text(name)
    expect(_definition(admin, t("Description"))).to_have_text(description)
    languages = _definition(admin, t("Languages spoken with families"))
    expect(languages).to_have_text(re.compile(r"(nl|Nederlands).*(fr|Français)"))
    axe.check(admin, "partner overview")

    # Back at the steward's desk, the partner is active.
    page.reload()
    expect(_partner_row(page, name).locator(".badge")).to_have_text(t("Active"))

    # The link is usable once.
    visitor = new_page()
    again = visitor.goto(link)
    assert again is not None and again.status == 410, again and again.status
    expect(visitor.get_by_role("heading", level=1)).to_have_text(t("This link no longer works"))

    # Families see the partner on the public page, without an account.
    visitor.goto(live.url + "/beringen/")
    card = visitor.get_by_role("article").filter(has_text=name)
    expect(card).to_contain_text(description)
    axe.check(visitor, "public network page")

    # Accessibility last, so the journey itself is judged first.
    if axe.lesser:
        print("axe-core, moderate/minor findings (not failed):\n  " + "\n  ".join(axe.lesser))
    assert not axe.problems, axe.report()


def test_phone_sized_pages_do_not_scroll_sideways(app, live, new_page):
    net = f.network(app, "beringen")
    f.partner(app, net, "Consultatiebureau Kind en Gezin Beringen-Centrum", Sector.HEALTH)
    f.partner(app, net, "Vrijetijdsdienst", Sector.LEISURE)
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=3)
    for path in ("/beringen/", "/auth/login"):
        page.goto(live.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        inner, scroll = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
        # A mobile browser widens the layout viewport (and zooms out) when the page has no
        # device-width meta viewport or content wider than the screen; innerWidth then grows
        # with scrollWidth and the sideways check alone would pass. So check both.
        assert inner == PHONE["width"], (
            f"{path}: laid out {inner}px wide on a {PHONE['width']}px phone"
            " (missing meta viewport, or content wider than the screen)"
        )
        assert scroll <= inner + 1, f"{path}: scrolls sideways ({scroll}px content in {inner}px)"


def test_steward_invites_a_partner_without_javascript(app, live, new_page):
    t = live.t
    net = f.network(app, "beringen")
    steward = f.user(app, "regie@beringen.example", (net, f.Role.STEWARD))
    page = new_page(java_script_enabled=False)
    _log_in(page, live, steward.email)
    page.get_by_role("navigation").get_by_role("link", name=t("Partners"), exact=True).click()
    page.get_by_role("link", name=t("Invite a partner"), exact=True).click()
    expect(page).to_have_url(live.url + "/beringen/network/partners/invite")
    expect(page.locator("main form input[name=csrf_token]")).not_to_have_value("")

    # The server validates (the form is novalidate): an empty submission comes back with errors.
    page.get_by_role("button", name=t("Send the invitation"), exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(t("Please correct the fields marked below."))
    expect(page.get_by_label(t("Organisation name"), exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )

    _fill_invite_form(page, live, "Buurtwerk 't Stad", Sector.COMMUNITY, "buurtwerk@example.org")
    expect(page).to_have_url(live.url + "/beringen/network/partners")
    _expect_flash(page, t("%(name)s has been invited.", name="Buurtwerk 't Stad"))
    row = _partner_row(page, "Buurtwerk 't Stad")
    expect(row.locator(".badge")).to_have_text(t("Invited"))
