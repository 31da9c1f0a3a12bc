"""The staff catalogue's next / previous links in a real browser on a 320 px phone: plain links
(no script), the filters kept, nothing scrolls sideways, no serious axe finding."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser_support import AxeAudit, require_chromium

require_chromium()

from playwright.sync_api import expect  # noqa: E402

from saas.catalogue import browse  # noqa: E402
from tests import catalogue_factories as cf  # noqa: E402
from tests import factories as f  # noqa: E402

pytestmark = pytest.mark.browser

from tests.browser_fixtures import TIMEOUT_MS, Live  # noqa: E402,F401  (fixtures: conftest plugin)

SMALL = {"width": 320, "height": 700}


def test_a_partner_pages_through_the_catalogue_on_a_small_phone(app, live, new_page, monkeypatch):
    monkeypatch.setattr(browse, "PAGE_SIZE", 3)
    t = live.t
    net = f.network(app, "beringen")
    owner = f.partner(app, net, "Kind en Gezin")
    person = f.user(app, "an@kg.example", (net, f.Role.PARTNER_ADMIN, owner))
    place = cf.place(app, net)
    for n in range(1, 6):
        cf.offer(
            app, net, owner, title=f"Kring {n}", location=place, rrule="", start=date(2027, 3, 1)
        )
    cf.offer(app, net, owner, title="Zwemmen", location=place, rrule="", start=date(2027, 3, 1))
    axe = AxeAudit()

    page = new_page(viewport=SMALL, java_script_enabled=False)  # plain links: no script needed
    page.goto(live.url + "/auth/login")
    page.get_by_label(t("E-mail address"), exact=True).fill(person.email)
    page.get_by_label(t("Password"), exact=True).fill(f.PASSWORD)
    page.locator("main").get_by_role("button", name=t("Log in"), exact=True).click()
    page.goto(live.url + "/beringen/catalogue/?q=kring")

    def titles() -> list[str]:
        return page.locator("article.dorp-card h3").all_inner_texts()

    def fits(where: str) -> None:
        inner, scroll = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
        assert scroll <= inner + 1, f"{where}: scrolls sideways ({scroll}px in {inner}px)"

    assert titles() == ["Kring 1", "Kring 2", "Kring 3"]
    fits("first page")
    pager = page.get_by_role("navigation", name=t("Pages"))
    pager.get_by_role("link", name=t("Next")).click()
    expect(page.locator("article.dorp-card h3").first).to_have_text("Kring 4")
    query = parse_qs(urlsplit(page.url).query)
    assert query["q"] == ["kring"] and "after" in query
    assert titles() == ["Kring 4", "Kring 5"]
    fits("last page")
    checked = new_page(viewport=SMALL, storage_state=page.context.storage_state())
    checked.goto(page.url)  # axe-core is a script: it runs in a page that allows them
    axe.check(checked, "catalogue, second page")
    assert pager.get_by_role("link", name=t("Next")).count() == 0  # the last page
    pager.get_by_role("link", name=t("Previous")).click()
    expect(page.locator("article.dorp-card h3").first).to_have_text("Kring 1")
    assert titles() == ["Kring 1", "Kring 2", "Kring 3"]
    assert not axe.problems, axe.report()
