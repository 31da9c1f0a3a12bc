"""The catalogue's coverage: which action lines and age bands had an activity that ran, and the
gaps where none did."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select

from saas.catalogue.models import AGE_BANDS, ActionLine, Offer
from saas.extensions import db
from saas.insights.figures.blocks import _ran_in
from saas.insights.period import Period
from saas.insights.suppression import Table


def coverage(period: Period) -> Table:
    """Offers that ran in the period by action line × age band; empty cells are the gaps."""
    columns = []
    for line in ActionLine.members():
        for code, low, high, _label in AGE_BANDS:
            hit = and_(
                Offer.action_lines.op("&")(int(line)) != 0,
                Offer.age_min_months < high,
                Offer.age_max_months >= low,
            )
            columns.append(
                func.coalesce(func.sum(case((hit, 1), else_=0)), 0).label(f"c{int(line)}_{code}")
            )
    row = db.session.execute(select(*columns).where(_ran_in(period))).one()
    bands = len(AGE_BANDS)
    values = [[row[i * bands + j] for j in range(bands)] for i in range(len(ActionLine.members()))]
    return Table(
        key="coverage",
        title=_("Activities that ran, by action line and age band"),
        row_labels=[line.label for line in ActionLine.members()],
        col_labels=[str(label) for _c, _l, _h, label in AGE_BANDS],
        values=values,
        col_totals=False,
        sensitive_cols=set(),  # offers, not families
    )


def gaps(table: Table) -> list[tuple[str, str]]:
    return [
        (table.row_labels[i], table.col_labels[j])
        for i, row in enumerate(table.body)
        for j, cell in enumerate(row)
        if not cell.value
    ]
