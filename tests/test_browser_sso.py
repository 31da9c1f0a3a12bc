"""Single sign-on in a browser, on a phone (issue #21.2): the steward of Beringen adds the school
group's provider (the local oidc-provider-mock), a colleague signs in with its button, and an
address nobody invited is refused in words. Every page of Dorp's passes axe-core and fits the
phone's width. Skipped when Chromium is missing, unless DORP_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import pytest

from tests.browser_support import AxeAudit, require_chromium

require_chromium()

from playwright.sync_api import expect  # noqa: E402

from tenants.models import Role  # noqa: E402
from tests import factories as f  # noqa: E402
from tests.browser_support import LiveServer, translator  # noqa: E402
from tests.oidc_support import provider, set_person  # noqa: E402

pytestmark = pytest.mark.browser

from tests.browser_fixtures import Live  # noqa: E402  (fixtures: conftest plugin)

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def live_sso(app, make_app):
    """CSRF on; the provider sends the browser back to this server (its BASE_URL)."""
    web = make_app({"WTF_CSRF_ENABLED": True})
    with LiveServer(web) as url:
        web.config["BASE_URL"] = url
        yield Live(app=web, url=url, t=translator(web))


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways ({width} px)"


def _sign_in(page, live: Live, email: str) -> None:
    t = live.t
    page.goto(live.url + "/auth/login")
    page.get_by_label(t("E-mail address"), exact=True).fill(email)
    page.get_by_label(t("Password"), exact=True).fill(f.PASSWORD)
    page.locator("main").get_by_role("button", name=t("Log in"), exact=True).click()


def _through_provider(page, live: Live, sub: str) -> None:
    # the test provider's page asks a CDN for its stylesheet: offline, an empty one stands in
    page.route(
        "https://cdn.jsdelivr.net/**",
        lambda route: route.fulfill(status=200, content_type="text/css", body=""),
    )
    page.goto(live.url + "/auth/login?network=beringen")
    button = page.get_by_role("link", name=live.t("Sign in with %(provider)s", provider="Scholen"))
    button.click()
    page.locator("input[name=sub]").first.fill(sub)  # the test provider's own page
    page.locator("input[name=sub]").first.press("Enter")


def test_a_steward_adds_a_provider_and_a_colleague_signs_in_with_it_on_a_phone(
    app, live_sso: Live, new_page
):
    live, t = live_sso, live_sso.t
    net = f.network(app, "beringen")
    steward = f.user(app, "regie@beringen.example", (net, Role.STEWARD))
    f.user(app, "juf@beringen.example", (net, Role.SE_COORDINATOR), name="Juf Ann")
    axe = AxeAudit()
    with provider() as issuer:
        phone = new_page(viewport=PHONE)
        _sign_in(phone, live, steward.email)
        phone.goto(live.url + "/beringen/network/sign-in-providers")
        _fits(phone)
        axe.check(phone, "sign-in providers, on a phone")
        phone.get_by_label(t("Name on the button"), exact=True).fill("Scholen")
        phone.get_by_label(t("Issuer"), exact=True).fill(issuer)
        phone.get_by_label(t("Client ID"), exact=True).fill("dorp")
        phone.get_by_label(t("Client secret"), exact=True).fill("geheim-van-de-school")
        phone.get_by_label(t("Allowed e-mail domains"), exact=True).fill("beringen.example")
        phone.locator("main").get_by_role("button", name=t("Add"), exact=True).click()
        expect(phone.get_by_role("link", name="Scholen", exact=True)).to_be_visible()
        phone.get_by_role("link", name="Scholen", exact=True).click()
        expect(phone.get_by_label(t("Client secret"), exact=True)).to_have_value("")
        _fits(phone)
        axe.check(phone, "a sign-in provider, on a phone")

        set_person(issuer, "ann", email="juf@beringen.example", email_verified=True)
        set_person(issuer, "stranger", email="iemand@beringen.example", email_verified=True)
        colleague = new_page(viewport=PHONE)
        colleague.goto(live.url + "/auth/login?network=beringen")
        _fits(colleague)
        axe.check(colleague, "log in with a provider's button, on a phone")
        _through_provider(colleague, live, "ann")
        expect(colleague.get_by_role("button", name=t("Log out"))).to_be_visible()
        assert colleague.url.endswith("/beringen/dashboard")

        stranger = new_page(viewport=PHONE)
        _through_provider(stranger, live, "stranger")
        expect(stranger.get_by_role("heading", level=1)).to_have_text(t("Sign-in refused"))
        expect(stranger.get_by_role("alert")).to_contain_text(
            t(
                "There is no account and no open invitation for this e-mail address. Ask a "
                "steward of your network to invite you; no account has been made."
            )
        )
        _fits(stranger)
        axe.check(stranger, "sign-in refused, on a phone")
    assert not axe.problems, axe.report()
