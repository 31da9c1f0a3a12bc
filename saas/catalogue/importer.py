"""Importing a partner's offers from a CSV file: a preview with an error per bad line, then all or none."""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import func, select

from saas import csvfile
from saas.catalogue import services
from saas.catalogue.models import Location, Offer
from saas.catalogue.schedule import ScheduleError, build_rrule
from saas.catalogue.schemas import (
    OfferRowSchema,
    parse_action_lines,
    parse_cost,
    parse_days,
    parse_registration,
    parse_repeat,
)
from saas.extensions import db
from saas.partners.models import LANGUAGE_NAMES, Partner
from saas.text import single_line

HEADERS = {
    "title": "title",
    "titel": "title",
    "naam": "title",
    "type": "type",
    "soort": "type",
    "location": "location",
    "locatie": "location",
    "plaats": "location",
    "start_date": "start_date",
    "datum": "start_date",
    "startdatum": "start_date",
    "eerste datum": "start_date",
    "start_time": "start_time",
    "van": "start_time",
    "beginuur": "start_time",
    "start": "start_time",
    "end_time": "end_time",
    "tot": "end_time",
    "einduur": "end_time",
    "einde": "end_time",
    "repeat": "repeat",
    "herhaling": "repeat",
    "days": "days",
    "dagen": "days",
    "until": "until",
    "laatste datum": "until",
    "einddatum": "until",
    "description": "description",
    "beschrijving": "description",
    "age_min": "age_min",
    "leeftijd van": "age_min",
    "vanaf leeftijd": "age_min",
    "age_max": "age_max",
    "leeftijd tot": "age_max",
    "tot leeftijd": "age_max",
    "languages": "languages",
    "talen": "languages",
    "themes": "themes",
    "thema's": "themes",
    "themas": "themes",
    "cost": "cost",
    "prijs": "cost",
    "kostprijs": "cost",
    "registration": "registration",
    "inschrijving": "registration",
    "action_lines": "action_lines",
    "actielijnen": "action_lines",
    "capacity": "capacity",
    "plaatsen": "capacity",
}
REQUIRED = {"title", "type", "location", "start_date", "start_time", "end_time"}
HINT = "titel, soort, locatie, datum, van, tot (title, type, location, start_date, start_time, end_time)"
LABELS = {
    "title": "titel",
    "type": "soort",
    "location": "locatie",
    "start_date": "datum",
    "start_time": "van",
    "end_time": "tot",
    "until": "laatste datum",
    "age_min": "leeftijd van",
    "age_max": "leeftijd tot",
    "capacity": "plaatsen",
    "description": "beschrijving",
    "themes": "thema's",
}


def _lookup_type(text: str) -> int:
    key = text.strip().lower()
    for t in services.offer_types():
        if key in {t.code.lower(), t.name_nl.lower(), t.name_en.lower()}:
            return t.id
    raise ValidationError(_("unknown type “%(value)s”", value=text))


def _lookup_location(text: str) -> int:
    found = db.session.execute(
        select(Location.id).where(func.lower(Location.name) == text.strip().lower())
    ).scalar_one_or_none()
    if found is None:
        raise ValidationError(
            _("unknown location “%(value)s”: add it under places first", value=text)
        )
    return found


def _languages(text: str) -> list[str]:
    codes = [c.strip().lower() for c in text.replace(";", ",").split(",") if c.strip()] or ["nl"]
    unknown = [c for c in codes if c not in LANGUAGE_NAMES]
    if unknown:
        raise ValidationError(_("unknown language code “%(value)s”", value=unknown[0]))
    return codes


def _offer_data(values: dict) -> services.OfferData:
    row = OfferRowSchema().load({k: v for k, v in values.items() if v != ""})  # empty: not given
    frequency = parse_repeat(row["repeat"])
    try:
        rule = build_rrule(
            frequency="weekly" if frequency == "biweekly" else frequency,
            weekdays=parse_days(row["days"]),
            until=row["until"],
            start=row["start_date"],
            interval=2 if frequency == "biweekly" else 1,
        )
    except ScheduleError as exc:
        raise ValidationError(str(exc)) from exc
    cost_kind, cents = parse_cost(row["cost"])
    required, note = parse_registration(row["registration"])
    return services.OfferData(
        title=single_line(row["title"]),
        type_id=_lookup_type(row["type"]),
        location_id=_lookup_location(row["location"]),
        start_date=row["start_date"],
        start_time=row["start_time"],
        end_time=row["end_time"],
        rrule=rule,
        description=row["description"],
        action_lines=parse_action_lines(row["action_lines"]),
        age_min_months=row["age_min"][0],
        # "up to 6 years" includes the child of six and a half, as on the form
        age_max_months=row["age_max"][0] + (11 if row["age_max"][1] else 0),
        themes=row["themes"].split(","),
        languages=_languages(row["languages"]),
        cost_kind=cost_kind,
        cost_cents=cents,
        registration_required=required,
        registration_note=note,
        capacity=row["capacity"],
    )


def preview(raw: bytes) -> csvfile.CsvPreview:
    result = csvfile.read(raw, HEADERS, REQUIRED, hint=HINT)
    for row in result.rows:
        try:
            row.data = _offer_data(row.values)
            services.validate_offer(row.data)
        except ValidationError as exc:
            row.data = None
            messages = exc.messages if isinstance(exc.messages, dict) else {"": exc.messages}
            row.errors = (
                csvfile.flatten(messages, LABELS)
                if isinstance(exc.messages, dict)
                else [str(m) for m in exc.messages]
            )
        except services.OfferError as exc:
            row.data = None
            row.errors = [str(exc)]
    return result


def import_offers(raw: bytes, partner: Partner, user, *, publish: bool) -> list[Offer]:
    """All lines or none: a bad line means nothing is imported."""
    result = preview(raw)
    if not result.ok:
        raise services.OfferError(_("The file has errors; nothing was imported."))
    offers = []
    for row in result.rows:
        offer = services.save_offer(None, row.data, partner=partner, user=user)
        if publish:
            services.publish(offer)
        offers.append(offer)
    return offers
