"""Words for the workforce's codes, in the interface language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SKILL_LABELS = {
    "reading_aloud": _l("Reading aloud"),
    "game_facilitation": _l("Game facilitation"),
    "tablets": _l("Tablets"),
    "bike_trainer": _l("Bike-lesson trainer"),
    "cooking": _l("Cooking"),
    "crafts": _l("Crafts"),
    "baby_massage": _l("Baby massage"),
    "homework_help": _l("Homework help"),
    "sport_dance": _l("Sport and dance"),
    "home_visits": _l("Home visits"),
}

TRAINING_LABELS = {
    "reading_aloud": _l("Reading aloud"),
    "tablets": _l("Tablets"),
    "social_map": _l("Social map"),
    "father_involvement": _l("Involving fathers"),
    "bike_trainer": _l("Bike-lesson trainer"),
}

COLOUR_LABELS = {  # short, for the 91 cells; the page explains them once above the grid
    "r": _l("red"),
    "o": _l("orange"),
    "g": _l("green"),
}

WEEKDAYS = [
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
]

REASON_LABELS = {
    "red": _l("red on the card"),
    "skills": _l("lacking a required skill"),
    "languages": _l("not speaking a required language"),
    "team_slot": _l("in the team's intervisie"),
    "not_enough_workers": _l("more workers needed than the team has"),
    "busy": _l("could come but were needed elsewhere or reached their hours"),
    "unknown": _l("no longer in the team or the period"),
}

STATUS_LABELS = {
    "draft": _l("Draft"),
    "solving": _l("Being solved"),
    "solved": _l("Solved, not yet published"),
    "failed": _l("Could not be solved"),
    "published": _l("Published"),
    "retired": _l("Replaced by newer rosters"),
}
