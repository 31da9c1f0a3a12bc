"""Form pieces shared by several blueprints."""

from __future__ import annotations

from datetime import date, timedelta

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Regexp, ValidationError

from saas.bounds import (
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_INT,
    OutOfBounds,
    check_date,
    date_allowed,
    date_bounds_message,
)
from saas.partners.models import SECTOR_LABELS, Sector


def form_status() -> int:
    """A form page's status: 422 when a posted form comes back to be corrected, else 200."""
    return 422 if request.method == "POST" else 200


def id_from(values, name: str) -> int | None:
    """An id from a query string or a posted form: a whole number that fits an INTEGER column,
    else None (a larger number would be a database error on PostgreSQL, not a missing row)."""
    value = values.get(name, type=int)
    return value if value is not None and 1 <= value <= MAX_INT else None


def day_arg(name: str) -> date | None:
    """The date in query argument `name`, None when it is not given; OutOfBounds (with the
    window's message) when it is not a date like 2027-03-15 within saas.bounds."""
    raw = request.args.get(name, "")
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise OutOfBounds(date_bounds_message()) from None
    check_date(day)
    return day


def week_arg(name: str = "week") -> date | None:
    """The Monday of the week in query argument `name`, None when it is not given: an ISO week
    (2026-W49) or any day of it (2026-12-02). OutOfBounds, with an example, for anything else
    or a week outside saas.bounds."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)  # Python 3.11+ also reads 2026-W49
    except ValueError:
        raise OutOfBounds(
            _(
                "This is not a week Dorp knows: write it as %(week)s or as a day of it, "
                "like %(day)s.",
                week="2026-W49",
                day="2026-12-02",
            )
        ) from None
    check_date(day)
    return day - timedelta(days=day.weekday())


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, str(label)) for value, label in pairs]


def sector_choices() -> list[SelectChoice]:
    return choices((s.value, SECTOR_LABELS[s]) for s in Sector)


def email_field(label=None) -> EmailField:
    """An e-mail address, checked as it is stored and compared: stripped and lower-cased first
    (lower-casing can lengthen it: “İ” becomes two characters)."""
    return EmailField(
        label or _l("E-mail address"),
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[_as_stored],
    )


def _as_stored(email):
    return email.strip().lower() if isinstance(email, str) else email


def name_field(label=None) -> StringField:
    return StringField(label or _l("Name"), validators=[DataRequired(), Length(min=2, max=200)])


def slug_field() -> StringField:
    """A network's web address, /<slug>/: what the admin's form and the public sign-up ask."""
    return StringField(
        _l("Web address (slug)"),
        validators=[
            DataRequired(),
            Length(min=2, max=60),
            Regexp(
                r"^[a-z0-9]+(-[a-z0-9]+)*$",
                message=_l("Use lower-case letters, digits and dashes."),
            ),
        ],
    )


def sector_field() -> SelectField:
    return SelectField(_l("Sector"), choices=sector_choices, validators=[DataRequired()])


def id_within_bounds() -> NumberRange:
    """For a select of ids that does not check its choices: 0 (none) or an id that fits an
    INTEGER column, so a larger number is refused before it reaches the database."""
    return NumberRange(0, MAX_INT, message=_l("This choice is not in the list."))


class DateWithinBounds:
    """WTForms validator: the date lies in the window every part of Dorp accepts (saas.bounds)."""

    field_flags = {"min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()}

    def __call__(self, form, field) -> None:
        if field.data is not None and not date_allowed(field.data):
            raise ValidationError(date_bounds_message())


class FiniteDecimalField(DecimalField):
    """A DecimalField that takes numbers only: "NaN", "sNaN" and "Infinity" are Decimals too, and
    a signalling NaN breaks NumberRange (it cannot be compared)."""

    def process_formdata(self, valuelist) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))
