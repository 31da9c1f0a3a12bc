"""marshmallow schema for one offer in a CSV file: the plain words people type in a spreadsheet."""

from __future__ import annotations

import re
from datetime import datetime, time

from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from saas.bounds import date_allowed, date_bounds_message
from saas.catalogue.models import ActionLine, CostKind

DAY_WORDS = {
    "ma": "MO",
    "maandag": "MO",
    "mo": "MO",
    "monday": "MO",
    "di": "TU",
    "dinsdag": "TU",
    "tu": "TU",
    "tuesday": "TU",
    "wo": "WE",
    "woensdag": "WE",
    "we": "WE",
    "wednesday": "WE",
    "do": "TH",
    "donderdag": "TH",
    "th": "TH",
    "thursday": "TH",
    "vr": "FR",
    "vrijdag": "FR",
    "fr": "FR",
    "friday": "FR",
    "za": "SA",
    "zaterdag": "SA",
    "sa": "SA",
    "saturday": "SA",
    "zo": "SU",
    "zondag": "SU",
    "su": "SU",
    "sunday": "SU",
}
REPEAT_WORDS = {
    "": "once",
    "eenmalig": "once",
    "once": "once",
    "nee": "once",
    "wekelijks": "weekly",
    "weekly": "weekly",
    "elke week": "weekly",
    "tweewekelijks": "biweekly",
    "biweekly": "biweekly",
    "om de twee weken": "biweekly",
    "maandelijks": "monthly",
    "monthly": "monthly",
}
FREE_WORDS = {"", "gratis", "free", "0", "0,00", "0.00"}
NO_WORDS = {"", "nee", "no", "neen", "0", "false"}


class DateText(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip()
        for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                day = datetime.strptime(text, pattern).date()
            except ValueError:
                continue
            if not date_allowed(day):
                raise ValidationError(date_bounds_message())
            return day
        raise ValidationError(_("not a valid date (use 2027-03-15 or 15/03/2027)"))


class TimeText(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        match = re.fullmatch(r"(\d{1,2})[:.u]?(\d{2})?", str(value).strip().lower())
        if not match or int(match.group(1)) > 23 or int(match.group(2) or 0) > 59:
            raise ValidationError(_("not a valid time (use 9:30)"))
        return time(int(match.group(1)), int(match.group(2) or 0))


class AgeText(fields.Field):
    """ "3" is three years; "18m" is eighteen months. Loads as (months, given in years)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip().lower().replace(" ", "")
        match = re.fullmatch(r"(\d{1,3})(m|mnd|maanden|months|j|jaar|y|years)?", text)
        if not match:
            raise ValidationError(_("not a valid age (use 3 for years or 18m for months)"))
        number, unit = int(match.group(1)), match.group(2) or "j"
        if unit in {"m", "mnd", "maanden", "months"}:
            return number, False
        return number * 12, True


class OfferRowSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    title = fields.String(required=True, validate=validate.Length(min=2, max=200))
    type = fields.String(required=True, validate=validate.Length(min=2, max=120))
    location = fields.String(required=True, validate=validate.Length(min=2, max=200))
    start_date = DateText(required=True)
    start_time = TimeText(required=True)
    end_time = TimeText(required=True)
    repeat = fields.String(load_default="")
    days = fields.String(load_default="")
    until = DateText(load_default=None, allow_none=True)
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    age_min = AgeText(load_default=(0, False))
    age_max = AgeText(load_default=(216, False))
    languages = fields.String(load_default="nl")
    themes = fields.String(load_default="", validate=validate.Length(max=400))
    cost = fields.String(load_default="")
    registration = fields.String(load_default="", validate=validate.Length(max=300))
    action_lines = fields.String(load_default="")
    capacity = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 10000))


def parse_repeat(text: str) -> str:
    key = text.strip().lower()
    if key not in REPEAT_WORDS:
        raise ValidationError(
            _(
                "unknown repetition “%(value)s” (use eenmalig, wekelijks, tweewekelijks, maandelijks)",
                value=text,
            )
        )
    return REPEAT_WORDS[key]


def parse_days(text: str) -> list[str]:
    days = []
    for word in re.split(r"[,;/ ]+", text.strip().lower()):
        if not word:
            continue
        if word not in DAY_WORDS:
            raise ValidationError(_("unknown day “%(value)s”", value=word))
        days.append(DAY_WORDS[word])
    return days


def parse_cost(text: str) -> tuple[CostKind, int | None]:
    key = text.strip().lower()
    if key in FREE_WORDS:
        return CostKind.FREE, None
    reduced = "verminderd" in key or "reduced" in key
    match = re.search(r"(\d+)(?:[.,](\d{1,2}))?", key)
    if not match:
        raise ValidationError(_("not a valid price (use gratis or an amount like 2,50)"))
    cents = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    return (CostKind.REDUCED if reduced else CostKind.AMOUNT), cents


def parse_action_lines(text: str) -> int:
    bits = 0
    members = ActionLine.members()
    for word in re.split(r"[,;/ ]+", text.strip()):
        if not word:
            continue
        if not word.isdigit() or not 1 <= int(word) <= len(members):
            raise ValidationError(_("action lines are numbers from 1 to 5"))
        bits |= members[int(word) - 1]
    return bits


def parse_registration(text: str) -> tuple[bool, str]:
    key = text.strip()
    if key.lower() in NO_WORDS:
        return False, ""
    return True, "" if key.lower() in {"ja", "yes"} else key
