"""Importing offers from a CSV file: upload, preview with an error per line, confirm."""

from __future__ import annotations

import base64
import binascii

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField
from wtforms.validators import DataRequired, InputRequired

from blueprints.catalogue.access import PUBLISHERS, publishable_partners
from blueprints.catalogue.blueprint import bp
from blueprints.forms import choices, form_status
from saas.catalogue import importer, services
from saas.extensions import db
from tenants.access import roles_required


class UploadOffersForm(FlaskForm):
    partner_id = SelectField(_l("Organised by"), coerce=int, validators=[InputRequired()])
    publish = BooleanField(_l("Publish the activities right away"))
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(), FileAllowed(["csv", "txt"], _l("Please choose a .csv file."))],
    )


class ConfirmOffersForm(FlaskForm):
    payload = HiddenField(validators=[DataRequired()])
    partner_id = HiddenField(validators=[DataRequired()])
    publish = HiddenField()


def _partner(partner_id) -> object:
    try:
        wanted = int(partner_id)
    except (TypeError, ValueError):
        abort(400)
    partner = next((p for p in publishable_partners() if p.id == wanted), None)
    if partner is None:
        abort(403)
    return partner


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*PUBLISHERS)
def import_offers():
    upload = UploadOffersForm()
    upload.partner_id.choices = choices((p.id, p.name) for p in publishable_partners())
    if not upload.partner_id.choices:
        abort(403)
    if "payload" in request.form:
        return _import(upload)
    if upload.validate_on_submit():
        return _preview(upload)
    return _page(upload, None, None, form_status())


def _page(upload: UploadOffersForm, preview, confirm: ConfirmOffersForm | None, status: int):
    return render_template(
        "catalogue/import.html", upload=upload, preview=preview, confirm=confirm
    ), status


def _preview(upload: UploadOffersForm):
    """The file read line by line; only a file without errors can be confirmed."""
    partner = _partner(upload.partner_id.data)
    raw = upload.file.data.read()
    preview = importer.preview(raw)
    if not preview.ok:
        return _page(upload, preview, None, 422)
    confirm = ConfirmOffersForm(
        payload=base64.b64encode(raw).decode(),
        partner_id=str(partner.id),
        publish="1" if upload.publish.data else "0",
    )
    return _page(upload, preview, confirm, 200)


def _import(upload: UploadOffersForm):
    """The confirmed file, imported as a whole or not at all."""
    confirm = ConfirmOffersForm()
    if not confirm.validate_on_submit():
        abort(400)
    partner = _partner(confirm.partner_id.data)
    try:
        raw = base64.b64decode(confirm.payload.data, validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    try:
        offers = importer.import_offers(
            raw, partner, current_user, publish=confirm.publish.data == "1"
        )
    except services.OfferError as exc:
        db.session.rollback()  # the lines saved before the refused one were flushed
        flash(str(exc), "danger")
        return _page(upload, importer.preview(raw), None, 422)
    flash(
        ngettext(
            "%(num)d activity has been imported.",
            "%(num)d activities have been imported.",
            len(offers),
        ),
        "success",
    )
    return redirect(url_for("catalogue.mine"))
