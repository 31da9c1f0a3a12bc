"""The platform admin creates networks and gives them a first steward (explicitly cross-network)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from blueprints.admin.blueprint import bp
from blueprints.forms import choices, email_field, form_status, slug_field
from saas.onboarding import networks as onboarding
from tenants.models import LANGUAGES


class NetworkForm(FlaskForm):
    name = StringField(_l("Network name"), validators=[DataRequired(), Length(min=2, max=200)])
    slug = slug_field()
    municipality = StringField(
        _l("Municipality"), validators=[DataRequired(), Length(min=2, max=200)]
    )
    default_language = SelectField(
        _l("Default language"), choices=lambda: choices(LANGUAGES.items())
    )
    steward_email = email_field(_l("E-mail of the first steward"))


@bp.before_request
@login_required
def _platform_admin_only():
    if not current_user.is_platform_admin:
        abort(404)


@bp.route("/networks", methods=["GET", "POST"])
def networks():
    form = NetworkForm()
    if form.validate_on_submit():
        try:
            network = onboarding.create_network(
                slug=form.slug.data,
                name=form.name.data,
                municipality=form.municipality.data,
                default_language=form.default_language.data,
                steward_email=form.steward_email.data,
                invited_by=current_user,
            )
        except onboarding.NetworkError as exc:
            form.slug.errors.append(str(exc))
        else:
            flash(
                _(
                    "Network %(name)s has been created; the steward has been invited.",
                    name=network.name,
                ),
                "success",
            )
            return redirect(url_for("admin.networks"))
    rows = onboarding.networks_with_member_counts()
    return render_template("admin/networks.html", form=form, rows=rows), form_status()
