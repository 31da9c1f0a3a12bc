"""Billing pages: the steward's subscription page, Checkout and portal redirects, the Stripe
webhook (outside any network), the public "start a network" sign-up, and the read-only guard."""

from blueprints.billing import guard, signup, views  # noqa: F401  (their routes)
from blueprints.billing.blueprint import bp

__all__ = ["bp"]
