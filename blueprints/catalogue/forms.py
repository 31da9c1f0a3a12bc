"""The offer form: plain questions a partner can answer; the RRULE is built from them."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional

from blueprints.forms import DateWithinBounds, FiniteDecimalField, choices
from blueprints.partner.forms import CheckboxList
from saas.catalogue.models import ACTION_LINE_LABELS, ActionLine, CostKind, OrganiserRole
from saas.partners.models import SPOKEN_LANGUAGES

TRANSLATED = ("en", "fr", "tr", "ar")
WEEKDAY_CHOICES = [
    ("MO", _l("Monday")),
    ("TU", _l("Tuesday")),
    ("WE", _l("Wednesday")),
    ("TH", _l("Thursday")),
    ("FR", _l("Friday")),
    ("SA", _l("Saturday")),
    ("SU", _l("Sunday")),
]
UNITS = [("years", _l("years")), ("months", _l("months"))]


class OfferForm(FlaskForm):
    partner_id = SelectField(_l("Organised by"), coerce=int, validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    type_id = SelectField(_l("Type of activity"), coerce=int, validators=[InputRequired()])
    action_lines = CheckboxList(
        _l("Action lines it serves"),
        choices=lambda: choices((str(int(a)), ACTION_LINE_LABELS[a]) for a in ActionLine.members()),
    )
    age_min = IntegerField(
        _l("From age"), default=0, validators=[InputRequired(), NumberRange(0, 100)]
    )
    age_min_unit = SelectField(_l("Unit of the lowest age"), choices=lambda: choices(UNITS))
    age_max = IntegerField(
        _l("Up to age"), default=12, validators=[InputRequired(), NumberRange(0, 100)]
    )
    age_max_unit = SelectField(_l("Unit of the highest age"), choices=lambda: choices(UNITS))
    themes = StringField(
        _l("Themes"),
        validators=[Length(max=400)],
        description=_l("Separate with commas, for example: sleep, healthy food, school readiness"),
    )
    languages = CheckboxList(
        _l("Languages spoken"), choices=lambda: choices(SPOKEN_LANGUAGES), default=["nl"]
    )
    location_id = SelectField(_l("Location"), coerce=int, validators=[InputRequired()])
    cost_kind = RadioField(
        _l("Cost"),
        default="free",
        choices=lambda: choices(
            [("free", _l("Free")), ("amount", _l("Paid")), ("reduced", _l("Reduced rate possible"))]
        ),
    )
    cost_amount = FiniteDecimalField(
        _l("Price in euro"),
        places=2,
        validators=[Optional(), NumberRange(Decimal(0), Decimal(10000))],
    )
    cost_note = StringField(_l("About the price"), validators=[Length(max=200)])
    registration_required = BooleanField(_l("Registration is needed"))
    registration_note = StringField(_l("How to register"), validators=[Length(max=300)])
    registration_url = StringField(
        _l("Registration link"), validators=[Optional(), URL(), Length(max=300)]
    )
    capacity = IntegerField(
        _l("Places (leave empty if there is no limit)"),
        validators=[Optional(), NumberRange(1, 10000)],
    )
    start_date = DateField(_l("First date"), validators=[InputRequired(), DateWithinBounds()])
    start_time = TimeField(_l("Start time"), validators=[InputRequired()])
    end_time = TimeField(_l("End time"), validators=[InputRequired()])
    frequency = RadioField(
        _l("Repeats"),
        default="once",
        choices=lambda: choices(
            [
                ("once", _l("Once")),
                ("weekly", _l("Every week")),
                ("biweekly", _l("Every two weeks")),
                ("monthly", _l("Every month, same weekday")),
            ]
        ),
    )
    weekdays = CheckboxList(_l("On these days"), choices=lambda: choices(WEEKDAY_CHOICES))
    until = DateField(_l("Last date"), validators=[Optional(), DateWithinBounds()])
    rrule = StringField(
        _l("Advanced: repetition rule (RFC 5545)"),
        validators=[Length(max=300)],
        description=_l(
            "Only if the choices above are not enough, e.g. FREQ=WEEKLY;BYDAY=MO,FR;UNTIL=20270630"
        ),
    )
    skip_public_holidays = BooleanField(_l("Not on public holidays"), default=True)
    skip_school_holidays = BooleanField(_l("Not during school holidays"), default=False)
    skip_closures = BooleanField(_l("Not on the network's closure days"), default=True)
    speaker_partner_id = SelectField(
        _l("Speaker (a partner of the network)"), coerce=int, default=0
    )


def add_translation_fields(form_class):
    for code in TRANSLATED:
        setattr(form_class, f"title_{code}", StringField(_l("Title"), validators=[Length(max=200)]))
        setattr(
            form_class,
            f"description_{code}",
            TextAreaField(_l("Description"), validators=[Length(max=5000)]),
        )
    return form_class


add_translation_fields(OfferForm)


class OrganiserForm(FlaskForm):
    partner_id = SelectField(_l("Partner"), coerce=int, validators=[InputRequired()])
    role = SelectField(
        _l("Role"),
        choices=lambda: choices((r.value, r.label) for r in OrganiserRole),
        validators=[DataRequired()],
    )


class HideForm(FlaskForm):
    reason = StringField(
        _l("Reason (shown to the partner)"), validators=[DataRequired(), Length(max=300)]
    )


class CancelForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Length(max=300)])


class CorrectSessionForm(FlaskForm):
    """A steward corrects the record of a session that has started."""

    held = SelectField(
        _l("What happened"),
        choices=lambda: choices(
            [("no", _l("It did not take place")), ("yes", _l("It took place"))]
        ),
        validators=[InputRequired()],
    )
    reason = StringField(
        _l("Reason for the correction"), validators=[DataRequired(), Length(max=300)]
    )


class MoveForm(FlaskForm):
    day = DateField(_l("New date"), validators=[InputRequired(), DateWithinBounds()])
    start_time = TimeField(_l("Start time"), validators=[InputRequired()])
    end_time = TimeField(_l("End time"), validators=[InputRequired()])
    location_id = SelectField(_l("Location"), coerce=int, validators=[InputRequired()])


class HeadcountForm(FlaskForm):
    adults = IntegerField(
        _l("Adults"), default=0, validators=[InputRequired(), NumberRange(0, 10000)]
    )
    children_0_3 = IntegerField(
        _l("Children 0 to 3 years"), default=0, validators=[InputRequired(), NumberRange(0, 10000)]
    )
    children_3_6 = IntegerField(
        _l("Children 3 to 6 years"), default=0, validators=[InputRequired(), NumberRange(0, 10000)]
    )
    children_6_12 = IntegerField(
        _l("Children 6 to 12 years"), default=0, validators=[InputRequired(), NumberRange(0, 10000)]
    )
    children_12_plus = IntegerField(
        _l("Children 12 years and older"),
        default=0,
        validators=[InputRequired(), NumberRange(0, 10000)],
    )
    first_time_families = IntegerField(
        _l("Families here for the first time"),
        default=0,
        validators=[InputRequired(), NumberRange(0, 10000)],
    )
    kindergarten_on_time = IntegerField(
        _l("Children helped to enter kindergarten on time (if you record it)"),
        default=0,
        validators=[Optional(), NumberRange(0, 10000)],
    )


class LocationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(min=2, max=200)])
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=300)])
    neighbourhood = StringField(_l("Neighbourhood"), validators=[DataRequired(), Length(max=100)])
    accessibility = TextAreaField(_l("Accessibility"), validators=[Length(max=2000)])


class ClosureForm(FlaskForm):
    kind = SelectField(
        _l("Kind"),
        choices=lambda: choices(
            [("closure", _l("Closure day")), ("school_holiday", _l("School holiday"))]
        ),
    )
    label = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    starts_on = DateField(_l("From"), validators=[InputRequired(), DateWithinBounds()])
    ends_on = DateField(_l("Until"), validators=[InputRequired(), DateWithinBounds()])


COST_KINDS = {k.value: k for k in CostKind}


class OfferTypeForm(FlaskForm):
    name_nl = StringField(_l("Name in Dutch"), validators=[DataRequired(), Length(min=2, max=120)])
    name_en = StringField(
        _l("Name in English"), validators=[DataRequired(), Length(min=2, max=120)]
    )
    is_salon = BooleanField(_l("This is a parent salon"))
    is_thematic = BooleanField(_l("Thematic (with a speaker)"))
