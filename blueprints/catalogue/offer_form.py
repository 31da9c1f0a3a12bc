"""The offer form both ways: filled from an offer (or blank), read into `services.OfferData`, and
a service's refusal shown at the field it is about."""

from __future__ import annotations

from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _

from blueprints.catalogue.access import publishable_partners
from blueprints.catalogue.forms import COST_KINDS, TRANSLATED, OfferForm
from blueprints.forms import choices
from saas.catalogue import services
from saas.catalogue.models import Offer
from saas.catalogue.schedule import ScheduleError, build_rrule, describe, normalise_rule
from saas.partners.queries import active_partner_names


def offer_form(offer: Offer | None, salon: bool) -> OfferForm:
    """The form for a new offer (None) or an existing one, its choices filled in."""
    if offer is None or request.method == "POST":
        form = OfferForm()
    else:
        values = _form_values(offer)
        form = OfferForm(obj=offer, **values)
        form.rrule.data = values["rrule"]  # the object's rule only when the choices cannot say it
    _fill_choices(form, salon=salon)
    if not salon or offer is not None:
        del form.speaker_partner_id  # only asked when a salon is created
    return form


def _form_values(offer: Offer) -> dict:
    """What the form asks differently from how the offer keeps it."""
    plan = describe(offer.rrule, offer.start_date)
    translations = offer.translations or {}
    return {
        "age_min": offer.age_min_months,
        "age_min_unit": "months",
        "age_max": offer.age_max_months,
        "age_max_unit": "months",
        "action_lines": [str(int(a)) for a in offer.action_line_list],
        "themes": ", ".join(offer.theme_list),
        "languages": offer.language_list,
        "cost_kind": offer.cost_kind.value,
        "cost_amount": (offer.cost_cents or 0) / 100 if offer.cost_cents is not None else None,
        "frequency": _plain_frequency(plan),
        "rrule": offer.rrule if plan["frequency"] in {"custom", "unreadable"} else "",
        "weekdays": plan["weekdays"],
        "until": plan["until"],
        **{f"title_{c}": translations.get(c, {}).get("title", "") for c in TRANSLATED},
        **{f"description_{c}": translations.get(c, {}).get("description", "") for c in TRANSLATED},
    }


def _plain_frequency(plan: dict) -> str:
    """The form's "Repeats" choice; a rule it cannot say stays in the advanced field instead."""
    if plan["frequency"] == "weekly" and plan["interval"] == 2:
        return "biweekly"
    return plan["frequency"] if plan["frequency"] in {"once", "weekly", "monthly"} else "weekly"


def _fill_choices(form: OfferForm, *, salon: bool) -> None:
    form.partner_id.choices = choices((p.id, p.name) for p in publishable_partners())
    form.type_id.choices = choices(
        (t.id, t.name(str(get_locale()))) for t in services.offer_types(salons_only=salon)
    )
    form.location_id.choices = choices(
        (loc.id, f"{loc.name} ({loc.neighbourhood})") for loc in services.locations()
    )
    form.speaker_partner_id.choices = [
        *choices([(0, _("No speaker"))]),
        *choices(active_partner_names()),
    ]


def _months(value: int, unit: str) -> int:
    return value if unit == "months" else value * 12


def _rrule(form: OfferForm) -> str:
    """The rule in its one kept form, from the advanced field or else the plain choices."""
    try:
        if (form.rrule.data or "").strip():
            return normalise_rule(form.rrule.data)
    except ScheduleError as exc:
        raise services.OfferError(str(exc), "rrule") from exc
    frequency = form.frequency.data
    try:
        return build_rrule(
            frequency="weekly" if frequency == "biweekly" else frequency,
            weekdays=form.weekdays.data,
            until=form.until.data,
            start=form.start_date.data,
            interval=2 if frequency == "biweekly" else 1,
        )
    except ScheduleError as exc:
        raise services.OfferError(str(exc), "until") from exc


def offer_data(form: OfferForm) -> services.OfferData:
    """The offer the form describes; a schedule or cost it cannot read raises OfferError."""
    rule = _rrule(form)
    age_max = _months(form.age_max.data, form.age_max_unit.data)
    if form.age_max_unit.data == "years":
        age_max += 11  # "up to 6 years" includes the child who is 6 and a half
    cost = COST_KINDS.get(form.cost_kind.data)
    if cost is None:
        raise services.OfferError(_("Please choose a cost."), "cost_kind")
    return services.OfferData(
        title=form.title.data,
        description=form.description.data or "",
        translations={
            code: {
                "title": getattr(form, f"title_{code}").data or "",
                "description": getattr(form, f"description_{code}").data or "",
            }
            for code in TRANSLATED
        },
        type_id=form.type_id.data,
        location_id=form.location_id.data,
        action_lines=sum(
            {int(v) for v in form.action_lines.data or [] if v.isdigit()}
        ),  # each line once
        age_min_months=_months(form.age_min.data, form.age_min_unit.data),
        age_max_months=age_max,
        themes=(form.themes.data or "").split(","),
        languages=form.languages.data or ["nl"],
        cost_kind=cost,
        cost_cents=int(form.cost_amount.data * 100) if form.cost_amount.data is not None else None,
        cost_note=form.cost_note.data or "",
        registration_required=form.registration_required.data,
        registration_note=form.registration_note.data or "",
        registration_url=form.registration_url.data or "",
        capacity=form.capacity.data,
        start_date=form.start_date.data,
        start_time=form.start_time.data,
        end_time=form.end_time.data,
        rrule=rule,
        skip_public_holidays=form.skip_public_holidays.data,
        skip_school_holidays=form.skip_school_holidays.data,
        skip_closures=form.skip_closures.data,
    )


def show_error(form: OfferForm, exc: services.OfferError) -> None:
    """Put a refusal under the field it is about (the title when it names none)."""
    field = {"schedule": "start_date", "age_min": "age_min", "cost_amount": "cost_amount"}.get(
        exc.field, exc.field
    )
    target = getattr(form, field, None) if field else None
    (target.errors if target is not None else form.title.errors).append(str(exc))
