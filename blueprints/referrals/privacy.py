"""A family's request about its data (GDPR access or erasure), handled by the steward, audited."""

from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from blueprints.forms import form_status
from blueprints.referrals.blueprint import bp
from saas.audit.services import record
from saas.referrals import privacy as family_data
from saas.referrals.models import Referral
from tenants.access import roles_required
from tenants.models import Role


class FamilySearchForm(FlaskForm):
    term = StringField(
        _l("Label, phone number or e-mail address the family is known by"),
        validators=[DataRequired(), Length(min=3, max=120)],
    )


def _chosen() -> list[Referral]:
    """The referrals the steward ticked; 400 when none."""
    ids = [int(v) for v in request.form.getlist("referral_id") if v.isdigit() and len(v) < 10]
    chosen = family_data.referrals(ids)
    if not chosen:
        abort(400)
    return chosen


@bp.route("/privacy", methods=["GET", "POST"])
@roles_required(Role.STEWARD)
def privacy():
    form = FamilySearchForm()
    found = None
    if form.validate_on_submit():
        found = family_data.find_family(form.term.data.strip())
        record("privacy.searched", None, results=len(found))
    status = 200 if found is not None else form_status()
    return render_template("referrals/privacy.html", form=form, found=found), status


@bp.route("/privacy/export", methods=["POST"])
@roles_required(Role.STEWARD)
def privacy_export():
    chosen = _chosen()
    data = [family_data.export(r) for r in chosen]
    for referral in chosen:
        record("privacy.exported", referral)
    body = json.dumps({"referrals": data}, ensure_ascii=False, indent=2, default=str)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="family-data.json"'
    return response


@bp.route("/privacy/erase", methods=["POST"])
@roles_required(Role.STEWARD)
def privacy_erase():
    chosen = _chosen()
    family_data.erase(chosen)
    flash(_("The family's data has been removed from %(n)d referrals.", n=len(chosen)), "success")
    return redirect(url_for("referrals.privacy"))
