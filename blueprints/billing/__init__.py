"""Billing pages: the steward's subscription page, Checkout and portal redirects, the Stripe
webhook (outside any network), the public "start a network" sign-up, and the read-only guard."""

from flask import Blueprint

bp = Blueprint("billing", __name__)

from blueprints.billing import guard, signup, views  # noqa: E402,F401


@bp.record_once
def _install(state) -> None:
    from saas.billing import relay

    relay.install()
