"""Pages outside any network: the front door, the account page, and /healthz."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from blueprints.auth.forms import AccountForm, ChangePasswordForm
from blueprints.site.blueprint import bp
from saas import health
from saas.accounts import services as accounts
from saas.accounts.passwords import verify_password
from saas.extensions import db
from saas.notifications.center import KINDS, preferences, set_preference
from saas.notifications.models import Delivery
from tenants.access import user_networks
from tenants.models import Network


@bp.route("/")
def home():
    networks = (
        db.session.execute(
            select(Network).where(Network.is_active.is_(True)).order_by(Network.name)
        )
        .scalars()
        .all()
    )
    mine = user_networks(current_user.id) if current_user.is_authenticated else []
    return render_template("site/home.html", networks=networks, mine=mine)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    user = current_user._get_current_object()
    form = AccountForm(obj=user, prefix="profile")
    password_form = ChangePasswordForm(prefix="password")
    status = 200
    if request.method == "POST" and "profile-name" in request.form:
        if form.validate_on_submit():
            user.name = form.name.data.strip()
            user.language = form.language.data
            flash(_("Your details have been saved."), "success")
            return redirect(url_for("site.account"))
        status = 422
    elif request.method == "POST" and "notify-save" in request.form:
        choices = {kind: request.form.get(f"notify-{kind}", "") for kind in KINDS}
        if all(v in {d.value for d in Delivery} for v in choices.values()):
            for kind, value in choices.items():
                set_preference(user.id, kind, Delivery(value))
            flash(_("Your e-mail choices have been saved."), "success")
            return redirect(url_for("site.account"))
        flash(_("Please choose for each kind of notice."), "danger")
        status = 422
    elif request.method == "POST":
        if password_form.validate_on_submit():
            if verify_password(user.password_hash, password_form.current.data):
                accounts.set_password(user, password_form.password.data, keep_current=True)
                flash(
                    _("Your password has been changed. Other sessions have been logged out."),
                    "success",
                )
                return redirect(url_for("site.account"))
            password_form.current.errors.append(_("This is not your current password."))
        status = 422

    return render_template(
        "site/account.html",
        kinds=KINDS,
        chosen=preferences(user.id),
        form=form,
        password_form=password_form,
        networks=user_networks(user.id),
    ), status


@bp.route("/healthz")
def healthz():
    report = health.check()
    return report, 503 if report["status"] == "down" else 200
