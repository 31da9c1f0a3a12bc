"""The network steward's pages: the dashboard, partners and their onboarding, people, settings."""

from __future__ import annotations

import base64
import binascii
from datetime import date, timedelta

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from blueprints import confirm
from blueprints.auth.forms import ConfirmForm
from blueprints.confirmations import factor_reset, membership_removal
from blueprints.forms import form_status
from blueprints.loading import found_or_404, load_or_404
from blueprints.network.blueprint import bp
from blueprints.network.forms import (
    ConfirmCsvForm,
    InvitePartnerForm,
    InvitePersonForm,
    NetworkSettingsForm,
    UploadCsvForm,
)
from saas.accounts import factors, notices
from saas.catalogue import queries
from saas.notifications import center
from saas.onboarding import invitations, memberships
from saas.onboarding import networks as onboarding
from saas.partners import queries as partner_queries
from saas.partners import services as partners
from saas.partners.models import Partner, PartnerState, Sector
from saas.today import partner as partner_today
from saas.today import steward as steward_today
from saas.today import team as team_today
from saas.workforce.labels import STATUS_LABELS as ROSTER_LABELS
from tenants.access import memberships as my_memberships
from tenants.access import roles, roles_required
from tenants.models import Membership, Role

STEWARD = Role.STEWARD


@bp.route("/dashboard")
@roles_required()
def dashboard():
    """The network's home page: first what waits for the person in each role they hold, then
    the network at a glance."""
    counts = partner_queries.count_by_state()
    week = queries.week_start(date.today())
    this_week = queries.sessions_between(week, week + timedelta(days=7), queries.Filters())
    return render_template(
        "network/dashboard.html",
        my_roles=roles(),
        today=_what_needs_me(roles()),
        roster_labels=ROSTER_LABELS,
        partner_counts=counts,
        offers=queries.count_offers(queries.Filters()),
        week_sessions=[s for s in this_week if not s.is_cancelled],
    )


def _what_needs_me(held: set[Role]) -> dict:
    """Each held role's list (saas.today): a person with several roles sees each of them."""
    today = {}
    if STEWARD in held:
        today["steward"] = steward_today.needs()
    partner_ids = [m.partner_id for m in my_memberships() if m.partner_id is not None]
    if partner_ids:
        today["partner"] = partner_today.needs(partner_ids)
    if Role.SE_COORDINATOR in held:
        today["coordinator"] = team_today.coordinator_needs()
    if Role.SE_WORKER in held:
        today["worker"] = team_today.worker_week(current_user.id)
    return today


# --- partners -------------------------------------------------------------------------------


