"""A partner admin's API tokens: create (the secret is shown once), list with last use, revoke."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from blueprints import confirm
from blueprints.auth.forms import ConfirmForm
from blueprints.forms import choices
from blueprints.loading import load_or_404
from blueprints.partner.forms import CheckboxList
from saas.api import services as tokens
from saas.api.models import ApiToken
from tenants.access import memberships, roles_required
from tenants.models import Role

bp = Blueprint("api_tokens", __name__, url_prefix="/<slug>/partner/api-tokens")

DURATIONS = [(30, _l("30 days")), (90, _l("90 days")), (180, _l("180 days")), (365, _l("1 year"))]


def _scope_choices():
    level = {"read": _l("read"), "write": _l("read and change")}
    return choices(
        (scope, f"{tokens.RESOURCES[scope.split(':')[0]]}: {level[scope.split(':')[1]]}")
        for scope in tokens.all_scopes()
    )


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name (which system uses it)"), validators=[DataRequired(), Length(min=2, max=80)]
    )
    scopes = CheckboxList(_l("Permissions"), choices=_scope_choices)
    days = SelectField(_l("Valid for"), choices=lambda: choices(DURATIONS), coerce=int, default=90)


def _admin_partner():
    """The partner this person administers (the token will act for it)."""
    for m in memberships():
        if m.role == Role.PARTNER_ADMIN and m.partner_id is not None:
            return m.partner
    abort(403)


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.PARTNER_ADMIN)
def index():
    partner = _admin_partner()
    form = TokenForm()
    created = None
    status = 200
    if form.validate_on_submit():
        try:
            created = tokens.create(
                partner=partner,
                user=current_user,
                name=form.name.data,
                scopes=form.scopes.data or [],
                days=form.days.data,
            )
        except tokens.TokenError as exc:
            form.scopes.errors = [*form.scopes.errors, str(exc.args[0])]
            status = 422
        else:
            form = TokenForm(formdata=None)
    elif form.is_submitted():
        status = 422
    return render_template(
        "api/tokens.html",
        partner=partner,
        form=form,
        created=created,
        rows=tokens.for_partner(partner.id),
        confirm=ConfirmForm(),
    ), status


@bp.route("/<int:token_id>/revoke", methods=["GET", "POST"])
@roles_required(Role.PARTNER_ADMIN)
def revoke(token_id: int):
    partner = _admin_partner()
    token = load_or_404(ApiToken, token_id, ApiToken.partner_id == partner.id)
    back = url_for("api_tokens.index")
    if token.revoked_at is not None:
        flash(_("The token “%(name)s” was already revoked.", name=token.name), "info")
        return redirect(back)
    page = confirm.ask(
        confirm.Confirmation(
            action="api_token.revoke",
            title=_("Revoke the token “%(name)s”?", name=token.name),
            button=_("Revoke the token"),
            back=back,
            heading=f"dorp_{token.prefix}_…",
            # not the whole row: its last use changes with every call it makes
            state=[token.id, token.name, token.revoked_at, token.expires_at, token.scopes],
            lost=[
                _(
                    "Every program that uses this token is refused from now on, for good "
                    "(it keeps its name and last use in the list)."
                )
            ],
            kept=[_("To give a program access again, make a new token.")],
        )
    )
    if page is not None:
        return page
    tokens.revoke(token)
    flash(_("The token “%(name)s” has been revoked.", name=token.name), "info")
    return redirect(back)
