"""The cross-cutting rules of a network's billing state.

A cancelled network (or a trial that ended without a subscription) is read-only: writing requests
under /<slug>/ are refused with a clear message, while reading, exports and the families' pages
keep working and stewards can still reach billing to subscribe again. Past due: a banner for
stewards. All of it only while billing is on.
"""

from __future__ import annotations

from flask import g, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext

from blueprints.billing.blueprint import bp
from saas.billing import services as billing
from saas.billing.models import SubscriptionStatus
from saas.billing.plans import billing_enabled
from tenants.access import has_role, memberships
from tenants.models import Role

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Still allowed on a read-only network: subscribing again, and a family's privacy requests.
ALLOWED = {
    "billing.checkout",
    "billing.portal",
    "referrals.privacy",
    "referrals.privacy_export",
    "referrals.privacy_erase",
}


@bp.before_app_request
def _read_only_network():
    if request.method not in WRITES or g.get("network") is None:
        return None
    if request.endpoint in ALLOWED:
        return None
    # Outsiders get the usual answers (login, 404): the state is the network's own business.
    if not memberships() and request.endpoint != "auth.accept_invitation":
        return None
    if not billing.is_read_only():
        return None
    return render_template("billing/read_only.html"), 403


def _notice() -> dict | None:
    if g.get("network") is None or not memberships():
        return None
    sub = billing.enforced()
    if sub is None:
        return None
    steward = has_role(Role.STEWARD)
    if sub.read_only:
        text = _(
            "This network is read-only: its subscription has ended. Everything can still be "
            "viewed and exported, and the families' pages stay online."
        )
        if steward:
            text += " " + _("Choose a plan on the billing page to continue.")
        return {"level": "warning", "text": text, "billing": steward}
    if not steward:
        return None
    if sub.status == SubscriptionStatus.PAST_DUE:
        return {
            "level": "danger",
            "text": _(
                "The last payment for Dorp did not go through. Please update the payment method "
                "in the customer portal on the billing page."
            ),
            "billing": True,
        }
    days = sub.trial_days_left
    if days is not None and sub.stripe_subscription_id is None and days <= 7:
        return {
            "level": "info",
            "text": ngettext(
                "The trial ends in %(num)d day. Choose a plan to keep working without interruption.",
                "The trial ends in %(num)d days. Choose a plan to keep working without interruption.",
                days,
            ),
            "billing": True,
        }
    return None


@bp.app_context_processor
def _billing_context():
    return {
        "dorp_billing_notice": _notice,
        # The settings page links to billing while it is on, or when a state is recorded.
        "dorp_billing_link": lambda: billing_enabled() or billing.subscription() is not None,
    }
