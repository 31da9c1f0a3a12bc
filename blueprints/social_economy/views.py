"""The social-economy team of a network: the coordinator invites and sees workers."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.forms import email_field
from blueprints.social_economy.blueprint import bp
from saas.catalogue.models import ActivitySession, Offer, OfferType
from saas.extensions import db
from saas.models_base import utcnow
from saas.onboarding import invitations
from saas.partners.models import Partner, Sector
from tenants.access import has_role, roles_required
from tenants.models import Membership, Role


class InviteWorkerForm(FlaskForm):
    email = email_field()


def _team() -> dict[str, list[Membership]]:
    rows = (
        db.session.execute(
            select(Membership)
            .where(Membership.role.in_([Role.SE_COORDINATOR, Role.SE_WORKER]))
            .order_by(Membership.id)
        )
        .scalars()
        .all()
    )
    return {
        "coordinators": [m for m in rows if m.role == Role.SE_COORDINATOR],
        "workers": [m for m in rows if m.role == Role.SE_WORKER],
    }


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
    status = 422 if request.method == "POST" else 200
    return render_template("social_economy/team.html", form=form, **_team()), status


@bp.route("/salons")
@roles_required(Role.SE_COORDINATOR, Role.SE_WORKER)
def salons():
    """The social economy's parent salons: coming sessions with their speakers' answers."""

    offers = (
        db.session.execute(
            select(Offer)
            .join(OfferType, OfferType.id == Offer.type_id)
            .join(Partner, Partner.id == Offer.partner_id)
            .where(OfferType.is_salon.is_(True), Partner.sector == Sector.SOCIAL_ECONOMY)
            .options(
                selectinload(Offer.organisers),
                selectinload(Offer.location),
                selectinload(Offer.type),
            )
            .order_by(Offer.title)
        )
        .scalars()
        .all()
    )
    now = utcnow()
    upcoming = (
        db.session.execute(
            select(ActivitySession)
            .where(
                ActivitySession.offer_id.in_([o.id for o in offers]),
                ActivitySession.starts_at >= now,
                ActivitySession.starts_at < now + timedelta(days=21),
            )
            .order_by(ActivitySession.starts_at)
        )
        .scalars()
        .all()
    )
    return render_template(
        "social_economy/salons.html",
        offers=offers,
        upcoming=upcoming,
        can_publish=has_role(Role.SE_COORDINATOR),
    )
