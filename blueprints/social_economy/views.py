"""The social-economy team of a network: the coordinator invites and sees workers; the team's
parent salons."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from blueprints.forms import email_field, form_status
from blueprints.social_economy.blueprint import bp
from saas.onboarding import invitations
from saas.workforce import staff
from saas.workforce.salons import coming_salons
from tenants.access import has_role, roles_required
from tenants.models import Role


class InviteWorkerForm(FlaskForm):
    email = email_field()


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.SE_COORDINATOR, Role.SE_WORKER)
def team():
    form = InviteWorkerForm() if has_role(Role.SE_COORDINATOR) else None
    if form is not None and form.validate_on_submit():
        invitations.invite(
            network=g.network,
            email=form.email.data,
            role=Role.SE_WORKER,
            invited_by=current_user,
            language=current_user.language,
        )
        flash(_("The invitation has been sent."), "success")
        return redirect(url_for("social_economy.team"))
    return render_template(
        "social_economy/team.html", form=form, **staff.team_members()
    ), form_status()


@bp.route("/salons")
@roles_required(Role.SE_COORDINATOR, Role.SE_WORKER)
def salons():
    """The social economy's parent salons: coming sessions with their speakers' answers."""
    offers, upcoming = coming_salons()
    return render_template(
        "social_economy/salons.html",
        offers=offers,
        upcoming=upcoming,
        can_publish=has_role(Role.SE_COORDINATOR),
    )
