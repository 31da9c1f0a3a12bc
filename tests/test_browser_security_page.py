"""A worker sees where she is signed in and signs the office computer out from her phone
(issue #21.4).

Olga signs in at the office, then on her phone: the phone is a device Dorp has not seen for
her, so she gets an e-mail in Dutch. On the phone (320 px wide) she opens the security page from
the account menu: two sessions, the phone marked as this device, her sign-ins below. She signs
out everywhere else; the office computer's next page asks it to sign in again. Every page passes
axe-core and fits the phone's width. Skipped when Chromium is missing, unless
DORP_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import pytest

from tests.browser_support import AxeAudit, require_chromium

require_chromium()

from playwright.sync_api import expect  # noqa: E402

from tests import factories as f  # noqa: E402
from tests.mail import messages  # noqa: E402

pytestmark = pytest.mark.browser

from tests.browser_fixtures import Live  # noqa: E402  (fixtures: conftest plugin)

SMALLEST_PHONE = {"width": 320, "height": 640}
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


def _sign_in(page, live: Live, email: str) -> None:
    t = live.t
    page.goto(live.url + "/auth/login")
    page.get_by_label(t("E-mail address"), exact=True).fill(email)
    page.get_by_label(t("Password"), exact=True).fill(f.PASSWORD)
    page.locator("main").get_by_role("button", name=t("Log in"), exact=True).click()
    expect(page.get_by_role("button", name=t("Log out"), exact=True)).to_be_visible()


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways ({width} px)"


def test_signing_the_office_computer_out_from_a_phone(app, live: Live, new_page, run_jobs, environ):
    t = live.t
    olga = f.user(app, "olga@in-z.example", name="Olga")
    axe = AxeAudit()
    desk = new_page(user_agent=WINDOWS_FIREFOX)
    _sign_in(desk, live, olga.email)
    phone = new_page(viewport=SMALLEST_PHONE, user_agent=ANDROID_CHROME, is_mobile=True)
    _sign_in(phone, live, olga.email)

    run_jobs()
    (mail,) = [m for m in messages(environ) if m["To"] == olga.email]
    assert mail["Subject"] == t("A new sign-in to your Dorp account")
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Chrome op Android" in text and "Deze computer (127.0.0.0/24)" in text

    phone.locator("summary", has_text="Olga").click()
    phone.get_by_role("link", name=t("Security"), exact=True).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(t("Security"))
    sessions = phone.locator("main ul.dorp-sessions > li")
    expect(sessions).to_have_count(2)
    expect(sessions.first).to_contain_text(t("This device"))
    expect(sessions.first).to_contain_text("Chrome op Android")
    expect(sessions.nth(1)).to_contain_text("Firefox op Windows")
    expect(phone.locator("main ul.dorp-events > li")).to_have_count(2)
    _fits(phone)
    axe.check(phone, "security page, on a phone")

    phone.get_by_role("button", name=t("Sign out everywhere else"), exact=True).click()
    expect(phone.get_by_role("status").first).to_contain_text("1")
    expect(sessions).to_have_count(1)
    _fits(phone)
    axe.check(phone, "security page after signing out elsewhere")

    desk.goto(live.url + "/account")
    expect(desk).to_have_url(live.url + "/auth/login?next=%2Faccount")
    assert not axe.problems, axe.report()
