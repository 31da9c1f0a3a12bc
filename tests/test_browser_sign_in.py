"""A worker whose typos paused her account gets back in with a reset link, on a phone (issue #21.3).

Hafida types her password wrongly five times on her phone; the sixth try, with the right
password, shows a page in Dutch that says from what time she can try again and offers a link to
choose a new password. She asks for it, follows the e-mailed link, chooses a new password and
signs in at once. The platform admin then sees the story on the security events page. Every
page passes axe-core and fits the phone's width. Skipped when Chromium is missing, unless
DORP_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import re

import pytest

from tests.browser_support import AxeAudit, require_chromium

require_chromium()

from playwright.sync_api import expect  # noqa: E402

from saas.extensions import limiter  # noqa: E402
from tests import factories as f  # noqa: E402
from tests.browser_support import LiveServer, translator  # noqa: E402
from tests.mail import links_in_mailbox  # noqa: E402

pytestmark = pytest.mark.browser

from tests.browser_fixtures import Live  # noqa: E402  (fixtures: conftest plugin)

SMALL_PHONE = {"width": 375, "height": 740}


@pytest.fixture
def live_limited(app, make_app):
    """The app with CSRF and the rate limits on, served on a free loopback port."""
    web = make_app({"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True})
    try:
        with LiveServer(web) as url:
            yield Live(app=web, url=url, t=translator(web))
    finally:
        limiter.enabled = False  # one limiter per process: leave it as the other tests expect


def _sign_in(page, live: Live, email: str, password: str) -> None:
    t = live.t
    page.goto(live.url + "/auth/login")
    page.get_by_label(t("E-mail address"), exact=True).fill(email)
    page.get_by_label(t("Password"), exact=True).fill(password)
    page.locator("main").get_by_role("button", name=t("Log in"), exact=True).click()


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways ({width} px)"


def test_a_paused_account_gets_back_in_with_a_reset_link_on_a_phone(
    app, live_limited: Live, new_page, run_jobs, environ
):
    live, t = live_limited, live_limited.t
    hafida = f.user(app, "hafida@in-z.example", name="Hafida")
    admin = f.user(app, "admin@dorp.example", admin=True)
    axe = AxeAudit()
    phone = new_page(viewport=SMALL_PHONE)

    for _ in range(5):
        _sign_in(phone, live, hafida.email, "hafida-typt-mis")
        expect(phone.get_by_role("alert")).to_contain_text(
            t("The e-mail address or password is not right.")
        )
    _sign_in(phone, live, hafida.email, f.PASSWORD)
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        t("Signing in is paused for a while")
    )
    paused = phone.get_by_role("alert").inner_text()
    assert re.search(r"vanaf \d{1,2}:\d{2} \(over 1[45] minuten\)", paused), paused
    _fits(phone)
    axe.check(phone, "sign-in paused, on a phone")

    phone.get_by_role("link", name=t("Forgot your password?"), exact=True).click()
    phone.get_by_label(t("E-mail address"), exact=True).fill(hafida.email)
    phone.get_by_role("button", name=t("Send the link"), exact=True).click()
    sent = t("If an account exists for this address, we have sent a link to set a new password.")
    expect(phone.get_by_role("status").filter(has_text=sent)).to_be_visible()
    run_jobs()
    (link,) = links_in_mailbox(environ, hafida.email, "/auth/reset/")
    phone.goto(link.replace("http://localhost", live.url))
    phone.get_by_label(t("New password"), exact=True).fill("een nieuw lang wachtwoord")
    phone.get_by_label(t("Repeat the password"), exact=True).fill("een nieuw lang wachtwoord")
    phone.locator("main").get_by_role("button").click()
    _sign_in(phone, live, hafida.email, "een nieuw lang wachtwoord")
    expect(phone.get_by_role("button", name=t("Log out"))).to_be_visible()

    desk = new_page()
    _sign_in(desk, live, admin.email, f.PASSWORD)
    # the platform admin always has a second step
    code = f.fresh_code(live.app.test_client(), admin)
    desk.get_by_label(t("Code from your authenticator app, or a recovery code")).fill(code)
    desk.locator("main").get_by_role("button", name=t("Continue"), exact=True).click()
    desk.goto(live.url + "/admin/security")
    expect(desk.get_by_role("heading", level=1)).to_have_text(t("Security events"))
    events = desk.locator("main li")
    # five failures, the pause, the link asked for, the new password, the sign-in
    expect(events.filter(has_text="hafida@in-z.example")).to_have_count(9)
    expect(events.first).to_contain_text(t("Signed in"))
    axe.check(desk, "security events")
    desk.get_by_label(t("Kind"), exact=True).select_option("sign_in_throttled")
    desk.get_by_role("button", name=t("Show"), exact=True).click()
    expect(events).to_have_count(1)
    expect(events.first).to_contain_text(t("Sign-in refused: too many failed attempts"))
    small = new_page(viewport=SMALL_PHONE)
    _sign_in(small, live, admin.email, f.PASSWORD)
    small.goto(live.url + "/admin/security")
    _fits(small)
    axe.check(small, "security events, on a phone")
    assert not axe.problems, axe.report()
