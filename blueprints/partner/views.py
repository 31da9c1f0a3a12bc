"""A partner organisation's own pages: overview, profile, colleagues."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints import confirm
from blueprints.auth.forms import ConfirmForm
from blueprints.confirmations import membership_removal
from blueprints.forms import form_status
from blueprints.loading import load_or_404
from blueprints.partner.blueprint import bp
from blueprints.partner.forms import InviteColleagueForm, ProfileForm
from saas.catalogue import listings
from saas.onboarding import invitations, memberships
from saas.partners import services as partners
from tenants.access import current_partner_membership, roles_required
from tenants.models import Membership, Role

PARTNER_ROLES = (Role.PARTNER_ADMIN, Role.PARTNER_MEMBER)


def _my_partner():
    membership = current_partner_membership()
    if membership is None:
        abort(403)
    return membership.partner, membership


def _is_admin(partner) -> bool:
    return any(
        m.role == Role.PARTNER_ADMIN and m.partner_id == partner.id
        for m in g.get("memberships", [])
    )


@bp.route("/")
@roles_required(*PARTNER_ROLES)
def overview():
    partner, _membership = _my_partner()
    requests = listings.open_speaker_invitations(partner.id)
    return render_template(
        "partner/overview.html",
        partner=partner,
        members=partners.members(partner),
        is_admin=_is_admin(partner),
        speaker_requests=requests,
    )


@bp.route("/profile", methods=["GET", "POST"])
@roles_required(*PARTNER_ROLES)
def profile():
    partner, _membership = _my_partner()
    if not _is_admin(partner) and request.method == "POST":
        abort(403)
    form = ProfileForm(obj=partner)
    if form.validate_on_submit():
        partners.update_profile(
            partner,
            {
                "description": form.description.data.strip(),
                "address": form.address.data.strip(),
                "phone": form.phone.data.strip(),
                "website": form.website.data.strip(),
                "languages": list(form.languages.data or []),
            },
        )
        flash(_("The profile has been saved."), "success")
        return redirect(url_for("partner.overview"))
    return render_template(
        "partner/profile.html", form=form, partner=partner, can_edit=_is_admin(partner)
    ), form_status()


@bp.route("/colleagues", methods=["GET", "POST"])
@roles_required(Role.PARTNER_ADMIN)
def colleagues():
    partner, _membership = _my_partner()
    if not _is_admin(partner):
        abort(403)
    form = InviteColleagueForm()
    if form.validate_on_submit():
        invitations.invite(
            network=g.network,
            email=form.email.data,
            role=Role(form.role.data),
            partner=partner,
            invited_by=current_user,
            language=current_user.language,
        )
        flash(_("The invitation has been sent."), "success")
        return redirect(url_for("partner.colleagues"))
    return render_template(
        "partner/colleagues.html",
        form=form,
        partner=partner,
        members=partners.members(partner),
        pending=partners.open_invitations(partner),
        confirm=ConfirmForm(),
    ), form_status()


@bp.route("/colleagues/<int:membership_id>/remove", methods=["GET", "POST"])
@roles_required(Role.PARTNER_ADMIN)
def remove_colleague(membership_id: int):
    partner, _own = _my_partner()
    if not _is_admin(partner):
        abort(403)
    membership = load_or_404(Membership, membership_id, Membership.partner_id == partner.id)
    if membership.user_id == current_user.id:
        flash(_("You cannot remove yourself."), "warning")
        return redirect(url_for("partner.colleagues"))
    page = confirm.ask(membership_removal(membership, back=url_for("partner.colleagues")))
    if page is not None:
        return page
    try:
        memberships.remove_colleague(membership, by=current_user)
    except memberships.MembershipError as exc:
        flash(str(exc), "warning")
    else:
        flash(_("The colleague has been removed."), "info")
    return redirect(url_for("partner.colleagues"))
