"""Pages outside any network: the front door, the account page, and /healthz."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from blueprints.auth.forms import AccountForm, ChangePasswordForm
from blueprints.forms import form_status
from blueprints.site.blueprint import bp
from saas import health
from saas.accounts import services as accounts
from saas.accounts.models import User
from saas.notifications.center import KINDS, preferences, set_preferences
from saas.notifications.models import Delivery
from saas.onboarding.networks import active_networks
from tenants.access import user_networks


@bp.route("/")
def home():
    networks = active_networks()
    mine = user_networks(current_user.id) if current_user.is_authenticated else []
    return render_template("site/home.html", networks=networks, mine=mine)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Three forms on one page: the person's details, their e-mail choices, their password."""
    user = current_user._get_current_object()
    form = AccountForm(obj=user, prefix="profile")
    password_form = ChangePasswordForm(prefix="password")
    if request.method == "POST":
        if "profile-name" in request.form:
            saved = _save_details(user, form)
        elif "notify-save" in request.form:
            saved = _save_notice_choices(user)
        else:
            saved = _change_password(user, password_form)
        if saved:
            return redirect(url_for("site.account"))
    return render_template(
        "site/account.html",
        kinds=KINDS,
        chosen=preferences(user.id),
        form=form,
        password_form=password_form,
        networks=user_networks(user.id),
    ), form_status()


def _save_details(user: User, form: AccountForm) -> bool:
    if not form.validate_on_submit():
        return False
    accounts.update_details(user, name=form.name.data, language=form.language.data)
    flash(_("Your details have been saved."), "success")
    return True


def _save_notice_choices(user: User) -> bool:
    chosen = {kind: request.form.get(f"notify-{kind}", "") for kind in KINDS}
    if not all(v in {d.value for d in Delivery} for v in chosen.values()):
        flash(_("Please choose for each kind of notice."), "danger")
        return False
    set_preferences(user.id, {kind: Delivery(value) for kind, value in chosen.items()})
    flash(_("Your e-mail choices have been saved."), "success")
    return True


def _change_password(user: User, form: ChangePasswordForm) -> bool:
    if not form.validate_on_submit():
        return False
    try:
        accounts.change_password(user, current=form.current.data, new=form.password.data)
    except accounts.WrongPassword:
        form.current.errors.append(_("This is not your current password."))
        return False
    flash(_("Your password has been changed. Other sessions have been logged out."), "success")
    return True


@bp.route("/healthz")
def healthz():
    report = health.check()
    return report, 503 if report["status"] == "down" else 200
