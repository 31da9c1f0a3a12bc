"""Partner engagement: per partner, the activities that ran, the sessions held and the referrals
sent and received in the period, and when each partner was last active."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from saas.catalogue.models import ActivitySession, Offer
from saas.extensions import db
from saas.insights.figures.blocks import _held, _ran_in, _sent_in
from saas.insights.period import Period
from saas.insights.suppression import Table, suppress
from saas.partners.models import Partner, PartnerState
from saas.referrals.models import Referral


@dataclass
class Partners:
    table: Table
    last_activity: dict[str, datetime | None]
    active: int
    total: int


def partners(period: Period) -> Partners:
    listed = db.session.execute(
        select(Partner.id, Partner.name)
        .where(Partner.state != PartnerState.INVITED)
        .order_by(Partner.name)
    ).all()
    offers = {
        pid: (n, last)
        for pid, n, last in db.session.execute(
            select(
                Offer.partner_id,
                func.count(),
                func.max(func.coalesce(Offer.updated_at, Offer.created_at)),
            )
            .where(_ran_in(period))
            .group_by(Offer.partner_id)
        )
    }
    sessions = dict(
        db.session.execute(
            select(Offer.partner_id, func.count(ActivitySession.id))
            .join(ActivitySession, ActivitySession.offer_id == Offer.id)
            .where(_held(period))
            .group_by(Offer.partner_id)
        ).all()
    )
    sent = {
        pid: (n, last)
        for pid, n, last in db.session.execute(
            select(Referral.from_partner_id, func.count(), func.max(Referral.sent_at))
            .where(_sent_in(period))
            .group_by(Referral.from_partner_id)
        )
    }
    received = {
        pid: (n, last)
        for pid, n, last in db.session.execute(
            select(Referral.to_partner_id, func.count(), func.max(Referral.responded_at))
            .where(_sent_in(period))
            .group_by(Referral.to_partner_id)
        )
    }
    labels, values, last_activity = [], [], {}
    for pid, name in listed:
        row = [
            offers.get(pid, (0, None))[0],
            sessions.get(pid, 0),
            sent.get(pid, (0, None))[0],
            received.get(pid, (0, None))[0],
        ]
        labels.append(name)
        values.append(row)
        moments = [
            m
            for m in (
                offers.get(pid, (0, None))[1],
                sent.get(pid, (0, None))[1],
                received.get(pid, (0, None))[1],
            )
            if m is not None
        ]
        last_activity[name] = max(moments) if moments else None
    table = suppress(
        Table(
            key="partners",
            title=_("Partners: activities and referrals in the period"),
            row_labels=labels,
            col_labels=[
                _("Activities that ran"),
                _("Sessions held"),
                _("Referrals sent"),
                _("Referrals received"),
            ],
            values=values,
            sensitive_cols={2, 3},
            total_label=_("Total"),
        )
    )
    return Partners(
        table=table,
        last_activity=last_activity,
        active=sum(1 for row in values if any(row)),
        total=len(listed),
    )
