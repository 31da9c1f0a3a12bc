"""The subscription page, the redirects to Stripe Checkout and portal, and the webhook."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.auth.forms import ConfirmForm
from blueprints.billing.access import stewards_and_platform_admin
from blueprints.billing.blueprint import bp
from blueprints.billing.forms import CheckoutForm
from saas.billing import events
from saas.billing import services as billing
from saas.billing.plans import INTERVAL_LABELS, PLANS, billing_enabled
from saas.billing.stripe_api import BillingUnavailable
from saas.extensions import csrf, limiter, talisman
from saas.security import CSP
from saas.urls import absolute_url
from tenants.access import roles_required
from tenants.models import Role


class _StripePages:
    """CSP form-action for the billing page, whose two forms redirect to Stripe's hosted pages.

    Browsers check the page's form-action along the redirect, so the billing pages allow Stripe
    Checkout and the customer portal (and the local stand-in named by STRIPE_API_BASE).
    Read per request.
    """

    def __iter__(self):
        yield from ("'self'", "https://checkout.stripe.com", "https://billing.stripe.com")
        base = urlsplit(current_app.config.get("STRIPE_API_BASE") or "")
        if base.scheme and base.netloc:
            yield f"{base.scheme}://{base.netloc}"


TO_STRIPE = talisman(content_security_policy={**CSP, "form-action": _StripePages()})


def _page(form: CheckoutForm, status: int = 200):
    return render_template(
        "billing/index.html",
        sub=billing.subscription(),
        plans=PLANS,
        intervals=INTERVAL_LABELS,
        partner_count=billing.counted_partners(),
        recent=billing.recent_events(g.network),
        enabled=billing_enabled(),
        form=form,
        portal_form=ConfirmForm(),
    ), status


@bp.route("/<slug>/billing/")
@TO_STRIPE
@stewards_and_platform_admin
def index():
    return _page(CheckoutForm())


@bp.route("/<slug>/billing/checkout", methods=["POST"])
@TO_STRIPE
@roles_required(Role.STEWARD)
def checkout():
    if not billing_enabled():
        abort(404)
    form = CheckoutForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        url = billing.checkout_url(
            g.network,
            form.plan.data,
            form.interval.data,
            success=absolute_url("billing.index", slug=g.network.slug) + "?checkout=done",
            cancel=absolute_url("billing.index", slug=g.network.slug),
        )
    except billing.BillingError as exc:
        flash(str(exc), "warning")
        return _page(form, 422)
    except BillingUnavailable:
        flash(
            _("Stripe could not be reached. Nothing was changed; please try again later."), "danger"
        )
        return _page(form, 503)
    return redirect(url, code=303)


@bp.route("/<slug>/billing/portal", methods=["POST"])
@TO_STRIPE
@roles_required(Role.STEWARD)
def portal():
    if not billing_enabled():
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        url = billing.portal_url(
            g.network, return_url=absolute_url("billing.index", slug=g.network.slug)
        )
    except billing.BillingError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("billing.index"))
    except BillingUnavailable:
        flash(_("Stripe could not be reached. Please try again later."), "danger")
        return redirect(url_for("billing.index"))
    return redirect(url, code=303)


@bp.route("/billing/stripe/webhook", methods=["POST"])
@csrf.exempt
@limiter.exempt
def stripe_webhook():
    """Verify, store once by id, answer. A worker applies the event (see saas.billing.events)."""
    if not billing_enabled():
        abort(404)
    try:
        event = events.verify(request.get_data(), request.headers.get("Stripe-Signature"))
        _row, new = events.store(event)
    except events.WebhookRejected:
        return jsonify(error="invalid signature or payload"), 400
    return jsonify(received=True, duplicate=not new)


@bp.route("/admin/billing")
def platform_overview():
    """The platform admin's view of every network's plan and state (explicitly cross-network)."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not current_user.is_platform_admin:
        abort(404)
    rows, failing = billing.platform_overview()
    return render_template(
        "billing/platform.html",
        rows=rows,
        plans=PLANS,
        intervals=INTERVAL_LABELS,
        failing=failing,
        enabled=billing_enabled(),
    )
