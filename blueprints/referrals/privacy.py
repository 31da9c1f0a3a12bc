"""A family's request about its data (GDPR access or erasure), handled by the steward, audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from blueprints import confirm
from blueprints.forms import form_status
from blueprints.referrals.blueprint import bp
from saas.audit.services import record
from saas.models_base import utcnow
from saas.partners.models import LANGUAGE_NAMES
from saas.referrals import family_copy, family_pdf
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
    """The referrals the steward ticked: 400 when none is ticked, 404 when one is not the
    network's (another network's referral is not found, as everywhere)."""
    ids = {int(v) for v in request.form.getlist("referral_id") if v.isdigit() and len(v) < 10}
    if not ids:
        abort(400)
    chosen = family_data.referrals(ids)
    if len(chosen) != len(ids):
        abort(404)
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
    return (
        render_template(
            "referrals/privacy.html", form=form, found=found, copy_languages=copy_languages()
        ),
        status,
    )


def _json_value(value):
    """Moments as ISO 8601 in UTC to the second ("2026-07-01T22:30:15+00:00")."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="seconds")
    return str(value)


def _copy_language() -> str:
    """The language the family chose for its copy, among the families' five: 400 otherwise."""
    language = request.form.get("language") or "nl"
    if language not in family_copy.COPY_LANGUAGES:
        abort(400)
    return language


@bp.route("/privacy/export", methods=["POST"])
@roles_required(Role.STEWARD)
def privacy_export():
    """The machine-readable copy (JSON), with the codes as stored."""
    chosen = _chosen()
    data = [family_data.export(r) for r in chosen]
    for referral in chosen:
        record("privacy.exported", referral, form="json")
    body = json.dumps({"referrals": data}, ensure_ascii=False, indent=2, default=_json_value)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="family-data.json"'
    return response


@bp.route("/privacy/copy", methods=["POST"])
@roles_required(Role.STEWARD)
def privacy_copy():
    """The family's readable copy: a page to print, in the language the family chose."""
    chosen, language = _chosen(), _copy_language()
    for referral in chosen:
        record("privacy.exported", referral, form="html", language=language)
    with force_locale(language):
        return render_template(
            "referrals/family_copy.html",
            copies=[family_copy.copy_of(r) for r in chosen],
            made_on=format_date(utcnow(), "long"),
            pdf_refused=False,
        )


@bp.route("/privacy/copy.pdf", methods=["POST"])
@roles_required(Role.STEWARD)
def privacy_copy_pdf():
    """The same copy as a PDF; without the Unicode font, Arabic gets the page to print."""
    chosen, language = _chosen(), _copy_language()
    for referral in chosen:
        record("privacy.exported", referral, form="pdf", language=language)
    with force_locale(language):
        copies = [family_copy.copy_of(r) for r in chosen]
        made_on = format_date(utcnow(), "long")
        if language not in family_pdf.pdf_languages():
            return render_template(
                "referrals/family_copy.html", copies=copies, made_on=made_on, pdf_refused=True
            )
        body = family_pdf.pdf_bytes(
            copies, network=g.network.name, made_on=made_on, language=language
        )
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="family-data-{language}.pdf"'
    return response


def copy_languages() -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES[code]) for code in family_copy.COPY_LANGUAGES]


def erasure(chosen: list[Referral], *, action: str, title: str, button: str, back: str):
    """The confirmation of removing the family's data (the steward's erasure and the sender's
    record of a withdrawn consent say the same about what is lost and what stays)."""
    scope = family_data.erasure_scope(chosen)
    n = len(scope.messages)
    lost = [
        _(
            "The family's label, how to reach it, the children's ages, languages, neighbourhood, "
            "question, themes and preferred days and times."
        ),
        _("The purpose written in the consent record."),
    ]
    if n:
        lost.append(
            ngettext(
                "The text of the %(num)d message between the partners.",
                "The text of the %(num)d messages between the partners.",
                n,
            )
        )
    if scope.still_open:
        lost.append(
            ngettext(
                "%(num)d referral is still open: it ends as cancelled, and both partners are told.",
                "%(num)d referrals are still open: they end as cancelled, and both partners are "
                "told.",
                len(scope.still_open),
            )
        )
    kept = [
        _(
            "The referral itself, without the family: the two partners, its dates, its state and "
            "its timeline (for the network's figures)."
        ),
        _("That consent was given, by whom and when (its text version)."),
    ]
    if n:
        kept.append(
            ngettext(
                "That the partners exchanged %(num)d message: who wrote it and when, "
                "its text removed.",
                "That the partners exchanged %(num)d messages: who wrote each and when, "
                "their text removed.",
                n,
            )
        )
    return confirm.Confirmation(
        action=action,
        title=title,
        button=button,
        back=back,
        heading=", ".join(f"#{r.id} {r.family_label}".strip() for r in chosen),
        rows=[*chosen, *scope.messages, *scope.consents],
        lost=lost,
        kept=kept,
        carry={"referral_id": [str(r.id) for r in chosen]},
    )


@bp.route("/privacy/erase", methods=["POST"])
@roles_required(Role.STEWARD)
def privacy_erase():
    chosen = _chosen()
    page = confirm.ask(
        erasure(
            chosen,
            action="referral.erase",
            title=ngettext(
                "Remove the family's data from %(num)d referral?",
                "Remove the family's data from %(num)d referrals?",
                len(chosen),
            ),
            button=_("Remove the family's data"),
            back=url_for("referrals.privacy"),
        )
    )
    if page is not None:
        return page
    family_data.erase(chosen, user=current_user)
    flash(
        ngettext(
            "The family's data has been removed from %(num)d referral.",
            "The family's data has been removed from %(num)d referrals.",
            len(chosen),
        ),
        "success",
    )
    return redirect(url_for("referrals.privacy"))
