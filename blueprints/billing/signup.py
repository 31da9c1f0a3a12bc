"""Public sign-up: "start a network" -> confirmation e-mail -> network, first steward, trial."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.auth.forms import ConfirmForm
from blueprints.billing.blueprint import bp
from blueprints.billing.forms import SignupAccountForm, StartNetworkForm
from blueprints.forms import form_status
from saas.accounts.services import normalise_email
from saas.billing import signup as signups
from saas.billing.plans import TRIAL_PLAN, billing_enabled
from saas.extensions import limiter
from tenants.models import Network


def _limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _recipient_limit() -> str:
    return current_app.config["SIGNUP_RECIPIENT_RATE_LIMIT"]


def _recipient_key() -> str:
    return "signup-recipient:" + normalise_email(request.form.get("email", ""))[:254]


def _sent(response) -> bool:
    return response.status_code == 302


@bp.route("/start", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
# Per address the e-mail goes to, whoever asks from wherever: only sent e-mails count.
@limiter.limit(_recipient_limit, methods=["POST"], key_func=_recipient_key, deduct_when=_sent)
def start():
    form = StartNetworkForm()
    if request.method == "GET" and current_user.is_authenticated:
        form.email.data = current_user.email
        form.contact_name.data = current_user.name
    if form.validate_on_submit():
        try:
            signups.request_signup(
                email=form.email.data,
                contact_name=form.contact_name.data,
                network_name=form.network_name.data,
                slug=form.slug.data,
                municipality=form.municipality.data,
                language=form.language.data,
            )
        except signups.SignupError as exc:
            form.slug.errors.append(str(exc))
        else:
            return redirect(url_for("billing.start_sent"))
    return render_template(
        "billing/start.html", form=form, billing=billing_enabled(), trial_plan=TRIAL_PLAN
    ), form_status()


@bp.route("/start/sent")
def start_sent():
    return render_template("billing/start_sent.html")


@bp.route("/start/confirm/<token>", methods=["GET", "POST"])
def confirm_signup(token: str):
    try:
        signup = signups.load(token)
    except signups.SignupError as exc:
        return render_template("billing/signup_invalid.html", reason=str(exc)), 410
    existing = signups.existing_account(signup)
    if current_user.is_authenticated:
        if current_user.email != signup.email:
            return render_template("billing/signup_other_account.html"), 403
        form = ConfirmForm()
        if form.validate_on_submit():
            user = current_user._get_current_object()
            return _complete(lambda: signups.complete(signup, user))
        return render_template("billing/signup_confirm.html", signup=signup, form=form)
    if existing is not None:
        return render_template("billing/signup_login.html", signup=signup, token=token)
    form = SignupAccountForm(name=signup.contact_name, language=signup.language)
    if form.validate_on_submit():
        return _complete(
            lambda: signups.complete_as_new_user(
                signup,
                name=form.name.data,
                password=form.password.data,
                language=form.language.data,
            )
        )
    return render_template("billing/signup_register.html", signup=signup, form=form), form_status()


def _complete(complete: Callable[[], Network]):
    """Run the sign-up's completion, then welcome the new steward to their network."""
    try:
        network = complete()
    except signups.SignupError as exc:
        # The address was taken after the request was sent: nothing is created (409 rolls back).
        return render_template("billing/signup_invalid.html", reason="taken", message=str(exc)), 409
    flash(_("Welcome to %(network)s. You are its first steward.", network=network.name), "success")
    return redirect(url_for("network.dashboard", slug=network.slug))
