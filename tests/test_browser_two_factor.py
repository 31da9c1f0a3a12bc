"""Adding an authenticator app and signing in with it, on a phone, without JavaScript's help
(issue #21.1): the QR code and the key are on the page, the code is typed, the recovery codes
are shown once, and the next sign-in asks for a code after the password. Every page passes
axe-core and fits a 320 px screen. Skipped when Chromium is missing, unless
DORP_REQUIRE_BROWSER=1."""

from __future__ import annotations

import io
import time

import pyotp
import pytest
import zxingcpp
from PIL import Image

from tests.browser_support import AxeAudit, require_chromium

require_chromium()

from playwright.sync_api import expect  # noqa: E402

from saas.accounts import totp  # noqa: E402
from tenants.models import Role  # noqa: E402
from tests import factories as f  # noqa: E402

pytestmark = pytest.mark.browser

PHONE = {"width": 320, "height": 640}


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways ({width} px)"


def test_a_partner_adds_an_authenticator_app_and_signs_in_with_it_on_a_phone(app, live, new_page):
    t = live.t
    net = f.network(app, "beringen")
    part = f.partner(app, net, "Kind en Gezin")
    ilse = f.user(app, "ilse@beringen.example", (net, Role.PARTNER_ADMIN, part), name="Ilse")
    axe = AxeAudit()
    phone = new_page(viewport=PHONE)

    def sign_in_with_password() -> None:
        phone.goto(live.url + "/auth/login")
        phone.get_by_label(t("E-mail address"), exact=True).fill(ilse.email)
        phone.get_by_label(t("Password"), exact=True).fill(f.PASSWORD)
        phone.locator("main").get_by_role("button", name=t("Log in"), exact=True).click()

    sign_in_with_password()
    phone.goto(live.url + "/account")
    phone.get_by_role("link", name=t("Manage my second factors")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(t("Two-step sign-in"))
    axe.check(phone, "my second factors")
    phone.get_by_role("link", name=t("Add an authenticator app")).click()
    expect(phone.locator("svg.dorp-qr")).to_be_visible()
    secret = phone.locator("#totp-secret").inner_text().replace(" ", "")
    # the QR code drawn on the server is the same key, for Dorp, for this person
    drawn = Image.open(io.BytesIO(phone.locator("svg.dorp-qr").screenshot()))
    (scanned,) = zxingcpp.read_barcodes(drawn)
    assert scanned.text.startswith("otpauth://totp/Dorp:ilse%40beringen.example?")
    assert f"secret={secret}" in scanned.text and "issuer=Dorp" in scanned.text
    _fits(phone)
    axe.check(phone, "add an authenticator app, on a phone")
    phone.get_by_label(t("The 6-digit code your app shows now")).fill(pyotp.TOTP(secret).now())
    phone.locator("main").get_by_role("button", name=t("Add this app")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(t("Your recovery codes"))
    expect(phone.locator("#recovery-codes li")).to_have_count(10)
    _fits(phone)
    axe.check(phone, "recovery codes, on a phone")
    phone.get_by_role("button", name=t("Log out")).click()

    sign_in_with_password()
    expect(phone.get_by_role("heading", level=1)).to_have_text(t("Second step"))
    _fits(phone)
    axe.check(phone, "second step, on a phone")
    field = phone.get_by_label(t("Code from your authenticator app, or a recovery code"))
    field.fill("000000")
    phone.locator("main").get_by_role("button", name=t("Continue"), exact=True).click()
    expect(phone.locator(".invalid-feedback")).to_contain_text(
        t(
            "This code is not right or has expired. Type the code your app shows now "
            "(it changes every 30 seconds)."
        )
    )
    axe.check(phone, "second step with a wrong code")
    next_code = pyotp.TOTP(secret).at(time.time() + totp.STEP_SECONDS)
    phone.get_by_label(t("Code from your authenticator app, or a recovery code")).fill(next_code)
    phone.locator("main").get_by_role("button", name=t("Continue"), exact=True).click()
    expect(phone.get_by_role("button", name=t("Log out"))).to_be_visible()
    assert not axe.problems, axe.report()
