"""Browser journey: a municipality starts its network, subscribes through (local) Stripe Checkout,
then a payment fails and the steward sees the banner. Axe-checked. Skipped without Chromium."""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from tests.browser_support import AxeAudit, LiveServer, require_chromium, translator

require_chromium()

from playwright.sync_api import expect  # noqa: E402

from tests.billing_support import PRICES, SECRET_KEY, WEBHOOK_SECRET  # noqa: E402
from tests.browser_fixtures import Live  # noqa: E402
from tests.stripe_server import StripeServer  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture
def billing_live(app, make_app):
    """Dorp with billing on and CSRF on, and a local Stripe that posts signed webhooks to it."""
    stripe = StripeServer(webhook_secret=WEBHOOK_SECRET).start()
    web = make_app(
        {"WTF_CSRF_ENABLED": True},
        env={
            "STRIPE_SECRET_KEY": SECRET_KEY,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_API_BASE": stripe.url,
            **PRICES,
        },
    )
    with LiveServer(web) as url:
        stripe.webhook_url = url + "/billing/stripe/webhook"
        web.config["BASE_URL"] = url  # Stripe sends the steward back here
        yield Live(app=web, url=url, t=translator(web)), stripe
    stripe.stop()


def _run_jobs(app) -> None:
    from rq import SimpleWorker

    from saas.connections import redis_connection
    from workers.queues import ALL, queue

    with app.app_context():
        SimpleWorker([queue(n) for n in ALL], connection=redis_connection()).work(burst=True)


def _confirmation_link(environ, live_url: str) -> str:
    folder = Path(environ["DORP_INSTANCE_PATH"]) / "mail"
    for path in sorted(folder.glob("*.eml"), reverse=True):
        with path.open("rb") as fh:
            text = BytesParser(policy=policy.default).parse(fh).get_body(("plain",)).get_content()
        match = re.search(r"https?://\S+(/start/confirm/\S+)", text)
        if match:
            return live_url + match.group(1)
    raise AssertionError("no confirmation e-mail")


def test_a_municipality_starts_a_network_and_subscribes(billing_live, new_page, environ):
    live, stripe = billing_live
    t = live.t
    axe = AxeAudit()
    page = new_page()

    page.goto(live.url + "/")
    page.get_by_role("link", name=t("Start a network"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Start a network"))
    axe.check(page, "start a network")
    page.get_by_label(t("Name of the network"), exact=True).fill("Huis van het Kind Genk")
    page.get_by_label(t("Web address (slug)"), exact=True).fill("genk")
    page.get_by_label(t("Municipality"), exact=True).fill("Genk")
    page.get_by_label(t("Your name"), exact=True).fill("An Peeters")
    page.get_by_label(t("Your work e-mail address"), exact=True).fill("an@genk.example")
    page.get_by_role("button", name=t("Send the confirmation link"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Check your e-mail"))
    axe.check(page, "check your e-mail")

    _run_jobs(live.app)
    page.goto(_confirmation_link(environ, live.url))
    axe.check(page, "confirm and create account")
    page.get_by_label(t("Choose a password"), exact=True).fill("genk-is-een-dorp-2026")
    page.get_by_label(t("Repeat the password"), exact=True).fill("genk-is-een-dorp-2026")
    page.get_by_role("button", name=t("Create my account and the network"), exact=True).click()
    expect(page).to_have_url(live.url + "/genk/dashboard")

    page.get_by_role("navigation").get_by_role("link", name=t("Billing"), exact=True).click()
    expect(page).to_have_url(live.url + "/genk/billing/")
    expect(page.locator("main")).to_contain_text(t("Trial"))
    axe.check(page, "billing page on trial")
    page.get_by_label(str(t("Small network: up to 10 partners")), exact=True).check()
    page.get_by_label(t("per month"), exact=True).check()
    page.get_by_role("button", name=t("Continue to payment"), exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(stripe.url) + "/checkout/cs_"))
    page.get_by_role("button", name="Pay").click()  # Stripe's page (the local stand-in)
    expect(page).to_have_url(live.url + "/genk/billing/?checkout=done")

    _run_jobs(live.app)  # the worker applies checkout.session.completed and subscription.created
    page.reload()
    expect(page.locator("main")).to_contain_text("customer.subscription.created")
    expect(
        page.get_by_role("button", name=t("Open the customer portal"), exact=True)
    ).to_be_visible()

    page.get_by_role("button", name=t("Open the customer portal"), exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(stripe.url) + "/portal/cus_"))
    page.get_by_role("button", name="Make the next payment fail").click()
    _run_jobs(live.app)
    page.goto(live.url + "/genk/dashboard")
    banner = t(
        "The last payment for Dorp did not go through. Please update the payment method in the "
        "customer portal on the billing page."
    )
    expect(page.get_by_role("alert").filter(has_text=banner)).to_be_visible()
    axe.check(page, "dashboard with the past-due banner")
    assert not axe.problems, axe.report()
