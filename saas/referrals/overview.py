"""The steward's overview of referrals: volumes and response times, never a family's data. Every
count goes through the one suppression rule, as on the network's health dashboard."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from saas.extensions import db
from saas.insights.figures.referrals import median_response_hours
from saas.insights.suppression import Cell, Table, suppress, suppressed_count
from saas.models_base import utcnow
from saas.partners.models import Partner
from saas.referrals.models import Referral, Status


def _status_table() -> Table:
    statuses = list(Status)
    by_status = dict(
        db.session.execute(select(Referral.status, func.count()).group_by(Referral.status)).all()
    )
    return suppress(
        Table(
            key="referrals_by_status",
            title=_("Referrals by status"),
            row_labels=[s.label for s in statuses],
            col_labels=[_("Number")],
            values=[[by_status.get(s, 0)] for s in statuses],
            total_label=_("Total"),
        )
    )


def _pairs() -> tuple[list[tuple[str, str, Cell]], Cell]:
    """Who refers to whom, busiest pair first: (sender, receiver, shown count), and the total."""
    pairs = sorted(
        db.session.execute(
            select(Referral.from_partner_id, Referral.to_partner_id, func.count())
            .where(Referral.status != Status.DRAFT)
            .group_by(Referral.from_partner_id, Referral.to_partner_id)
        ).all(),
        key=lambda row: -row[2],
    )
    names = dict(db.session.execute(select(Partner.id, Partner.name)).all())
    table = suppress(
        Table(
            key="referral_pairs",
            title=_("Who refers to whom"),
            row_labels=[f"{names.get(a, '?')} → {names.get(b, '?')}" for a, b, _n in pairs],
            col_labels=[_("Number")],
            values=[[n] for _a, _b, n in pairs],
            total_label=_("Total"),
        )
    )
    shown = [
        (names.get(a, "?"), names.get(b, "?"), row[0])
        for (a, b, _n), row in zip(pairs, table.body, strict=True)
    ]
    return shown, table.totals[0]


def count_open_past_target() -> int:
    """Referrals still waiting for a first answer after their response target (a count only:
    the steward's overview and home page)."""
    return db.session.execute(
        select(func.count())
        .select_from(Referral)
        .where(
            Referral.responded_at.is_(None),
            Referral.response_due_at < utcnow(),
            or_(Referral.status == Status.SENT, Referral.status == Status.RECEIVED),
        )
    ).scalar_one()


def _late_counts() -> tuple[int, int]:
    """Referrals that lapsed, and open ones past their answer date."""
    lapsed = db.session.execute(
        select(func.count()).select_from(Referral).where(Referral.lapsed.is_(True))
    ).scalar_one()
    return lapsed, count_open_past_target()


def steward_overview() -> dict:
    """The overview page's figures, each already suppressed where it counts people."""
    status_table = _status_table()
    pairs, pair_total = _pairs()
    median_hours, _answered = median_response_hours(None)
    lapsed, open_late = _late_counts()
    return {
        "status_table": status_table,
        "pairs": pairs,
        "pair_total": pair_total,
        "median_hours": median_hours,
        "lapsed": suppressed_count(lapsed),
        "open_late": suppressed_count(open_late),
    }
