"""The period a dashboard shows: a year, a quarter or a month, in the network's own calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import format_date
from flask_babel import gettext as _

from saas.catalogue.schedule import to_local, to_utc
from saas.models_base import utcnow

KINDS = ("year", "quarter", "month")
FIRST_YEAR = 2000


class PeriodError(ValueError):
    """A period the picker cannot show, with a message for the person who asked."""


@dataclass(frozen=True)
class Period:
    kind: str  # year | quarter | month
    year: int
    part: int = 1  # the quarter (1-4) or the month (1-12); 1 for a year

    @property
    def start(self) -> date:
        if self.kind == "year":
            return date(self.year, 1, 1)
        if self.kind == "quarter":
            return date(self.year, 3 * self.part - 2, 1)
        return date(self.year, self.part, 1)

    @property
    def end(self) -> date:
        """The first day after the period."""
        months = {"year": 12, "quarter": 3, "month": 1}[self.kind]
        month0 = self.start.month - 1 + months
        return date(self.year + month0 // 12, month0 % 12 + 1, 1)

    @property
    def start_utc(self) -> datetime:
        return to_utc(datetime.combine(self.start, time()))

    @property
    def end_utc(self) -> datetime:
        return to_utc(datetime.combine(self.end, time()))

    @property
    def held_until(self) -> datetime:
        """Sessions count as held when they started before now (and before the period's end)."""
        return min(self.end_utc, utcnow())

    def previous(self) -> Period:
        if self.kind == "year":
            return Period("year", self.year - 1)
        last = 4 if self.kind == "quarter" else 12
        if self.part == 1:
            return Period(self.kind, self.year - 1, last)
        return Period(self.kind, self.year, self.part - 1)

    @property
    def code(self) -> str:
        """The period in one token: 2026, 2026-Q3 or 2026-07 (CSV names, the PDF)."""
        if self.kind == "year":
            return str(self.year)
        if self.kind == "quarter":
            return f"{self.year}-Q{self.part}"
        return f"{self.year}-{self.part:02d}"

    @property
    def label(self) -> str:
        if self.kind == "year":
            return str(self.year)
        if self.kind == "quarter":
            return _("Quarter %(q)s %(year)s", q=self.part, year=self.year)
        return format_date(self.start, "MMMM yyyy")

    def query(self) -> dict:
        """The picker's fields for links (exports, previous period)."""
        args = {"kind": self.kind, "year": self.year}
        if self.kind == "quarter":
            args["quarter"] = self.part
        elif self.kind == "month":
            args["month"] = self.part
        return args

    @classmethod
    def current(cls, kind: str = "year") -> Period:
        today = to_local(utcnow()).date()
        if kind == "quarter":
            return cls("quarter", today.year, (today.month - 1) // 3 + 1)
        if kind == "month":
            return cls("month", today.year, today.month)
        return cls("year", today.year)

    @classmethod
    def from_args(cls, args) -> Period:
        """Read the picker (kind, year, quarter, month); nothing given is the current year."""
        kind = (args.get("kind") or "year").strip()
        if kind not in KINDS:
            raise PeriodError(_("Choose a year, a quarter or a month."))
        today = to_local(utcnow()).date()
        year = _number(args.get("year"), today.year, FIRST_YEAR, today.year + 1)
        if year is None:
            raise PeriodError(
                _(
                    "Choose a year from %(first)s to %(last)s.",
                    first=FIRST_YEAR,
                    last=today.year + 1,
                )
            )
        if kind == "year":
            return cls("year", year)
        if kind == "quarter":
            part = _number(args.get("quarter"), (today.month - 1) // 3 + 1, 1, 4)
            if part is None:
                raise PeriodError(_("Choose a quarter from 1 to 4."))
            return cls("quarter", year, part)
        part = _number(args.get("month"), today.month, 1, 12)
        if part is None:
            raise PeriodError(_("Choose a month from 1 to 12."))
        return cls("month", year, part)


def _number(raw, default: int, low: int, high: int) -> int | None:
    if raw is None or str(raw).strip() == "":
        return default
    text = str(raw).strip()
    if not text.isdigit() or len(text) > 6:
        return None
    value = int(text)
    return value if low <= value <= high else None
