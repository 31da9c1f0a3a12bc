"""The network's data export for its stewards: ask for it (the families' data only when ticked
and confirmed), follow its progress, download it with the link the e-mail gives."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField

from blueprints import confirm
from blueprints.network.blueprint import bp
from saas.audit.services import record
from saas.portability import services as exports
from tenants.access import roles_required
from tenants.models import Role


class ExportForm(FlaskForm):
    with_families = BooleanField(_l("Include the families' data of the referrals"))


@bp.route("/network/export", methods=["GET", "POST"])
@roles_required(Role.STEWARD)
def export():
    form = ExportForm()
    if request.method == "POST" and form.validate_on_submit():
        with_families = bool(form.with_families.data)
        if with_families:
            page = confirm.ask(_families_confirmation())
            if page is not None:
                return page
        try:
            exports.request_export(by=current_user, with_families=with_families)
        except exports.ExportBusy as exc:
            flash(str(exc), "warning")
        else:
            flash(
                _(
                    "The export is being prepared. This page shows how far it is; you will get "
                    "an e-mail with a download link when it is ready."
                ),
                "success",
            )
        return redirect(url_for("network.export"), 303)
    return render_template(
        "network/export.html",
        form=form,
        busy=exports.busy(),
        exports=exports.recent(),
        link=lambda e: url_for("network.export_download", token=exports.token_for(e)),
    ), (400 if form.errors else 200)


def _families_confirmation() -> confirm.Confirmation:
    return confirm.Confirmation(
        action="network.export_with_families",
        title=_("Export the families' data too?"),
        button=_("Export with the families' data"),
        back=url_for("network.export"),
        lost=[
            _(
                "The file will hold what families told about themselves in referrals not yet "
                "anonymised: names, phone numbers or e-mail addresses, questions, neighbourhoods."
            ),
            _(
                "Whoever gets hold of the file can read it: keep it on a protected device and "
                "delete it when it is no longer needed."
            ),
        ],
        kept=[
            _("This export, and every download of it, is recorded in the network's audit trail."),
            _("The link in the e-mail works for stewards of this network only."),
        ],
        carry={"with_families": "y"},
    )


@bp.route("/network/export/download/<token>")
@roles_required(Role.STEWARD)
def export_download(token: str):
    try:
        found, path = exports.export_for_link(token)
    except exports.LinkProblem as problem:
        if not problem.expired:
            abort(404)
        return render_template("network/export_expired.html"), 410
    record("export.downloaded", found, with_families=found.with_families)
    response = send_file(
        path,
        mimetype="application/zip",
        as_attachment=True,
        download_name=exports.download_name(found),
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
