"""Logging in and out, password reset, and accepting an invitation."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

import blueprints.auth.pending as pending
from blueprints.auth.blueprint import bp
from blueprints.auth.forms import (
    AcceptInvitationForm,
    ConfirmForm,
    ForgotForm,
    LoginForm,
    ResetForm,
)
from blueprints.auth.second_factor import landing
from blueprints.auth.throttle import (
    failures_per_account,
    failures_per_address,
    forget_failures,
    note_failure,
)
from blueprints.forms import form_status
from saas.accounts import factors
from saas.accounts import services as accounts
from saas.extensions import limiter
from saas.onboarding import invitations
from saas.security import is_safe_next
from saas.sso import services as sso_services
from tenants.context import network_scope


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/auth/login", methods=["GET", "POST"])
# Failed sign-ins only, per account and per address: see blueprints/auth/throttle.py.
@failures_per_account
@failures_per_address
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        pending.end()
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            target = form.next.data if is_safe_next(form.next.data) else ""
            if factors.has_factors(user.id):
                # not signed in yet: the second step first (blueprints/auth/second_factor.py)
                pending.begin(user, target)
                return redirect(url_for("auth.second_factor"))
            accounts.start_session(user)
            forget_failures(user.email)
            if factors.needs_second_factor(user):
                flash(
                    _("Before you go on, set up a second factor: it is required for your role."),
                    "warning",
                )
                return redirect(url_for("auth.factors_page"))
            return redirect(target or landing())
        note_failure()
        flash(_("The e-mail address or password is not right."), "danger")
    return render_template("auth/login.html", form=form, **_sign_in_providers()), form_status()


def _sign_in_providers() -> dict:
    """The "Sign in with ..." buttons: the platform's providers always, and those of the network
    the page was opened for (/auth/login?network=<slug>), read under that network's scope."""
    network = sso_services.network_by_slug(request.args.get("network", ""))
    own = []
    if network is not None:
        with network_scope(network.id):
            own = sso_services.network_providers()
    return {
        "sso_network": network,
        "sso_own": own,
        "sso_platform": sso_services.platform_providers(),
        "sso_next": request.args.get("next", "") if is_safe_next(request.args.get("next")) else "",
    }


@bp.route("/auth/logout", methods=["POST"])
@login_required
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        accounts.end_session(current_user._get_current_object())
        flash(_("You are logged out."), "info")
        then = request.form.get("next", "")
        if then and is_safe_next(then):  # e.g. sign in again for another network
            return redirect(then)
    return redirect(url_for("site.home"))


@bp.route("/auth/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    form = ForgotForm()
    if form.validate_on_submit():
        accounts.send_password_reset(form.email.data)
        flash(
            _("If an account exists for this address, we have sent a link to set a new password."),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), form_status()


@bp.route("/auth/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = accounts.user_from_reset_token(token)
    if user is None:
        return render_template("auth/link_invalid.html", reason="reset"), 410
    form = ResetForm()
    if form.validate_on_submit():
        accounts.reset_password(user, form.password.data)
        forget_failures(user.email)
        flash(_("Your password has been changed. Please log in."), "success")
        if current_user.is_authenticated:
            logout_user()
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), form_status()


@bp.route("/<slug>/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    try:
        invitation = invitations.load(token)
    except invitations.InvitationError as exc:
        return render_template("auth/link_invalid.html", reason=str(exc)), 410
    existing = accounts.find_user(invitation.email)
    if current_user.is_authenticated:
        if current_user.email != invitation.email:
            return render_template("auth/invitation_other_account.html", invitation=invitation), 403
        form = ConfirmForm()
        if form.validate_on_submit():
            membership = invitations.accept(invitation, current_user._get_current_object())
            flash(_("Welcome to %(network)s.", network=g.network.name), "success")
            return redirect(_after_accept(membership))
        return render_template("auth/invitation_confirm.html", invitation=invitation, form=form)
    if existing is not None:
        return render_template("auth/invitation_login.html", invitation=invitation, token=token)
    form = AcceptInvitationForm(language=g.network.default_language)
    if form.validate_on_submit():
        membership = invitations.accept_as_new_user(
            invitation,
            name=form.name.data,
            password=form.password.data,
            language=form.language.data,
        )
        flash(_("Welcome to %(network)s.", network=g.network.name), "success")
        return redirect(_after_accept(membership))
    return render_template(
        "auth/invitation_register.html",
        invitation=invitation,
        form=form,
        sso=sso_services.providers_for(invitation.email),
    ), form_status()


def _after_accept(membership) -> str:
    if membership.partner_id is not None:
        return url_for("partner.profile")
    return url_for("network.dashboard")
