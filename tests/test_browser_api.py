"""A partner admin makes an API token in a real browser and reads the documentation.

Kind & Gezin's admin opens the token page from the partner overview, creates a token (CSRF on),
sees it once, uses it against the live API, no longer sees it after a reload, and revokes it, after
which the API refuses it. The token page (on a phone too) and the documentation page pass axe.
Skipped when Chromium is missing, unless DORP_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import pytest

from tests.browser_support import AxeAudit, require_chromium

require_chromium()

from playwright.sync_api import expect  # noqa: E402

from saas.partners.models import Sector  # noqa: E402
from tenants.models import Role  # noqa: E402
from tests import catalogue_factories as cf  # noqa: E402
from tests import factories as f  # noqa: E402

pytestmark = pytest.mark.browser

from tests.browser_fixtures import PHONE, TIMEOUT_MS, Live  # noqa: E402,F401


def test_partner_admin_creates_uses_and_revokes_a_token(app, live: Live, new_page):
    net = f.network(app, "beringen")
    kg = f.partner(app, net, "Kind & Gezin", Sector.HEALTH)
    f.user(app, "an@kindengezin.example", (net, Role.PARTNER_ADMIN, kg), name="An Peeters")
    cf.offer(app, net, kg, title="Babbelonie")
    t = live.t
    axe = AxeAudit()
    page = new_page()
    page.goto(live.url + "/auth/login")
    page.get_by_label(t("E-mail address"), exact=True).fill("an@kindengezin.example")
    page.get_by_label(t("Password"), exact=True).fill(f.PASSWORD)
    page.locator("main").get_by_role("button", name=t("Log in"), exact=True).click()
    page.goto(live.url + "/beringen/partner/")
    page.get_by_role("link", name=t("API tokens"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("API tokens of %(name)s", name="Kind & Gezin")
    )
    axe.check(page, "token page, empty")
    page.get_by_label(t("Name (which system uses it)"), exact=True).fill("Ons dossier")
    page.get_by_label(f"{t('Activities')}: {t('read')}", exact=True).check()
    page.get_by_label(t("Valid for"), exact=True).select_option(label=t("30 days"))
    page.get_by_role("button", name=t("Create the token"), exact=True).click()
    secret = page.get_by_label("Ons dossier", exact=True).input_value()
    assert secret.startswith("dorp_")
    axe.check(page, "token page, new token shown")
    answer = page.request.get(
        live.url + "/api/v1/beringen/offers", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status == 200 and answer.json()["items"][0]["title"] == "Babbelonie"
    page.goto(live.url + "/beringen/partner/api-tokens/")
    assert secret not in page.content()
    row = page.get_by_role("row").filter(has_text="Ons dossier")
    expect(row).to_contain_text("offers:read")
    row.get_by_role("button", name=t("Revoke")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Revoke the token “%(name)s”?", name="Ons dossier")
    )
    page.get_by_role("button", name=t("Revoke the token"), exact=True).click()
    expect(page.get_by_role("row").filter(has_text="Ons dossier")).to_contain_text(t("revoked"))
    refused = page.request.get(
        live.url + "/api/v1/beringen/offers", headers={"Authorization": f"Bearer {secret}"}
    )
    assert refused.status == 401 and refused.json()["error"]["code"] == "token_revoked"
    phone = new_page(viewport=PHONE)
    for cookie in page.context.cookies():
        phone.context.add_cookies([cookie])
    phone.goto(live.url + "/beringen/partner/api-tokens/")
    axe.check(phone, "token page on a phone")
    page.goto(live.url + "/api/v1/docs")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dorp API")
    axe.check(page, "API documentation")
    assert not axe.problems, axe.report()
