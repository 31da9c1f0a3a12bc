"""What families see, without an account: the network and who is in it."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from blueprints.public import bp
from saas.extensions import db
from saas.partners.models import Partner, PartnerState


@bp.route("/")
def home():
    partners = (
        db.session.execute(
            select(Partner)
            .where(Partner.state == PartnerState.ACTIVE)
            .order_by(Partner.sector, Partner.name)
        )
        .scalars()
        .all()
    )
    return render_template("public/home.html", partners=partners)
