"""The family's own copy of what the network holds about it, in words it can read.

The same content as the machine-readable export (`privacy.export`), with labels instead of
codes ("WE,FR" reads "woensdag en vrijdag", "morning" "voormiddag") and dates in Belgian time
as the chosen language writes them (Babel), never to the microsecond. Built inside the chosen
language (`force_locale`), by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from babel.lists import format_list
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from saas.catalogue.display import age_band_label, daypart_label, weekday_in_sentence
from saas.catalogue.schedule import WEEKDAYS
from saas.extensions import db
from saas.partners.models import LANGUAGE_NAMES
from saas.referrals.models import (
    Consent,
    DeclineReason,
    Outcome,
    Referral,
    ReferralEvent,
    ReferralMessage,
    Status,
)

COPY_LANGUAGES = ("nl", "en", "fr", "tr", "ar")  # the families' pages' five

CONSENT_GIVERS = {
    "parent": _l("A parent"),
    "guardian": _l("A guardian"),
    "young_person": _l("The young person"),
}
STEPS = {
    "created": _l("The referral was written"),
    "received": _l("The receiving partner opened it"),
    "message": _l("Message written"),
    "consent_withdrawn": _l("Consent withdrawn"),
    "erased": _l("The family asked the network to remove its data"),
    "lapsed": _l("No answer within the target"),
    "anonymised": _l("The family's data was removed"),
}


@dataclass
class Line:
    label: str
    value: str


@dataclass
class ReferralCopy:
    number: int
    heading: str
    about: list[Line]
    consents: list[list[Line]] = field(default_factory=list)
    messages: list[Line] = field(default_factory=list)
    timeline: list[Line] = field(default_factory=list)


def when(moment: datetime | None) -> str:
    """A moment in Belgian time, to the minute: "2 juli 2026 00:30"."""
    if moment is None:
        return "–"
    return format_datetime(moment, "d MMMM y HH:mm")


def days_text(codes: list[str]) -> str:
    """ "WE,FR" as the language says it in a sentence: "woensdag en vrijdag"."""
    known = sorted((c for c in codes if c in WEEKDAYS), key=WEEKDAYS.index)
    names = [weekday_in_sentence(WEEKDAYS.index(c)) for c in known]
    return format_list(names, locale=get_locale()) if names else ""


def times_text(codes: list[str]) -> str:
    """ "morning" as the language says it: "voormiddag"."""
    names = [daypart_label(c).lower() for c in codes]
    return format_list(names, locale=get_locale()) if names else ""


def _list(values: list[str]) -> str:
    return format_list(values, locale=get_locale()) if values else ""


def _contact(r: Referral) -> str:
    if r.contact_way == "phone":
        return _("By phone: %(number)s", number=r.contact_value)
    if r.contact_way == "email":
        return _("By e-mail: %(address)s", address=r.contact_value)
    return _("Through %(partner)s", partner=r.from_partner.name)


def _step(event: ReferralEvent) -> str:
    text = (
        Status(event.kind).label
        if event.kind in {s.value for s in Status}
        else str(STEPS.get(event.kind, event.kind))
    )
    reasons = {**{r.value: r.label for r in DeclineReason}, **{o.value: o.label for o in Outcome}}
    return f"{text}: {reasons[event.code]}" if event.code in reasons else text


def copy_of(r: Referral) -> ReferralCopy:
    """One referral as the family reads it."""
    about = [
        Line(_("From"), r.from_partner.name),
        Line(_("To"), r.to_partner.name),
        Line(_("State"), Status(r.status).label),
        Line(_("Label"), r.family_label),
        Line(_("Question"), r.question),
        Line(_("Themes"), _list(r.list_of("themes"))),
        Line(_("Ages of the children"), _list([age_band_label(c) for c in r.list_of("age_bands")])),
        Line(_("Languages"), _list([LANGUAGE_NAMES.get(c, c) for c in r.list_of("languages")])),
        Line(_("Neighbourhood"), r.neighbourhood),
        Line(_("Days that suit the family"), days_text(r.list_of("preferred_days"))),
        Line(_("Times that suit the family"), times_text(r.list_of("preferred_times"))),
        Line(_("Urgent"), _("Yes") if r.urgent else _("No")),
        Line(_("How the partner reaches the family"), _contact(r)),
        Line(_("Written on"), when(r.created_at)),
        Line(_("Sent on"), when(r.sent_at)),
        Line(_("Answered on"), when(r.responded_at)),
        Line(_("Closed on"), when(r.closed_at)),
    ]
    consents = [
        [
            Line(_("Consent given by"), str(CONSENT_GIVERS.get(c.given_by, c.given_by))),
            Line(_("Given on"), when(c.given_at)),
            Line(_("For what"), c.purpose),
            Line(_("Text of the consent"), c.text_version),
            Line(_("Withdrawn on"), when(c.withdrawn_at) if c.withdrawn_at else "–"),
        ]
        for c in db.session.execute(
            select(Consent).where(Consent.referral_id == r.id).order_by(Consent.id)
        ).scalars()
    ]
    messages = [
        Line(
            _("%(when)s, %(partner)s", when=when(m.created_at), partner=m.author_partner.name),
            m.body or _("[text removed with the family's data]"),
        )
        for m in db.session.execute(
            select(ReferralMessage)
            .where(ReferralMessage.referral_id == r.id)
            .order_by(ReferralMessage.id)
        ).scalars()
    ]
    timeline = [
        Line(when(e.created_at), _step(e))
        for e in db.session.execute(
            select(ReferralEvent)
            .where(ReferralEvent.referral_id == r.id)
            .order_by(ReferralEvent.id)
        ).scalars()
    ]
    return ReferralCopy(
        number=r.id,
        heading=_("Referral %(number)s", number=r.id),
        about=[line for line in about if line.value],
        consents=consents,
        messages=messages,
        timeline=timeline,
    )
