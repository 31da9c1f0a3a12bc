"""The one Stripe client, pointed at STRIPE_API_BASE when set (the tests' local Stripe server)."""

from __future__ import annotations

import stripe
from flask import current_app


class BillingUnavailable(RuntimeError):
    """Billing is off, or Stripe could not be reached / refused the request."""


def client() -> stripe.StripeClient:
    config = current_app.config
    if not config.get("BILLING_ENABLED"):
        raise BillingUnavailable("billing is off")
    cached = current_app.extensions.get("dorp_stripe")
    if cached is None:
        bases = {"api": config["STRIPE_API_BASE"]} if config.get("STRIPE_API_BASE") else None
        cached = stripe.StripeClient(
            config["STRIPE_SECRET_KEY"], base_addresses=bases, max_network_retries=2
        )
        current_app.extensions["dorp_stripe"] = cached
    return cached


def field(obj, *path, default=None):
    """Read a nested value from a Stripe object or plain dict without KeyErrors."""
    for key in path:
        if obj is None:
            return default
        if isinstance(key, int):
            try:
                obj = obj[key]
            except (IndexError, KeyError, TypeError):
                return default
            continue
        try:
            obj = obj[key]
        except (KeyError, TypeError, AttributeError):
            return default
    return default if obj is None else obj


def object_id(value) -> str:
    """A Stripe reference is an id string, or an expanded object with an id."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return str(field(value, "id", default=""))
