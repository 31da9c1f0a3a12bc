"""Reach: sessions held and who came, by type of activity, action line and neighbourhood."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from saas.catalogue.models import ActionLine, Location, Offer, OfferType
from saas.extensions import db
from saas.insights.figures.blocks import (
    ATTENDANCE,
    _attendance_query,
    _children,
    _held_sessions,
    _language,
    attendance_labels,
)
from saas.insights.period import Period
from saas.insights.suppression import Cell, Table, suppress, suppressed_count


def _reach_table(key: str, title: str, labels: list[str], rows: list[list[int]], totals: bool):
    """Sessions held (not about families) beside the attendance (about families)."""
    table = Table(
        key=key,
        title=title,
        row_labels=labels,
        col_labels=[_("Sessions held"), *attendance_labels()],
        values=rows,
        col_totals=totals,
        sensitive_cols=set(range(1, 1 + len(ATTENDANCE))),
        total_label=_("Total"),
    )
    return suppress(table)


def _by_action_line(period: Period) -> list[list[int]]:
    """Sessions and attendance per action line in one pass (conditional sums, no row fan-out)."""

    def columns(held) -> list:
        out = []
        for line in ActionLine.members():
            serves = Offer.action_lines.op("&")(int(line)) != 0
            out.append(func.count(case((serves, held.c.id))))
            for name in ATTENDANCE:
                out.append(func.coalesce(func.sum(case((serves, held.c[name]), else_=0)), 0))
        return out

    row = db.session.execute(_attendance_query(_held_sessions(period), columns=columns)).one()
    width = 1 + len(ATTENDANCE)
    return [list(row[i * width : (i + 1) * width]) for i in range(len(ActionLine.members()))]


@dataclass
class Reach:
    by_type: Table
    by_line: Table
    by_neighbourhood: Table
    sessions_held: int
    families_reached: Cell  # first-time families: the seed's "families reached"
    kindergarten_on_time: Cell
    neighbourhoods_reached: int


def reach(period: Period) -> Reach:
    types = db.session.execute(
        select(OfferType.id, OfferType.name_nl, OfferType.name_en).order_by(
            OfferType.sort, OfferType.id
        )
    ).all()
    by_type_rows = {
        row.type_id: row
        for row in db.session.execute(
            _attendance_query(_held_sessions(period), Offer.type_id).group_by(Offer.type_id)
        )
    }
    language = _language()
    type_labels, type_values = [], []
    for type_id, name_nl, name_en in types:
        row = by_type_rows.get(type_id)
        if row is None:
            continue
        type_labels.append(name_nl if language == "nl" else name_en)
        type_values.append([row.sessions, *(getattr(row, n) for n in ATTENDANCE)])
    by_type = _reach_table(
        "reach_by_type", _("Reach by type of activity"), type_labels, type_values, True
    )

    line_values = _by_action_line(period)
    # An activity can serve several action lines: the rows overlap, so this table has no totals
    # row to add up (the totals are those of the table by type).
    by_line = _reach_table(
        "reach_by_line",
        _("Reach by action line"),
        [line.label for line in ActionLine.members()],
        line_values,
        False,
    )

    place, held = aliased(Location), _held_sessions(period)
    by_place = db.session.execute(
        _attendance_query(held, place.neighbourhood)
        .join(place, place.id == func.coalesce(held.c.location_id, Offer.location_id))
        .group_by(place.neighbourhood)
        .order_by(place.neighbourhood)
    ).all()
    by_neighbourhood = _reach_table(
        "reach_by_neighbourhood",
        _("Reach by neighbourhood (where the activity took place)"),
        [row.neighbourhood or _("No neighbourhood given") for row in by_place],
        [[row.sessions, *(getattr(row, n) for n in ATTENDANCE)] for row in by_place],
        True,
    )
    kindergarten = sum(row.kindergarten_on_time for row in by_type_rows.values())
    first_time = by_type.total(len(ATTENDANCE))
    return Reach(
        by_type=by_type,
        by_line=by_line,
        by_neighbourhood=by_neighbourhood,
        sessions_held=sum(v[0] for v in type_values),
        families_reached=first_time,
        kindergarten_on_time=suppressed_count(kindergarten),
        neighbourhoods_reached=sum(
            1 for row in by_place if row.neighbourhood and (row.adults or _children(row))
        ),
    )