@bp.route("/network/partners")
@roles_required(STEWARD)
def partners_list():
    state = request.args.get("state", "")
    return render_template(
        "network/partners.html",
        partners=partner_queries.partners_in_state(state),
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
    return render_template("network/invite_partner.html", form=form), form_status()


@bp.route("/network/partners/import", methods=["GET", "POST"])
@roles_required(STEWARD)
def import_partners():
    upload = UploadCsvForm()
    confirm = ConfirmCsvForm()
    if "payload" in request.form:
        return _import(upload, confirm)
    if upload.validate_on_submit():
        return _preview(upload, confirm)
    return _import_page(upload, None, None, form_status())


def _import_page(upload: UploadCsvForm, preview, confirm: ConfirmCsvForm | None, status: int):
    return render_template(
        "network/import_partners.html", upload=upload, preview=preview, confirm=confirm
    ), status


def _preview(upload: UploadCsvForm, confirm: ConfirmCsvForm):
    """The file read line by line; only a file without errors can be confirmed."""
    raw = upload.file.data.read()
    preview = partners.preview_csv(raw)
    if not preview.ok:
        return _import_page(upload, preview, None, 422)
    confirm.payload.data = base64.b64encode(raw).decode()
    return _import_page(upload, preview, confirm, 200)


def _import(upload: UploadCsvForm, confirm: ConfirmCsvForm):
    """The confirmed file: every partner invited, or none."""
    if not confirm.validate_on_submit():
        abort(400)
    try:
        raw = base64.b64decode(confirm.payload.data, validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    try:
        created = partners.import_csv(g.network, raw, current_user)
    except partners.OnboardingError as exc:
        flash(str(exc), "danger")
        return _import_page(upload, partners.preview_csv(raw), None, 422)
    flash(
        ngettext(
            "%(num)d partner has been invited.", "%(num)d partners have been invited.", len(created)
        ),
        "success",
    )
    return redirect(url_for("network.partners_list"))


@bp.route("/network/partners/<int:partner_id>")
@roles_required(STEWARD)
def partner_detail(partner_id: int):
    partner = load_or_404(Partner, partner_id)
    return render_template(
        "network/partner_detail.html",
        partner=partner,
        members=partners.members(partner),
        invitations=partners.open_invitations(partner),
        form=ConfirmForm(),
    )


@bp.route("/network/partners/<int:partner_id>/suspend", methods=["GET", "POST"])
@roles_required(STEWARD)
def suspend_partner(partner_id: int):
    partner = load_or_404(Partner, partner_id)
    back = url_for("network.partner_detail", partner_id=partner.id)
    if partner.is_suspended:
        flash(_("%(name)s is already suspended.", name=partner.name), "info")
        return redirect(back)
    people = len(partners.members(partner))
    page = confirm.ask(
        confirm.Confirmation(
            action="partner.suspend",
            title=_("Suspend %(name)s?", name=partner.name),
            button=_("Suspend %(name)s", name=partner.name),
            back=back,
            rows=[partner],
            state=[people],
            lost=[
                ngettext(
                    "Its %(num)d person can no longer work in the network (the account stays).",
                    "Its %(num)d people can no longer work in the network (their accounts stay).",
                    people,
                ),
                _("Its activities are no longer shown to families."),
                _("Other partners can no longer refer families to it."),
            ],
            undo=_(
                "You can reactivate %(name)s later on its page: its people and activities "
                "come back as they were.",
                name=partner.name,
            ),
        )
    )
    if page is not None:
        return page
    partners.suspend(partner)
    flash(
        _(
            "%(name)s is suspended: its people cannot work in the network until reactivated.",
            name=partner.name,
        ),
        "info",
    )
    return redirect(back)


@bp.route("/network/partners/<int:partner_id>/reactivate", methods=["POST"])
@roles_required(STEWARD)
def reactivate_partner(partner_id: int):
    partner = load_or_404(Partner, partner_id)
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
    partner = load_or_404(Partner, partner_id)
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


# --- people, settings, notices --------------------------------------------------------------


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
    return render_template(
        "network/people.html",
        form=form,
        members=memberships.staff(),
        pending=memberships.open_staff_invitations(),
        confirm=ConfirmForm(),
    ), form_status()


@bp.route("/network/people/<int:membership_id>/remove", methods=["GET", "POST"])
@roles_required(STEWARD)
def remove_person(membership_id: int):
    membership = load_or_404(Membership, membership_id, Membership.partner_id.is_(None))
    page = confirm.ask(membership_removal(membership, back=url_for("network.people")))
    if page is not None:
        return page
    try:
        memberships.remove_staff(membership)
    except memberships.MembershipError as exc:
        flash(str(exc), "warning")
    else:
        flash(_("The role has been removed."), "info")
    return redirect(url_for("network.people"))


@bp.route("/network/people/<int:membership_id>/reset-factors", methods=["GET", "POST"])
@roles_required(STEWARD)
def reset_factors(membership_id: int):
    """A person of this network lost their phone or key (and their recovery codes): the
    steward removes their second factors, after a confirmation; audited, and e-mailed to them."""
    membership = load_or_404(Membership, membership_id)
    person = membership.user
    back = (
        url_for("network.partner_detail", partner_id=membership.partner_id)
        if membership.partner_id is not None
        else url_for("network.people")
    )
    if person.id == current_user.id or person.is_platform_admin:
        flash(_("Only the person themselves can change these second factors."), "warning")
        return redirect(back)
    summary = factors.summary(person.id)
    if not summary.any:
        flash(_("%(name)s has no second factor to reset.", name=person.name), "info")
        return redirect(back)
    page = confirm.ask(factor_reset(person, summary, back=back))
    if page is not None:
        return page
    factors.reset_by_steward(person, steward=current_user._get_current_object(), network=g.network)
    notices.factors_reset(person, network=g.network)
    flash(
        _(
            "The second factors of %(name)s have been reset. They have been told by e-mail.",
            name=person.name,
        ),
        "success",
    )
    return redirect(back)


@bp.route("/network/settings", methods=["GET", "POST"])
@roles_required(STEWARD)
def settings():
    form = NetworkSettingsForm(obj=g.network)
    if request.method == "GET":
        form.require_two_factors.data = factors.network_requires(g.network)
    if form.validate_on_submit():
        onboarding.change_settings(
            g.network,
            name=form.name.data,
            municipality=form.municipality.data,
            default_language=form.default_language.data,
            require_two_factors=form.require_two_factors.data,
        )
        flash(_("The settings have been saved."), "success")
        return redirect(url_for("network.settings"))
    return render_template("network/settings.html", form=form), form_status()


@bp.route("/notifications", methods=["GET", "POST"])
@roles_required()
def notifications():
    """The person's notices in this network; opening the page (or the button) marks them read."""
    if request.method == "POST" and ConfirmForm().validate_on_submit():
        center.mark_all_read(current_user.id)
        return redirect(url_for("network.notifications"))
    return render_template(
        "network/notifications.html", rows=center.latest(current_user.id), confirm=ConfirmForm()
    )


@bp.route("/notifications/<int:notification_id>")
@roles_required()
def open_notification(notification_id: int):
    """Opening a notice marks it read and leads on to what it is about: the person's own
    notices in this network only (anyone else's, or another network's: 404)."""
    notice = found_or_404(center.own_notice(current_user.id, notification_id))
    center.mark_read(notice)
    return redirect(center.target_of(notice) or url_for("network.notifications"))
