"""The cross-cutting rules of a network's billing state.

A cancelled network (or a trial that ended without a subscription) is read-only: writing requests
under /<slug>/ are refused with a clear message, while reading, exports and the families' pages
keep working and stewards can still reach billing to subscribe again. Past due: a banner for
stewards. All of it only while billing is on.

The read-only rule is one check for the web and the API alike. It must know who acts, so
`saas.app` installs it after the API's token sign-in (a web page's session loads itself when
asked); the refusal is one exception that the web shows as its 403 page and the API in its
error shape.
"""

from __future__ import annotations

from flask import g, render_template, request
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from werkzeug.exceptions import Forbidden

from blueprints.billing.blueprint import bp
from saas.billing import services as billing
from saas.billing.models import SubscriptionStatus
from saas.billing.plans import billing_enabled
from saas.extensions import db
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


# Still allowed on a closed network (offboarding): taking its data along, a family's privacy
# requests. Billing is not: a closed network is reopened by the platform admin only.
ALLOWED_WHEN_CLOSED = {
    "network.export",
    "referrals.privacy",
    "referrals.privacy_export",
    "referrals.privacy_erase",
}


class ReadOnlyNetwork(Forbidden):
    """A write on a network whose subscription has ended (the API answers it in its own shape:
    blueprints/api/errors.py)."""


class NetworkClosed(ReadOnlyNetwork):
    """A write on a network the platform admin has closed (saas.portability.offboarding): the
    same rule, its own page."""


def refuse_writes_when_read_only() -> None:
    """before_request, run once whoever acts is known (a session, or an API token): a write on a
    read-only network raises ReadOnlyNetwork."""
    if request.method not in WRITES or g.get("network") is None:
        return
    # Outsiders get the usual answers (login, 404): the state is the network's own business.
    if not memberships() and request.endpoint != "auth.accept_invitation":
        return
    if g.network.is_closed:
        if request.endpoint not in ALLOWED_WHEN_CLOSED:
            raise NetworkClosed()
        return
    if request.endpoint in ALLOWED:
        return
    if billing.is_read_only():
        raise ReadOnlyNetwork()


@bp.app_errorhandler(ReadOnlyNetwork)
def _read_only_page(exc: ReadOnlyNetwork):
    db.session.rollback()
    if isinstance(exc, NetworkClosed):
        return render_template("billing/closed.html", steward=has_role(Role.STEWARD)), 403
    return render_template("billing/read_only.html"), 403


def _notice() -> dict | None:
    if g.get("network") is None or not memberships():
        return None
    steward = has_role(Role.STEWARD)
    if g.network.is_closed:
        return {"level": "warning", "text": closed_text(), "billing": False}
    sub = billing.enforced()
    if sub is None:
        return None
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


def closed_text() -> str:
    return _(
        "This network has been closed: nothing can be changed any more. Its data will be "
        "deleted on %(day)s; stewards can export it until then.",
        day=format_date(g.network.delete_after, "long"),
    )


@bp.app_context_processor
def _billing_context():
    return {
        "dorp_billing_notice": _notice,
        # The settings page links to billing while it is on, or when a state is recorded.
        "dorp_billing_link": lambda: billing_enabled() or billing.subscription() is not None,
    }
