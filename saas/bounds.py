"""The dates and numbers Dorp accepts anywhere: one rule for forms, the API and the services.

Python's `date` reaches year 9999 and PostgreSQL's goes further, but a day in year 1 or 9999 has no
meaning in a Huis van het Kind network, and arithmetic near those ends overflows (a week after
9999-12-31 raises). Every date a person or a client types is checked against this window before it
is used; every integer against the signed 32-bit range of an INTEGER column.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import has_app_context
from flask_babel import format_date
from flask_babel import gettext as _

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)
MAX_INT = 2**31 - 1


class OutOfBounds(ValueError):
    """A value outside what Dorp accepts, with a message for the person who typed it."""


def date_allowed(day: date | datetime | None) -> bool:
    if day is None:
        return True
    if isinstance(day, datetime):
        day = day.date()
    return EARLIEST_DATE <= day <= LATEST_DATE


def date_bounds_message() -> str:
    def shown(day: date) -> str:  # outside an app (a script, a migration) in ISO form
        return format_date(day, "long") if has_app_context() else day.isoformat()

    return _(
        "Choose a date between %(first)s and %(last)s.",
        first=shown(EARLIEST_DATE),
        last=shown(LATEST_DATE),
    )


def check_date(day: date | datetime | None) -> None:
    """Raise OutOfBounds (translated) when a date lies outside the window."""
    if not date_allowed(day):
        raise OutOfBounds(date_bounds_message())


def int_allowed(value: int | None, low: int = -MAX_INT - 1, high: int = MAX_INT) -> bool:
    return value is None or low <= value <= high
