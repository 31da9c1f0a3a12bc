"""The network steward's pages: the dashboard, partners and their onboarding, people, settings."""

from __future__ import annotations

import base64
import binascii
from datetime import date, timedelta

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select, update

from blueprints.auth.forms import ConfirmForm
from blueprints.network.blueprint import bp
from blueprints.network.forms import (
    ConfirmCsvForm,
    InvitePartnerForm,
    InvitePersonForm,
    NetworkSettingsForm,
    UploadCsvForm,
)
from saas.audit.services import record
from saas.catalogue import queries
from saas.extensions import db
from saas.models_base import utcnow
from saas.notifications.models import Notification
from saas.onboarding import invitations
from saas.partners import services as partners
from saas.partners.models import Partner, PartnerState, Sector
from tenants.access import roles, roles_required
from tenants.models import Invitation, Membership, Role

STEWARD = Role.STEWARD


def _partner_or_404(partner_id: int) -> Partner:
    partner = db.session.execute(
        select(Partner).where(Partner.id == partner_id)
    ).scalar_one_or_none()
    if partner is None:
        abort(404)
    return partner


@bp.route("/dashboard")
@roles_required()
def dashboard():
    counts = dict(
        db.session.execute(select(Partner.state, func.count()).group_by(Partner.state)).all()
    )

    week = queries.week_start(date.today())
    this_week = queries.sessions_between(week, week + timedelta(days=7), queries.Filters())
    offers = queries.count_offers(queries.Filters())
    return render_template(
        "network/dashboard.html",
        my_roles=roles(),
        partner_counts=counts,
        offers=offers,
        week_sessions=[s for s in this_week if not s.is_cancelled],
    )


@bp.route("/network/partners")
@roles_required(STEWARD)
def partners_list():
    state = request.args.get("state", "")
    query = select(Partner).order_by(Partner.name)
    if state in {s.value for s in PartnerState}:
        query = query.where(Partner.state == state)
    rows = db.session.execute(query).scalars().all()
    return render_template(
        "network/partners.html",
        partners=rows,
        state=state,
        states=list(PartnerState),
        form=ConfirmForm(),
    )


@bp.route("/network/partners/invite", methods=["GET", "POST"])
@roles_required(STEWARD)
def invite_partner():
    form = InvitePartnerForm()
    if form.validate_on_submit():
        try:
            partner = partners.invite_partner(
                g.network,
                name=form.name.data,
                sector=Sector(form.sector.data),
                contact_email=form.contact_email.data,
                invited_by=current_user,
            )
        except partners.OnboardingError as exc:
            form.name.errors.append(str(exc))
        else:
            flash(_("%(name)s has been invited.", name=partner.name), "success")
            return redirect(url_for("network.partners_list"))
    status = 422 if request.method == "POST" else 200
    return render_template("network/invite_partner.html", form=form), status


@bp.route("/network/partners/import", methods=["GET", "POST"])
@roles_required(STEWARD)
def import_partners():
    upload = UploadCsvForm()
    confirm = ConfirmCsvForm()
    if "payload" in request.form:
        if confirm.validate_on_submit():
            try:
                raw = base64.b64decode(confirm.payload.data, validate=True)
            except (binascii.Error, ValueError):
                abort(400)
            try:
                created = partners.import_csv(g.network, raw, current_user)
            except partners.OnboardingError as exc:
                flash(str(exc), "danger")
                return render_template(
                    "network/import_partners.html",
                    upload=upload,
                    preview=partners.preview_csv(raw),
                    confirm=None,
                ), 422
            flash(_("%(n)d partners have been invited.", n=len(created)), "success")
            return redirect(url_for("network.partners_list"))
        abort(400)
    if upload.validate_on_submit():
        raw = upload.file.data.read()
        preview = partners.preview_csv(raw)
        if preview.ok:
            confirm.payload.data = base64.b64encode(raw).decode()
            return render_template(
                "network/import_partners.html", upload=upload, preview=preview, confirm=confirm
            )
        return render_template(
            "network/import_partners.html", upload=upload, preview=preview, confirm=None
        ), 422
    status = 422 if request.method == "POST" else 200
    return render_template(
        "network/import_partners.html", upload=upload, preview=None, confirm=None
    ), status


@bp.route("/network/partners/<int:partner_id>")
@roles_required(STEWARD)
def partner_detail(partner_id: int):
    partner = _partner_or_404(partner_id)
    return render_template(
        "network/partner_detail.html",
        partner=partner,
        members=partners.members(partner),
        invitations=partners.open_invitations(partner),
        form=ConfirmForm(),
    )


