"""Referrals sent in the period: where they stand today, between which sectors, how fast they were
answered, why they were declined."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Float, and_, case, cast, func, select
from sqlalchemy.orm import aliased

from saas.extensions import db
from saas.insights.figures.blocks import _hours, _sent_in
from saas.insights.period import Period
from saas.insights.suppression import Cell, Table, rate, suppress
from saas.partners.models import Partner, Sector
from saas.referrals.models import DeclineReason, Referral, Status

STATE_GROUPS = [
    ("waiting", (Status.SENT, Status.RECEIVED)),
    ("accepted", (Status.ACCEPTED, Status.IN_PROGRESS)),
    ("completed", (Status.COMPLETED,)),
    ("closed", (Status.CLOSED,)),
    ("declined", (Status.DECLINED,)),
    ("cancelled", (Status.CANCELLED,)),
]


def _state_labels() -> dict[str, str]:
    return {
        "waiting": _("Waiting for an answer"),
        "accepted": _("Accepted, in progress"),
        "completed": _("Completed"),
        "closed": _("Closed without contact"),
        "declined": _("Declined"),
        "cancelled": _("Cancelled by the sender"),
    }


@dataclass
class Referrals:
    by_state: Table
    flows: Table
    timeliness: Table
    declines: Table
    sent: Cell
    acceptance_rate: float | None
    completion_rate: float | None
    median_response_hours: float | None
    answered: int


def referral_counts_by_state(period: Period) -> Table:
    counts = dict(
        db.session.execute(
            select(Referral.status, func.count()).where(_sent_in(period)).group_by(Referral.status)
        ).all()
    )
    labels = _state_labels()
    values = [[sum(counts.get(s, 0) for s in statuses)] for _key, statuses in STATE_GROUPS]
    return suppress(
        Table(
            key="referrals_by_state",
            title=_("Referrals sent in the period, by where they stand today"),
            row_labels=[labels[key] for key, _s in STATE_GROUPS],
            col_labels=[_("Referrals")],
            values=values,
            total_label=_("Total"),
        )
    )


def _rates(by_state: Table) -> tuple[float | None, float | None]:
    cells = {key: by_state.body[i][0] for i, (key, _s) in enumerate(STATE_GROUPS)}
    said_yes = [cells["accepted"], cells["completed"], cells["closed"]]
    yes_total = Cell(sum(c.value or 0 for c in said_yes))
    answered = Cell(yes_total.value + (cells["declined"].value or 0))
    acceptance = rate(yes_total, answered, *said_yes, cells["declined"])
    completion = rate(cells["completed"], yes_total, *said_yes)
    return acceptance, completion


def median_response_hours(period: Period | None) -> tuple[float | None, int]:
    """The median time from sending to the first answer (of the referrals sent in `period`, or
    of all when None), without loading the answers.

    Count, then read the middle one or two values in order (ORDER BY … LIMIT … OFFSET …): the
    same two small queries on PostgreSQL and SQLite. Shown only for five answers or more.
    """
    sent = _sent_in(period) if period is not None else Referral.sent_at.is_not(None)
    answered = and_(sent, Referral.responded_at.is_not(None))
    n = db.session.execute(select(func.count()).select_from(Referral).where(answered)).scalar_one()
    hours = _hours(Referral.sent_at, Referral.responded_at)
    middle = (
        db.session.execute(
            select(cast(hours, Float))
            .where(answered)
            .order_by(hours)
            .limit(2 - n % 2)
            .offset(max(n - 1, 0) // 2)
        )
        .scalars()
        .all()
    )  # asked even when it will not be shown: the page's query count never depends on the data
    if n < 5 or not middle:
        return None, n
    return sum(middle) / len(middle), n


def referrals(period: Period) -> Referrals:
    by_state = referral_counts_by_state(period)
    acceptance, completion = _rates(by_state)

    sender, receiver = aliased(Partner), aliased(Partner)
    flows_rows = db.session.execute(
        select(sender.sector, receiver.sector, func.count())
        .select_from(Referral)
        .join(sender, sender.id == Referral.from_partner_id)
        .join(receiver, receiver.id == Referral.to_partner_id)
        .where(_sent_in(period))
        .group_by(sender.sector, receiver.sector)
    ).all()
    sectors = list(Sector)
    grid = [[0] * len(sectors) for _s in sectors]
    for a, b, n in flows_rows:
        grid[sectors.index(Sector(a))][sectors.index(Sector(b))] += n
    flows = suppress(
        Table(
            key="referral_flows",
            title=_("Referrals between sectors (rows send, columns receive)"),
            row_labels=[s.label for s in sectors],
            col_labels=[s.label for s in sectors],
            values=grid,
            row_totals=True,
            col_totals=True,
            total_label=_("Total"),
        )
    )

    answered_expr = Referral.responded_at.is_not(None)
    bucket = case(
        (and_(answered_expr, Referral.lapsed.is_(False)), "in_time"),
        (answered_expr, "late"),
        (Referral.lapsed.is_(True), "lapsed"),
        else_="none",
    )
    buckets = dict(
        db.session.execute(
            select(bucket, func.count()).where(_sent_in(period)).group_by(bucket)
        ).all()
    )
    timeliness = suppress(
        Table(
            key="referral_timeliness",
            title=_("First answers against the network's response target"),
            row_labels=[
                _("Answered within the target"),
                _("Answered after the target"),
                _("Not answered, target passed"),
                _("Not answered yet, or cancelled before an answer"),
            ],
            col_labels=[_("Referrals")],
            values=[[buckets.get(k, 0)] for k in ("in_time", "late", "lapsed", "none")],
            total_label=_("Total"),
        )
    )

    reasons = dict(
        db.session.execute(
            select(Referral.decline_reason, func.count())
            .where(_sent_in(period), Referral.status == Status.DECLINED)
            .group_by(Referral.decline_reason)
        ).all()
    )
    declines = suppress(
        Table(
            key="decline_reasons",
            title=_("Reasons for declining"),
            row_labels=[r.label for r in DeclineReason] + [_("No reason recorded")],
            col_labels=[_("Referrals")],
            values=[[reasons.get(r, 0)] for r in DeclineReason] + [[reasons.get(None, 0)]],
            total_label=_("Total"),
        )
    )
    median, answered = median_response_hours(period)
    return Referrals(
        by_state=by_state,
        flows=flows,
        timeliness=timeliness,
        declines=declines,
        sent=by_state.totals[0],
        acceptance_rate=acceptance,
        completion_rate=completion,
        median_response_hours=median,
        answered=answered,
    )
