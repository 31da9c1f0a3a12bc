"""Forms of the workforce pages (the card's grid is read from the request by hand: 91 cells)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from blueprints.forms import choices
from blueprints.partner.forms import CheckboxList
from saas.partners.models import SPOKEN_LANGUAGES
from saas.workforce.labels import SKILL_LABELS, TRAINING_LABELS, WEEKDAYS


def _skills():
    return choices(SKILL_LABELS.items())


class ProfileForm(FlaskForm):
    languages = CheckboxList(_l("Languages"), choices=lambda: choices(SPOKEN_LANGUAGES))
    skills = CheckboxList(_l("Skills"), choices=_skills)
    trainings = CheckboxList(
        _l("Trainings followed"), choices=lambda: choices(TRAINING_LABELS.items())
    )
    contract_hours = IntegerField(
        _l("Contracted hours per week"), validators=[InputRequired(), NumberRange(0, 40)]
    )
    home_area = StringField(
        _l("Home area (neighbourhood)"), validators=[Optional(), Length(max=100)]
    )
    max_travel_km = IntegerField(
        _l("How far they can travel (km)"), validators=[InputRequired(), NumberRange(0, 100)]
    )
    active = BooleanField(_l("In the planning"))


class CardForm(FlaskForm):
    valid_from = DateField(_l("Valid from"), validators=[InputRequired()])
    reason = TextAreaField(
        _l("Reason (optional, only the coordinator sees it)"),
        validators=[Optional(), Length(max=2000)],
    )


class NeedForm(FlaskForm):
    offer_id = SelectField(_l("Activity"), coerce=int, validators=[InputRequired()])
    workers = IntegerField(
        _l("Workers per session"), validators=[InputRequired(), NumberRange(1, 50)]
    )
    skills = CheckboxList(_l("Required skills (all of them)"), choices=_skills)
    languages = CheckboxList(
        _l("Languages (at least one of them)"), choices=lambda: choices(SPOKEN_LANGUAGES)
    )


class TeamSlotForm(FlaskForm):
    label = StringField(_l("Name"), validators=[InputRequired(), Length(min=2, max=120)])
    weekday = SelectField(
        _l("Day"), coerce=int, choices=lambda: [(i, str(d)) for i, d in enumerate(WEEKDAYS)]
    )
    start_time = TimeField(_l("From"), validators=[InputRequired()])
    end_time = TimeField(_l("Until"), validators=[InputRequired()])


class WishForm(FlaskForm):
    tasks = CheckboxList(_l("Tasks"), choices=_skills)
    languages = CheckboxList(_l("Languages"), choices=lambda: choices(SPOKEN_LANGUAGES))
    profile = TextAreaField(
        _l("The kind of person the school wishes for"), validators=[Length(max=2000)]
    )
    neighbourhood = StringField(_l("Neighbourhood"), validators=[Optional(), Length(max=100)])
    weekdays = CheckboxList(
        _l("Days"), choices=lambda: [(str(i), str(d)) for i, d in enumerate(WEEKDAYS)]
    )
    start_time = TimeField(_l("From"), validators=[InputRequired()])
    end_time = TimeField(_l("Until"), validators=[InputRequired()])
    hours_per_week = IntegerField(
        _l("Hours per week"), validators=[InputRequired(), NumberRange(1, 40)]
    )


class RosterForm(FlaskForm):
    starts_on = DateField(_l("First week (any day of it)"), validators=[InputRequired()])
    weeks = IntegerField(_l("Number of weeks"), validators=[InputRequired(), NumberRange(1, 8)])


class AssignForm(FlaskForm):
    worker_id = SelectField(_l("Worker"), coerce=int, validators=[InputRequired()])
    session_id = SelectField(_l("Session"), coerce=int, validators=[InputRequired()])
