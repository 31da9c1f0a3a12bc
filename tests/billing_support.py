"""Fixtures for the billing tests: a local Stripe server and an app with billing switched on."""

from __future__ import annotations

import json

import pytest

from tests.conftest import context_opener, job_runner
from tests.stripe_server import StripeServer, sign

SECRET_KEY = "sk_test_dorp"
WEBHOOK_SECRET = "whsec_test_dorp"
PRICES = {
    "STRIPE_PRICE_SMALL_MONTHLY": "price_small_m",
    "STRIPE_PRICE_SMALL_YEARLY": "price_small_y",
    "STRIPE_PRICE_MEDIUM_MONTHLY": "price_medium_m",
    "STRIPE_PRICE_MEDIUM_YEARLY": "price_medium_y",
    "STRIPE_PRICE_UNLIMITED_MONTHLY": "price_unlimited_m",
    "STRIPE_PRICE_UNLIMITED_YEARLY": "price_unlimited_y",
}


@pytest.fixture(scope="session")
def stripe_server():
    server = StripeServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _billing_app(make_app, _migrated, stripe_server):
    return make_app(
        env={
            "STRIPE_SECRET_KEY": SECRET_KEY,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_API_BASE": stripe_server.url,
            **PRICES,
        }
    )


@pytest.fixture
def billing_app(app, _billing_app, stripe_server):
    """Billing on, Stripe answered locally; the tables are wiped after each test by `app`."""
    stripe_server.reset()
    yield _billing_app


@pytest.fixture
def bclient(billing_app):
    return billing_app.test_client()


@pytest.fixture
def bctx(billing_app):
    return context_opener(billing_app)


@pytest.fixture
def run_billing_jobs(billing_app):
    return job_runner(billing_app)


def post_event(
    client, body: dict | str, *, secret: str = WEBHOOK_SECRET, timestamp=None, header=...
):
    payload = body if isinstance(body, str) else json.dumps(body)
    headers = {"Content-Type": "application/json"}
    if header is ...:
        headers["Stripe-Signature"] = sign(payload, secret, timestamp)
    elif header is not None:
        headers["Stripe-Signature"] = header
    return client.post("/billing/stripe/webhook", data=payload, headers=headers)
