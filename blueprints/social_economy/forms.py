"""Forms of the workforce pages (the card's grid is read from the request by hand: 91 cells)."""

from __future__ import annotations

from datetime import time

from flask_babel import gettext as _
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

from blueprints.forms import DateWithinBounds, choices
from blueprints.partner.forms import CheckboxList
from saas.partners.models import SPOKEN_LANGUAGES
from saas.workforce import solver
from saas.workforce.errors import WorkforceError
from saas.workforce.labels import SKILL_LABELS, TRAINING_LABELS, WEEKDAYS
from saas.workforce.models import SchoolWish, WorkerProfile
from saas.workforce.schools import WishData
from saas.workforce.staff import ProfileData

HOURS = list(range(solver.FIRST_HOUR, solver.LAST_HOUR))  # the card's rows: 07:00 to 19:00


def grid_from(formdata) -> str:
    """The 91 cells of the posted grid; an absent cell is an error like an unknown colour."""
    cells = [formdata.get(f"c-{day}-{hour}", "") for day in range(7) for hour in HOURS]
    if any(len(c) != 1 for c in cells):
        raise WorkforceError(_("The card holds an unknown colour: only red, orange and green."))
    return "".join(cells)


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

    def fill_from(self, worker: WorkerProfile) -> None:
        self.languages.data = worker.language_list
        self.skills.data = worker.skill_list
        self.trainings.data = worker.training_list
        self.contract_hours.data = worker.contract_minutes // 60
        self.home_area.data = worker.home_area
        self.max_travel_km.data = worker.max_travel_km
        self.active.data = worker.active

    def profile(self) -> ProfileData:
        return ProfileData(
            languages=self.languages.data,
            skills=self.skills.data,
            trainings=self.trainings.data,
            contract_hours=self.contract_hours.data,
            home_area=self.home_area.data or "",
            max_travel_km=self.max_travel_km.data,
            active=self.active.data,
        )


class CardForm(FlaskForm):
    valid_from = DateField(_l("Valid from"), validators=[InputRequired(), DateWithinBounds()])
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

    def fill_from(self, wish: SchoolWish | None) -> None:
        """The school's wish, or a first suggestion: two hours a week over lunch."""
        if wish is None:
            self.start_time.data = time(12)
            self.end_time.data = time(13)
            self.hours_per_week.data = 2
            return
        self.tasks.data = wish.task_list
        self.languages.data = wish.language_list
        self.profile.data = wish.profile
        self.neighbourhood.data = wish.neighbourhood
        self.weekdays.data = [str(d) for d in wish.weekday_list]
        self.start_time.data = wish.start_time
        self.end_time.data = wish.end_time
        self.hours_per_week.data = wish.hours_per_week

    def wish(self) -> WishData:
        return WishData(
            tasks=self.tasks.data,
            languages=self.languages.data,
            profile=self.profile.data or "",
            neighbourhood=self.neighbourhood.data or "",
            weekdays=self.weekdays.data,
            start_time=self.start_time.data,
            end_time=self.end_time.data,
            hours_per_week=self.hours_per_week.data,
        )


class RosterForm(FlaskForm):
    starts_on = DateField(
        _l("First week (any day of it)"), validators=[InputRequired(), DateWithinBounds()]
    )
    ends_on = DateField(
        _l("Last week (any day of it)"), validators=[InputRequired(), DateWithinBounds()]
    )


class AssignForm(FlaskForm):
    worker_id = SelectField(_l("Worker"), coerce=int, validators=[InputRequired()])
    session_id = SelectField(_l("Session"), coerce=int, validators=[InputRequired()])
