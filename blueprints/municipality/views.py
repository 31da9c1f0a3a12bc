"""The municipality's view of its network: aggregates only, never a person or a family."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from blueprints.municipality import bp
from saas.extensions import db
from saas.partners.models import Partner, PartnerState, Sector
from tenants.access import roles_required
from tenants.models import Membership, Role


@bp.route("/")
@roles_required(Role.MUNICIPALITY_VIEWER, Role.STEWARD)
def overview():
    by_sector_state = db.session.execute(
        select(Partner.sector, Partner.state, func.count()).group_by(Partner.sector, Partner.state)
    ).all()
    table = {sector: dict.fromkeys(PartnerState, 0) for sector in Sector}
    for sector, state, count in by_sector_state:
        table[Sector(sector)][PartnerState(state)] = count
    people = dict(
        db.session.execute(
            select(Membership.role, func.count(func.distinct(Membership.user_id))).group_by(
                Membership.role
            )
        ).all()
    )
    return render_template(
        "municipality/overview.html",
        table=table,
        states=list(PartnerState),
        people=people,
        roles=list(Role),
    )
