"""Plans by network size. Prices live in Stripe; Dorp only knows their ids (from the config)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from saas.config import STRIPE_INTERVALS, STRIPE_PLANS


@dataclass(frozen=True)
class Plan:
    code: str
    label: object  # a lazy string
    max_partners: int | None  # None: no limit

    def price_id(self, interval: str) -> str:
        return current_app.config["STRIPE_PRICES"].get(f"{self.code}_{interval}", "")


PLANS = {
    "small": Plan("small", _l("Small network: up to 10 partners"), 10),
    "medium": Plan("medium", _l("Medium network: up to 50 partners"), 50),
    "unlimited": Plan("unlimited", _l("Large network: no partner limit"), None),
}
assert tuple(PLANS) == STRIPE_PLANS
TRIAL_PLAN = "medium"  # what a network may do during its 30-day trial

INTERVAL_LABELS = {"monthly": _l("per month"), "yearly": _l("per year")}
assert tuple(INTERVAL_LABELS) == STRIPE_INTERVALS


def billing_enabled() -> bool:
    return bool(current_app.config.get("BILLING_ENABLED"))


def plan_for_price(price_id: str | None) -> tuple[str, str] | None:
    """(plan, interval) of a Stripe price id from the config, or None for an unknown price."""
    if not price_id:
        return None
    for key, value in current_app.config["STRIPE_PRICES"].items():
        if value == price_id:
            plan, interval = key.rsplit("_", 1)
            return plan, interval
    return None
