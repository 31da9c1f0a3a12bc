"""The headline figures of the period against those of the previous one."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from saas.extensions import db
from saas.i18n import hours_text, number_text, percent_text
from saas.insights.figures.blocks import _attendance_query, _children, _held_sessions
from saas.insights.figures.reach import Reach
from saas.insights.figures.referrals import (
    Referrals,
    _rates,
    median_response_hours,
    referral_counts_by_state,
)
from saas.insights.period import Period
from saas.insights.suppression import Cell, Hidden, suppressed_count


@dataclass
class Trend:
    label: str
    now: Cell
    before: Cell
    unit: str = ""  # "" (a count), "percent" (points) or "hours"

    @property
    def change(self) -> float | None:
        if not (self.now.shown and self.before.shown):
            return None
        if self.now.value is None or self.before.value is None:
            return None
        return self.now.value - self.before.value

    def _text(self, value: float) -> str:
        if self.unit == "percent":
            return percent_text(value)
        if self.unit == "hours":
            return hours_text(value)
        return number_text(value)

    def shown(self, cell: Cell) -> str:
        """A figure as the page, the PDF and the CSV write it: "87,9%", "106,5 uur", "< 5"."""
        return self._text(cell.value) if cell.shown and cell.value is not None else cell.text

    @property
    def now_text(self) -> str:
        return self.shown(self.now)

    @property
    def before_text(self) -> str:
        return self.shown(self.before)

    @property
    def change_text(self) -> str:
        """The change with its sign and unit ("+2,5 uur", "-3%"); "–" when either is hidden."""
        change = self.change
        if change is None:
            return "–"
        text = self._text(abs(change))
        return ("+" if change > 0 else "-" if change < 0 else "") + text


def _headline(period: Period) -> dict[str, Cell]:
    """The few figures compared with the previous period (three small queries)."""
    row = db.session.execute(_attendance_query(_held_sessions(period))).one()
    by_state = referral_counts_by_state(period)
    acceptance, _completion = _rates(by_state)
    median, _n = median_response_hours(period)
    return {
        "sessions": Cell(row.sessions, sensitive=False),
        "adults": suppressed_count(row.adults),
        "children": suppressed_count(_children(row)),
        "first_time": suppressed_count(row.first_time_families),
        "referrals": by_state.totals[0],
        "acceptance": Cell(round(acceptance, 1) if acceptance is not None else None, False),
        "median": Cell(round(median, 1) if median is not None else None, False),
    }


def _headline_from(reach_: Reach, referrals_: Referrals) -> dict[str, Cell]:
    """This period's headline, read from its tables so each figure is hidden exactly as there."""
    totals = reach_.by_type.totals
    bands = totals[2:6]
    children = (
        suppressed_count(sum(c.value for c in bands))
        if all(c.shown for c in bands)
        else Cell(None, hidden=Hidden.COMPLEMENT)
    )
    median = referrals_.median_response_hours
    acceptance = referrals_.acceptance_rate
    return {
        "sessions": Cell(reach_.sessions_held, sensitive=False),
        "adults": totals[1],
        "children": children,
        "first_time": totals[6],
        "referrals": referrals_.sent,
        "acceptance": Cell(round(acceptance, 1) if acceptance is not None else None, False),
        "median": Cell(round(median, 1) if median is not None else None, False),
    }


def trends(period: Period, now: dict[str, Cell] | None = None) -> list[Trend]:
    now, before = now or _headline(period), _headline(period.previous())
    labels = {
        "sessions": (_("Sessions held"), ""),
        "adults": (_("Adults present"), ""),
        "children": (_("Children present"), ""),
        "first_time": (_("First-time families"), ""),
        "referrals": (_("Referrals sent"), ""),
        "acceptance": (_("Referrals accepted"), "percent"),
        "median": (_("Median time to a first answer"), "hours"),
    }
    return [Trend(label, now[k], before[k], unit) for k, (label, unit) in labels.items()]
