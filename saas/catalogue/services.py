"""Offers and their sessions: saving (validated as a whole), publishing, hiding, cancelling, moving."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import exists, select

from saas.audit.services import record
from saas.bounds import OutOfBounds, check_date
from saas.catalogue import notify
from saas.catalogue.models import (
    ActionLine,
    ActivitySession,
    Answer,
    Closure,
    ClosureKind,
    CostKind,
    Headcount,
    Location,
    Offer,
    OfferFollower,
    OfferPartner,
    OfferType,
    OrganiserRole,
    SessionStatus,
)
from saas.catalogue.schedule import (
    Exclusions,
    ScheduleError,
    expand,
    normalise_rule,
    to_local,
    to_utc,
)
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner, PartnerState
from saas.referrals.models import Referral
from saas.text import single_line, too_long

log = logging.getLogger(__name__)
HORIZON = timedelta(weeks=16)
HISTORY = timedelta(days=366)


class OfferError(ValueError):
    """Bad offer data: `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# The publication's offer types, seeded into every network (the steward can add more).
DEFAULT_TYPES = [
    ("voorschools_klasje", "Voorschools klasje", "Pre-school group", False, False),
    ("oudersalon_thematisch", "Oudersalon (thematisch)", "Parent salon (thematic)", True, True),
    ("oudersalon", "Oudersalon (niet-thematisch)", "Parent salon (non-thematic)", True, False),
    ("babysalon", "Babysalon", "Baby salon", True, False),
    ("vakantiesalon", "Vakantiesalon", "Holiday salon", True, False),
    ("onthaalmoment", "Onthaalmoment", "Welcome desk", False, False),
    ("huisbezoek", "Huisbezoek", "Home visit", False, False),
    ("fietsles", "Fietsles / mobiliteit", "Bike lessons / mobility", False, False),
    ("atelier_sport", "Brede-school atelier: sport", "Broad-school workshop: sport", False, False),
    ("atelier_dans", "Brede-school atelier: dans", "Broad-school workshop: dance", False, False),
    ("atelier_taal", "Brede-school atelier: taal", "Broad-school workshop: language", False, False),
    ("tekenacademie", "Tekenacademie", "Drawing academy", False, False),
    (
        "verteltassen",
        "Leesbevordering (verteltassen)",
        "Reading promotion (story bags)",
        False,
        False,
    ),
    ("uitstap", "Uitstap / feest", "Day trip / party", False, False),
    ("spreekuur", "Spreekuur", "Consultation hour", False, False),
]


def seed_offer_types() -> None:
    """Give the current network the default types it does not have yet."""
    have = set(db.session.execute(select(OfferType.code)).scalars())
    for sort, (code, nl, en, salon, thematic) in enumerate(DEFAULT_TYPES):
        if code not in have:
            db.session.add(
                OfferType(
                    code=code,
                    name_nl=nl,
                    name_en=en,
                    is_salon=salon,
                    is_thematic=thematic,
                    sort=sort,
                )
            )
    db.session.flush()


def offer_types(*, salons_only: bool = False) -> list[OfferType]:
    query = select(OfferType).order_by(OfferType.sort, OfferType.id)
    if salons_only:
        query = query.where(OfferType.is_salon.is_(True))
    return list(db.session.execute(query).scalars())


def locations() -> list[Location]:
    return list(db.session.execute(select(Location).order_by(Location.name)).scalars())


def neighbourhoods() -> list[str]:
    return sorted(set(db.session.execute(select(Location.neighbourhood)).scalars()) - {""})


@dataclass
class OfferData:
    """Everything a form or a CSV row says about an offer, already type-checked."""

    title: str
    type_id: int
    location_id: int
    start_date: date
    start_time: time
    end_time: time
    rrule: str = ""
    description: str = ""
    translations: dict | None = None
    action_lines: int = 0
    age_min_months: int = 0
    age_max_months: int = 216
    themes: list[str] | None = None
    languages: list[str] | None = None
    cost_kind: CostKind = CostKind.FREE
    cost_cents: int | None = None
    cost_note: str = ""
    registration_required: bool = False
    registration_note: str = ""
    registration_url: str = ""
    capacity: int | None = None
    skip_public_holidays: bool = True
    skip_school_holidays: bool = False
    skip_closures: bool = True


def _themes(data: OfferData) -> str:
    """The themes as stored: lower case, each once, joined."""
    return ",".join(sorted({t.strip().lower() for t in data.themes or [] if t.strip()}))


def _check(data: OfferData) -> None:
    if not single_line(data.title):
        raise OfferError(_("Please give a title."), "title")
    _check_lengths(data)
    if db.session.execute(select(OfferType.id).where(OfferType.id == data.type_id)).first() is None:
        raise OfferError(_("Unknown type of activity."), "type_id")
    if (
        db.session.execute(select(Location.id).where(Location.id == data.location_id)).first()
        is None
    ):
        raise OfferError(_("Unknown location: choose one of the network's places."), "location_id")
    if data.age_min_months < 0 or data.age_max_months > 1200:
        raise OfferError(_("The ages are not possible."), "age_min")
    if data.age_min_months > data.age_max_months:
        raise OfferError(_("The lowest age must not be above the highest age."), "age_min")
    if data.end_time <= data.start_time:
        raise OfferError(_("The end time must be after the start time."), "end_time")
    if data.cost_kind != CostKind.FREE and (data.cost_cents is None or data.cost_cents < 0):
        raise OfferError(_("Please give the price."), "cost_amount")
    if data.capacity is not None and data.capacity < 1:
        raise OfferError(_("The number of places must be at least 1."), "capacity")
    if data.action_lines & ~sum(ActionLine.members()):
        raise OfferError(_("Unknown action line."), "action_lines")


def _check_lengths(data: OfferData) -> None:
    """The text as it will be stored fits its column: lower-casing can make themes longer
    than they were typed (“İ” becomes two characters), and a CSV file has no form to stop it."""
    found = too_long(
        Offer,
        {
            "title": single_line(data.title),
            "themes": _themes(data),
            "cost_note": data.cost_note.strip(),
            "registration_note": data.registration_note.strip(),
            "registration_url": data.registration_url.strip(),
            "rrule": data.rrule,
        },
    )
    if found is None:
        return
    name, length = found
    if name == "themes":
        raise OfferError(
            _("The themes are too long together (at most %(n)d characters).", n=length), "themes"
        )
    raise OfferError(_("This is too long (at most %(n)d characters).", n=length), name)


def exclusions_for(offer_like) -> Exclusions:
    kinds = []
    if offer_like.skip_closures:
        kinds.append(ClosureKind.CLOSURE)
    if offer_like.skip_school_holidays:
        kinds.append(ClosureKind.SCHOOL_HOLIDAY)
    periods = ()
    if kinds:
        rows = db.session.execute(
            select(Closure.starts_on, Closure.ends_on).where(Closure.kind.in_(kinds))
        )
        periods = tuple((start, end) for start, end in rows)
    return Exclusions(public_holidays=offer_like.skip_public_holidays, periods=periods)


def validate_offer(data: OfferData) -> int:
    """Check an offer without saving it; returns how many sessions its schedule has. The rule is
    put in its one kept form on the way (see `schedule.Rule`)."""
    try:
        check_date(data.start_date)
    except OutOfBounds as exc:
        raise OfferError(str(exc), "start_date") from exc
    _check(data)
    try:
        data.rrule = normalise_rule(data.rrule)
    except ScheduleError as exc:
        raise OfferError(str(exc), "rrule") from exc
    try:
        occurrences = expand(
            start_date=data.start_date,
            start_time=data.start_time,
            end_time=data.end_time,
            rule=data.rrule,
            exclusions=exclusions_for(data),
        )
    except ScheduleError as exc:
        raise OfferError(str(exc), "schedule") from exc
    if not occurrences:
        raise OfferError(
            _("This schedule has no dates left after holidays and closures."), "schedule"
        )
    return len(occurrences)


def save_offer(
    offer: Offer | None, data: OfferData, *, partner: Partner | None = None, user=None
) -> Offer:
    """Create or change an offer as a whole: any problem raises OfferError and changes nothing."""
    validate_offer(data)
    creating = offer is None
    if creating:
        offer = Offer(partner_id=partner.id, created_by_id=getattr(user, "id", None))
        db.session.add(offer)
    before = _schedule_signature(offer) if not creating else None
    offer.title = single_line(data.title)
    offer.type_id = data.type_id
    offer.location_id = data.location_id
    offer.description = data.description.strip()
    offer.translations = {k: v for k, v in (data.translations or {}).items() if any(v.values())}
    offer.action_lines = data.action_lines
    offer.age_min_months, offer.age_max_months = data.age_min_months, data.age_max_months
    offer.themes = _themes(data)
    offer.languages = ",".join(dict.fromkeys(data.languages or ["nl"]))
    offer.cost_kind = data.cost_kind
    offer.cost_cents = None if data.cost_kind == CostKind.FREE else data.cost_cents
    offer.cost_note = data.cost_note.strip()
    offer.registration_required = data.registration_required
    offer.registration_note = data.registration_note.strip()
    offer.registration_url = data.registration_url.strip()
    offer.capacity = data.capacity
    offer.start_date, offer.start_time, offer.end_time = (
        data.start_date,
        data.start_time,
        data.end_time,
    )
    offer.rrule = data.rrule
    offer.skip_public_holidays = data.skip_public_holidays
    offer.skip_school_holidays = data.skip_school_holidays
    offer.skip_closures = data.skip_closures
    offer.updated_at = utcnow()
    db.session.flush()
    since = (
        max(to_utc(datetime.combine(data.start_date, time())), utcnow() - HISTORY)
        if creating
        else None
    )
    sync_sessions(offer, since=since)
    if not creating:
        record("offer.updated", offer)
        if offer.is_published and before != _schedule_signature(offer):
            notify.offer_changed(offer, kind="schedule")
        elif offer.is_published:
            notify.offer_changed(offer, kind="details")
    else:
        record("offer.created", offer)
    return offer


def create_offer(
    data: OfferData, *, partner: Partner, user, speaker_id: int = 0, publish_now: bool = False
) -> Offer:
    """A new offer (see `save_offer`), with the partner asked to speak at it, and published at
    once when asked. A refusal raises OfferError; the caller rolls back what was flushed."""
    offer = save_offer(None, data, partner=partner, user=user)
    speaker = db.session.get(Partner, speaker_id) if speaker_id else None
    if speaker is not None:
        set_organiser(offer, speaker, OrganiserRole.SPEAKER)
    if publish_now:
        publish(offer)
    return offer


def _schedule_signature(offer: Offer) -> tuple:
    return (
        offer.start_date,
        offer.start_time,
        offer.end_time,
        offer.rrule,
        offer.location_id,
        offer.skip_public_holidays,
        offer.skip_school_holidays,
        offer.skip_closures,
    )


def _key(moment: datetime) -> str:
    return f"{to_local(moment):%Y-%m-%dT%H:%M}"


def sync_sessions(
    offer: Offer, *, since: datetime | None = None, until: datetime | None = None
) -> dict:
    """Make the sessions whose planned moment lies from `since` (default: now) up to the horizon
    match the schedule.

    Sessions are matched by their occurrence (the rule's planned local start), not by where they
    are now, so a moved session is never mistaken for a missing one. Cancelled and moved sessions
    keep their state; a planned session the schedule no longer has is removed, unless something
    already hangs on it (a headcount), then it is cancelled. Nothing outside the window changes.
    """
    low, high = _key(since or utcnow()), _key(until or utcnow() + HORIZON)
    try:
        occurrences = expand(
            start_date=offer.start_date,
            start_time=offer.start_time,
            end_time=offer.end_time,
            rule=offer.rrule,
            exclusions=exclusions_for(offer),
        )
    except ScheduleError:  # a rule stored before today's checks: its sessions stay as they are
        log.warning("offer %s: stored schedule cannot be expanded; sessions left alone", offer.id)
        return {"created": 0, "removed": 0}
    wanted = {o.key: o for o in occurrences if low <= o.key < high}
    existing = {
        s.occurrence: s
        for s in db.session.execute(
            select(ActivitySession).where(
                ActivitySession.offer_id == offer.id,
                ActivitySession.occurrence >= low,
                ActivitySession.occurrence < high,
            )
        ).scalars()
    }
    created = removed = 0
    for key, occurrence in wanted.items():
        session = existing.get(key)
        if session is None:
            db.session.add(
                ActivitySession(
                    offer_id=offer.id,
                    occurrence=key,
                    starts_at=occurrence.starts_at,
                    ends_at=occurrence.ends_at,
                )
            )
            created += 1
        elif not session.moved:
            session.starts_at, session.ends_at = occurrence.starts_at, occurrence.ends_at
    for key, session in existing.items():
        if key in wanted or session.moved:
            continue
        if _has_history(session):
            session.status = SessionStatus.CANCELLED
            session.note = session.note or _("No longer in the schedule")
        else:
            db.session.delete(session)
        removed += 1
    db.session.flush()
    return {"created": created, "removed": removed}


def _has_history(session: ActivitySession) -> bool:
    """A session something hangs on (a headcount, a referral) is cancelled, never deleted."""

    return db.session.execute(
        select(
            exists().where(Headcount.session_id == session.id)
            | exists().where(Referral.session_id == session.id)
        )
    ).scalar()


def publish(offer: Offer) -> None:
    if offer.published_at is None:
        offer.published_at = utcnow()
        record("offer.published", offer)


def unpublish(offer: Offer) -> None:
    if offer.published_at is not None:
        offer.published_at = None
        record("offer.unpublished", offer)
        notify.offer_changed(offer, kind="unpublished")


def hide(offer: Offer, reason: str) -> None:
    offer.hidden_at = utcnow()
    offer.hidden_reason = reason.strip()[:300]
    record("offer.hidden", offer)


def unhide(offer: Offer) -> None:
    offer.hidden_at = None
    offer.hidden_reason = ""
    record("offer.shown", offer)


def has_started(session: ActivitySession) -> bool:
    return session.starts_at <= utcnow()


def ensure_not_started(session: ActivitySession) -> None:
    if has_started(session):
        raise OfferError(
            _(
                "A session that has started or is over cannot be cancelled or restored; "
                "a steward can correct its record, with a reason."
            ),
            "reason",
        )


def cancel_session(session: ActivitySession, reason: str) -> None:
    """Cancel a coming session and tell co-organisers and followers; never one that started."""
    ensure_not_started(session)
    if session.is_cancelled:
        return
    session.status = SessionStatus.CANCELLED
    session.note = reason.strip()[:300]
    record("session.cancelled", session)
    if session.offer.is_published:
        notify.session_changed(session, kind="cancelled")


def restore_session(session: ActivitySession) -> None:
    ensure_not_started(session)
    session.status = SessionStatus.SCHEDULED
    session.note = ""
    record("session.restored", session)


def correct_past_session(session: ActivitySession, *, held: bool, reason: str) -> None:
    """The steward corrects the record of a session that has started: it did (not) take place.
    The reason is required and shown on the session; nobody is e-mailed about the past."""
    reason = reason.strip()
    if not has_started(session):
        raise OfferError(_("This session has not started yet: cancel it instead."), "reason")
    if not reason:
        raise OfferError(_("Give the reason for the correction."), "reason")
    session.status = SessionStatus.SCHEDULED if held else SessionStatus.CANCELLED
    session.note = reason[:300]
    record("session.corrected", session, held=held)


def move_session(
    session: ActivitySession,
    *,
    day: date,
    start_time: time,
    end_time: time,
    location_id: int | None,
) -> None:
    if session.is_cancelled:
        raise OfferError(_("A cancelled session cannot be moved; let it take place first."), "day")
    if end_time <= start_time:
        raise OfferError(_("The end time must be after the start time."), "end_time")
    if location_id is not None and db.session.get(Location, location_id) is None:
        raise OfferError(_("Unknown location: choose one of the network's places."), "location_id")
    starts_at = to_utc(datetime.combine(day, start_time))
    if starts_at < utcnow():
        raise OfferError(_("A session can only be moved to a moment in the future."), "day")
    session.starts_at = starts_at
    session.ends_at = to_utc(datetime.combine(day, end_time))
    session.location_id = location_id if location_id != session.offer.location_id else None
    session.moved = True
    record("session.moved", session)
    if session.offer.is_published:
        notify.session_changed(session, kind="moved")


def set_organiser(offer: Offer, partner: Partner, role: OrganiserRole) -> OfferPartner:
    if partner.id == offer.partner_id:
        raise OfferError(
            _("The organising partner is already part of this activity."), "partner_id"
        )
    if partner.state != PartnerState.ACTIVE:
        raise OfferError(_("Only active partners can take part in an activity."), "partner_id")
    link = db.session.execute(
        select(OfferPartner).where(
            OfferPartner.offer_id == offer.id, OfferPartner.partner_id == partner.id
        )
    ).scalar_one_or_none()
    if link is not None and link.role == role:
        return link  # asking again changes nothing, and keeps a speaker's answer
    if link is None:
        link = OfferPartner(offer_id=offer.id, partner_id=partner.id, role=role)
        db.session.add(link)
    link.role = role
    link.answer = Answer.INVITED if role == OrganiserRole.SPEAKER else Answer.CONFIRMED
    link.answered_at = None
    db.session.flush()
    record("offer.organiser_set", offer, role=str(role))
    notify.organiser_invited(offer, link)
    return link


def remove_organiser(link: OfferPartner) -> None:
    record("offer.organiser_removed", link.offer, role=str(link.role))
    db.session.delete(link)


def speaker_link(offer: Offer, partner_ids: set[int]) -> OfferPartner | None:
    """The invitation to speak at the offer of one of these partners, if there is one."""
    return next(
        (
            link
            for link in offer.organisers
            if link.partner_id in partner_ids and link.role == OrganiserRole.SPEAKER
        ),
        None,
    )


def answer_speaker(link: OfferPartner, confirm: bool) -> None:
    link.answer = Answer.CONFIRMED if confirm else Answer.DECLINED
    link.answered_at = utcnow()
    record("offer.speaker_answered", link.offer, answer=str(link.answer))
    notify.speaker_answered(link)


def follow(offer: Offer, user_id: int, on: bool) -> None:
    row = db.session.execute(
        select(OfferFollower).where(
            OfferFollower.offer_id == offer.id, OfferFollower.user_id == user_id
        )
    ).scalar_one_or_none()
    if on and row is None:
        db.session.add(OfferFollower(offer_id=offer.id, user_id=user_id))
    elif not on and row is not None:
        db.session.delete(row)


def is_following(offer: Offer, user_id: int) -> bool:
    return db.session.execute(
        select(exists().where(OfferFollower.offer_id == offer.id, OfferFollower.user_id == user_id))
    ).scalar()


def record_headcount(
    session: ActivitySession, numbers: dict[str, int], user_id: int | None
) -> Headcount:
    if session.is_cancelled:
        raise OfferError(_("A cancelled session has no attendance."), "adults")
    if session.starts_at > utcnow():
        raise OfferError(_("Attendance can be recorded once the session has started."), "adults")
    if any(v < 0 or v > 10000 for v in numbers.values()):
        raise OfferError(_("The numbers must be between 0 and 10000."), "adults")
    row = Headcount(session_id=session.id, recorded_by_id=user_id, **numbers)
    db.session.add(row)
    db.session.flush()
    record("headcount.recorded", session)
    return row


def headcount_history(session_id: int) -> list[Headcount]:
    return list(
        db.session.execute(
            select(Headcount)
            .where(Headcount.session_id == session_id)
            .order_by(Headcount.id.desc())
        ).scalars()
    )
