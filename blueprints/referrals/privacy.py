"""A family's request about its data (GDPR access or erasure), handled by the steward, audited."""

from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from blueprints.referrals.blueprint import bp
from saas.audit.services import record
from saas.extensions import db
from saas.referrals import services
from saas.referrals.models import Consent, Referral, ReferralEvent, ReferralMessage
from tenants.access import roles_required
from tenants.models import Role


class FamilySearchForm(FlaskForm):
    term = StringField(
        _l("Label, phone number or e-mail address the family is known by"),
        validators=[DataRequired(), Length(min=3, max=120)],
    )


def _matches(term: str) -> list[Referral]:
    like = "%" + term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return list(
        db.session.execute(
            select(Referral)
            .where(
                Referral.anonymised_at.is_(None),
                or_(
                    func.lower(Referral.family_label).like(like, escape="\\"),
                    func.lower(Referral.contact_value).like(like, escape="\\"),
                ),
            )
            .order_by(Referral.id)
        ).scalars()
    )


def _chosen() -> list[Referral]:
    ids = [int(v) for v in request.form.getlist("referral_id") if v.isdigit() and len(v) < 10]
    if not ids:
        return []
    return list(db.session.execute(select(Referral).where(Referral.id.in_(ids))).scalars())


@bp.route("/privacy", methods=["GET", "POST"])
@roles_required(Role.STEWARD)
def privacy():
    form = FamilySearchForm()
    found = None
    if form.validate_on_submit():
        found = _matches(form.term.data.strip())
        record("privacy.searched", None, results=len(found))
    status = 422 if request.method == "POST" and found is None else 200
    return render_template("referrals/privacy.html", form=form, found=found), status


@bp.route("/privacy/export", methods=["POST"])
@roles_required(Role.STEWARD)
def privacy_export():
    chosen = _chosen()
    if not chosen:
        abort(400)
    data = [_export(r) for r in chosen]
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
    if not chosen:
        abort(400)
    for referral in chosen:
        services.anonymise(referral)
        record("privacy.erased", referral)
    flash(_("The family's data has been removed from %(n)d referrals.", n=len(chosen)), "success")
    return redirect(url_for("referrals.privacy"))


def _export(referral: Referral) -> dict:
    fields = (
        "id",
        "status",
        "family_label",
        "contact_way",
        "contact_value",
        "age_bands",
        "languages",
        "neighbourhood",
        "question",
        "themes",
        "preferred_days",
        "preferred_times",
        "urgent",
        "created_at",
        "sent_at",
        "responded_at",
        "closed_at",
    )
    out = {name: getattr(referral, name) for name in fields}
    out["from_partner"] = referral.from_partner.name
    out["to_partner"] = referral.to_partner.name
    out["consents"] = [
        {
            "given_by": c.given_by,
            "given_at": c.given_at,
            "purpose": c.purpose,
            "text_version": c.text_version,
            "withdrawn_at": c.withdrawn_at,
        }
        for c in db.session.execute(
            select(Consent).where(Consent.referral_id == referral.id)
        ).scalars()
    ]
    out["messages"] = [
        {"at": m.created_at, "body": m.body}
        for m in db.session.execute(
            select(ReferralMessage).where(ReferralMessage.referral_id == referral.id)
        ).scalars()
    ]
    out["timeline"] = [
        {"at": e.created_at, "what": e.kind}
        for e in db.session.execute(
            select(ReferralEvent).where(ReferralEvent.referral_id == referral.id)
        ).scalars()
    ]
    return out