@bp.route("/network/partners/<int:partner_id>/suspend", methods=["POST"])
@roles_required(STEWARD)
def suspend_partner(partner_id: int):
    partner = _partner_or_404(partner_id)
    if ConfirmForm().validate_on_submit():
        partners.suspend(partner)
        flash(
            _(
                "%(name)s is suspended: its people cannot work in the network until reactivated.",
                name=partner.name,
            ),
            "info",
        )
    return redirect(url_for("network.partner_detail", partner_id=partner.id))


@bp.route("/network/partners/<int:partner_id>/reactivate", methods=["POST"])
@roles_required(STEWARD)
def reactivate_partner(partner_id: int):
    partner = _partner_or_404(partner_id)
    if ConfirmForm().validate_on_submit():
        try:
            partners.reactivate(partner)
        except partners.OnboardingError as exc:
            flash(str(exc), "warning")
        else:
            flash(_("%(name)s is active again.", name=partner.name), "success")
    return redirect(url_for("network.partner_detail", partner_id=partner.id))


@bp.route("/network/partners/<int:partner_id>/resend", methods=["POST"])
@roles_required(STEWARD)
def resend_partner_invitation(partner_id: int):
    partner = _partner_or_404(partner_id)
    if ConfirmForm().validate_on_submit():
        try:
            partners.resend_invitation(g.network, partner, current_user)
        except partners.OnboardingError as exc:
            flash(str(exc), "warning")
        else:
            flash(
                _("A new invitation has been sent to %(email)s.", email=partner.contact_email),
                "success",
            )
    return redirect(url_for("network.partner_detail", partner_id=partner.id))


@bp.route("/network/people", methods=["GET", "POST"])
@roles_required(STEWARD)
def people():
    form = InvitePersonForm()
    if form.validate_on_submit():
        invitations.invite(
            network=g.network,
            email=form.email.data,
            role=Role(form.role.data),
            invited_by=current_user,
        )
        flash(_("The invitation has been sent."), "success")
        return redirect(url_for("network.people"))
    members = (
        db.session.execute(
            select(Membership)
            .where(Membership.partner_id.is_(None))
            .order_by(Membership.role, Membership.id)
        )
        .scalars()
        .all()
    )
    pending = (
        db.session.execute(
            select(Invitation)
            .where(Invitation.partner_id.is_(None), Invitation.accepted_at.is_(None))
            .order_by(Invitation.id.desc())
        )
        .scalars()
        .all()
    )
    status = 422 if request.method == "POST" else 200
    return render_template(
        "network/people.html",
        form=form,
        members=members,
        pending=[i for i in pending if i.is_open],
        confirm=ConfirmForm(),
    ), status


@bp.route("/network/people/<int:membership_id>/remove", methods=["POST"])
@roles_required(STEWARD)
def remove_person(membership_id: int):
    membership = db.session.execute(
        select(Membership).where(Membership.id == membership_id, Membership.partner_id.is_(None))
    ).scalar_one_or_none()
    if membership is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        if membership.role == Role.STEWARD and _steward_count() <= 1:
            flash(_("A network needs at least one steward."), "warning")
        else:
            record("membership.removed", membership, role=str(membership.role))
            db.session.delete(membership)
            flash(_("The role has been removed."), "info")
    return redirect(url_for("network.people"))


def _steward_count() -> int:
    return db.session.execute(
        select(func.count()).select_from(Membership).where(Membership.role == Role.STEWARD)
    ).scalar_one()


@bp.route("/network/settings", methods=["GET", "POST"])
@roles_required(STEWARD)
def settings():
    network = g.network
    form = NetworkSettingsForm(obj=network)
    if form.validate_on_submit():
        network.name = form.name.data.strip()
        network.municipality = form.municipality.data.strip()
        network.default_language = form.default_language.data
        record("network.settings_changed", network)
        flash(_("The settings have been saved."), "success")
        return redirect(url_for("network.settings"))
    status = 422 if request.method == "POST" else 200
    return render_template("network/settings.html", form=form), status


@bp.route("/notifications", methods=["GET", "POST"])
@roles_required()
def notifications():
    """The person's notices in this network; opening the page (or the button) marks them read."""

    if request.method == "POST" and ConfirmForm().validate_on_submit():
        db.session.execute(
            update(Notification)
            .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
        )
        return redirect(url_for("network.notifications"))
    rows = (
        db.session.execute(
            select(Notification)
            .where(Notification.user_id == current_user.id)
            .order_by(Notification.id.desc())
            .limit(100)
        )
        .scalars()
        .all()
    )
    return render_template("network/notifications.html", rows=rows, confirm=ConfirmForm())
