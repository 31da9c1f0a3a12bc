"""The referral lifecycle (after FHIR's Task states): who may move it where, with what, and who hears.

draft → sent → received → accepted → in progress → completed
                       ↘ declined (a reason)     ↘ closed without contact
the sender may cancel while it is open.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import g
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from saas.audit.services import record
from saas.catalogue.models import ActivitySession, Offer
from saas.catalogue.schedule import TZ, is_public_holiday, to_local
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner, PartnerState
from saas.referrals import notify
from saas.referrals.models import (
    CONSENT_GIVERS,
    CONTACT_WAYS,
    Consent,
    DeclineReason,
    Outcome,
    Referral,
    ReferralEvent,
    ReferralMessage,
    Status,
)
from saas.text import too_long
from tenants.access import current_network
from tenants.context import current_network_id
from tenants.models import Network

MAX_MESSAGE = 1000


class ReferralError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class FamilyData:
    family_label: str
    question: str
    contact_way: str = "sender"
    contact_value: str = ""
    age_bands: list[str] | None = None
    languages: list[str] | None = None
    neighbourhood: str = ""
    themes: list[str] | None = None
    preferred_days: list[str] | None = None
    preferred_times: list[str] | None = None
    urgent: bool = False


@dataclass
class ConsentData:
    given_by: str
    purpose: str


# --- who may see and do what ---------------------------------------------------------------

SENDER_MOVES = {
    Status.DRAFT: {Status.SENT, Status.CANCELLED},
    Status.SENT: {Status.CANCELLED},
    Status.RECEIVED: {Status.CANCELLED},
    Status.ACCEPTED: {Status.CANCELLED},
    Status.IN_PROGRESS: {Status.CANCELLED},
}
RECEIVER_MOVES = {
    Status.SENT: {Status.ACCEPTED, Status.DECLINED},
    Status.RECEIVED: {Status.ACCEPTED, Status.DECLINED},
    Status.ACCEPTED: {Status.IN_PROGRESS, Status.COMPLETED, Status.CLOSED},
    Status.IN_PROGRESS: {Status.COMPLETED, Status.CLOSED},
}


def side(referral: Referral, partner_ids: set[int]) -> str | None:
    """'sender', 'receiver' or None: nobody else may even know the referral exists."""
    if referral.from_partner_id in partner_ids:
        return "sender"
    if referral.to_partner_id in partner_ids and referral.status != Status.DRAFT:
        return "receiver"
    return None


def allowed_moves(referral: Referral, who: str | None) -> set[Status]:
    table = SENDER_MOVES if who == "sender" else RECEIVER_MOVES if who == "receiver" else {}
    return table.get(Status(referral.status), set())


@dataclass(frozen=True)
class Opened:
    """A referral opened by one of its two partners' people."""

    referral: Referral
    side: str  # "sender" or "receiver"
    partner_id: int  # the partner they act for on that side


def open_as(referral_id: int, partner_ids: Collection[int]) -> Opened | None:
    """The referral as the people of `partner_ids` see it, or None when it is not in the network
    or neither side is theirs: only the sender's and the receiver's people ever learn that a
    referral exists."""
    referral = db.session.execute(
        select(Referral).where(Referral.id == referral_id)
    ).scalar_one_or_none()
    who = side(referral, set(partner_ids)) if referral is not None else None
    if who is None:
        return None
    partner_id = referral.from_partner_id if who == "sender" else referral.to_partner_id
    return Opened(referral=referral, side=who, partner_id=partner_id)


# --- creating ---------------------------------------------------------------------------------


def _clean_family(data: FamilyData) -> FamilyData:
    label = data.family_label.strip()
    if not label or len(label) > 60:
        raise ReferralError(
            _("Give the family a short label you will recognise (no full name needed)."),
            "family_label",
        )
    if not data.question.strip():
        raise ReferralError(_("Describe the family's question."), "question")
    if len(data.question) > 3000:
        raise ReferralError(_("The question is too long (at most 3000 characters)."), "question")
    if data.contact_way not in CONTACT_WAYS:
        raise ReferralError(_("Choose how the partner can reach the family."), "contact_way")
    if data.contact_way != "sender" and not data.contact_value.strip():
        raise ReferralError(
            _("Give the phone number or e-mail address the family agreed to share."),
            "contact_value",
        )
    if data.contact_way == "sender":
        data.contact_value = ""
    return data


def _family_columns(family: FamilyData) -> dict[str, str]:
    """The family's text as it is stored: stripped, themes lower-cased, lists joined."""
    return {
        "family_label": family.family_label.strip(),
        "contact_value": family.contact_value.strip(),
        "age_bands": ",".join(family.age_bands or []),
        "languages": ",".join(family.languages or []),
        "neighbourhood": family.neighbourhood.strip(),
        "question": family.question.strip(),
        "themes": ",".join(t.strip().lower() for t in family.themes or [] if t.strip()),
        "preferred_days": ",".join(family.preferred_days or []),
        "preferred_times": ",".join(family.preferred_times or []),
    }


def _check_lengths(family: dict[str, str], consent: dict[str, str]) -> None:
    """What is about to be stored fits its columns (themes lower-cased and joined may not)."""
    for model, values in ((Referral, family), (Consent, consent)):
        found = too_long(model, values)
        if found is None:
            continue
        name, length = found
        if name == "themes":
            raise ReferralError(
                _("The themes are too long together (at most %(n)d characters).", n=length),
                "themes",
            )
        field = "consent_purpose" if model is Consent else name  # as the forms call it
        raise ReferralError(_("This is too long (at most %(n)d characters).", n=length), field)


def _check_target(
    to_partner: Partner, from_partner: Partner, offer: Offer | None, session: ActivitySession | None
):
    if to_partner.state != PartnerState.ACTIVE:
        raise ReferralError(
            _("This partner cannot receive referrals at the moment."), "to_partner_id"
        )
    if to_partner.id == from_partner.id:
        raise ReferralError(
            _("You cannot refer a family to your own organisation."), "to_partner_id"
        )
    if (
        offer is not None
        and offer.partner_id != to_partner.id
        and to_partner.id not in {link.partner_id for link in offer.organisers}
    ):
        raise ReferralError(_("This activity is not offered by the chosen partner."), "offer_id")
    if session is not None:
        if offer is None or session.offer_id != offer.id:
            raise ReferralError(
                _("This session does not belong to the chosen activity."), "session_id"
            )
        if session.is_cancelled or session.starts_at <= utcnow():
            raise ReferralError(
                _("This session has already taken place or is cancelled."), "session_id"
            )
        if offer.capacity is not None and seats_held(session.id) >= offer.capacity:
            raise ReferralError(_("This session is full."), "session_id")


def seats_held(session_id: int) -> int:
    """The places referrals hold on the session: every open referral but a draft."""
    open_statuses = [s for s in Status if s.is_open and s != Status.DRAFT]
    return db.session.execute(
        select(func.count())
        .select_from(Referral)
        .where(Referral.session_id == session_id, Referral.status.in_(open_statuses))
    ).scalar_one()


def _hold_seat(session_id: int) -> None:
    """Take one of the session's places for a referral being sent, or refuse: the session is
    locked before the places are counted, so of two referrals sent at once for the last place
    one waits for the other and then finds it taken."""
    capacity = db.session.execute(
        select(Offer.capacity)
        .join(ActivitySession, ActivitySession.offer_id == Offer.id)
        .where(ActivitySession.id == session_id)
    ).scalar_one_or_none()
    if capacity is None:
        return
    _lock_session(session_id)
    if seats_held(session_id) >= capacity:
        raise ReferralError(_("This session is full."), "session_id")


def _lock_session(session_id: int) -> None:
    """Hold the session's row until the transaction ends. PostgreSQL: a row lock, NO KEY UPDATE
    because the referral just written holds a key-share lock on the session it points to, which
    FOR UPDATE would wait for (two senders, a deadlock). SQLite has no row locks: a write (that
    changes nothing) takes its one database-wide write lock, which no other connection gets
    before this transaction ends, so the count that follows is the last word."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            select(ActivitySession.id)
            .where(ActivitySession.id == session_id)
            .with_for_update(key_share=True)
        )
    else:
        db.session.execute(
            update(ActivitySession)
            .where(ActivitySession.id == session_id)
            .values(id=ActivitySession.id)
            .execution_options(synchronize_session=False)
        )


def create(
    *,
    from_partner: Partner,
    to_partner: Partner,
    family: FamilyData,
    consent: ConsentData | None,
    user,
    offer: Offer | None = None,
    session: ActivitySession | None = None,
    send: bool = True,
) -> Referral:
    family = _clean_family(family)
    _check_target(to_partner, from_partner, offer, session)
    if send and consent is None:
        raise ReferralError(_("A referral can only be sent with the family's consent."), "consent")
    if consent is not None:
        if consent.given_by not in CONSENT_GIVERS:
            raise ReferralError(_("Say who gave consent."), "consent_given_by")
        if not consent.purpose.strip():
            raise ReferralError(_("Say what the family agreed to."), "consent_purpose")
    stored = _family_columns(family)
    purpose = consent.purpose.strip() if consent is not None else ""
    _check_lengths(stored, {"purpose": purpose} if consent is not None else {})
    referral = Referral(
        from_partner_id=from_partner.id,
        to_partner_id=to_partner.id,
        offer_id=offer.id if offer else None,
        session_id=session.id if session else None,
        created_by_id=user.id,
        status=Status.DRAFT,
        urgent=family.urgent,
        contact_way=family.contact_way,
        **stored,
    )
    db.session.add(referral)
    db.session.flush()
    if consent is not None:
        db.session.add(
            Consent(
                referral_id=referral.id,
                given_by=consent.given_by,
                given_at=utcnow(),
                recipient_partner_id=to_partner.id,
                purpose=purpose,
                recorded_by_id=user.id,
            )
        )
    _event(referral, "created", user, from_partner.id)
    record("referral.created", referral)
    if send:
        move(referral, Status.SENT, user=user, partner_id=from_partner.id)
    return referral


def create_from_choices(
    *, from_partner: Partner | None, to_partner_id: int, offer_id: int, session_id: int, **details
) -> Referral:
    """`create`, from what a form chose by id (0: no activity, no session): a partner, activity or
    session the network does not have is refused with a ReferralError at its field."""
    to_partner = db.session.execute(
        select(Partner).where(Partner.id == to_partner_id)
    ).scalar_one_or_none()
    offer = (
        db.session.execute(select(Offer).where(Offer.id == offer_id)).scalar_one_or_none()
        if offer_id
        else None
    )
    session = (
        db.session.execute(
            select(ActivitySession).where(ActivitySession.id == session_id)
        ).scalar_one_or_none()
        if session_id
        else None
    )
    if from_partner is None or to_partner is None:
        raise ReferralError(_("Choose a partner of the network."), "to_partner_id")
    if offer_id and offer is None:
        raise ReferralError(_("Unknown activity."), "offer_id")
    if session_id and session is None:
        raise ReferralError(_("Unknown session."), "session_id")
    return create(
        from_partner=from_partner, to_partner=to_partner, offer=offer, session=session, **details
    )


# --- moving through the lifecycle -------------------------------------------------------------


def _event(referral: Referral, kind: str, user, partner_id: int | None, code: str = "") -> None:
    db.session.add(
        ReferralEvent(
            referral_id=referral.id,
            kind=kind,
            status=referral.status,
            actor_id=getattr(user, "id", None),
            actor_partner_id=partner_id,
            code=code,
        )
    )


def working_days_after(start: datetime, days: int) -> datetime:
    """The end of the `days`-th working day after `start` (weekends and public holidays skipped)."""
    day = to_local(start).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() < 5 and not is_public_holiday(day):
            counted += 1
    return datetime.combine(day, time(23, 59), tzinfo=TZ)


def _target_days() -> int:

    network = g.get("network") or db.session.get(Network, current_network_id())
    try:
        return max(1, min(30, int((network.settings or {}).get("response_target_working_days", 5))))
    except (TypeError, ValueError):
        return 5


def move(
    referral: Referral,
    to: Status,
    *,
    user,
    partner_id: int,
    reason: str | None = None,
    outcome: str | None = None,
) -> None:
    """One step of the lifecycle, checked against the side the actor is on."""
    who = side(referral, {partner_id})
    if to not in allowed_moves(referral, who):
        raise ReferralError(_("This step is not possible now."), "status")
    if to == Status.SENT:
        consent = current_consent(referral)
        if consent is None:
            raise ReferralError(
                _("A referral can only be sent with the family's consent."), "consent"
            )
        if referral.session_id is not None:
            _hold_seat(referral.session_id)
    if to == Status.DECLINED:
        if reason not in {r.value for r in DeclineReason}:
            raise ReferralError(_("Choose a reason for declining."), "reason")
        referral.decline_reason = DeclineReason(reason)
    if to == Status.COMPLETED:
        if outcome not in {o.value for o in Outcome}:
            raise ReferralError(_("Choose the outcome."), "outcome")
        referral.outcome = Outcome(outcome)
    now = utcnow()
    referral.status = to
    if to == Status.SENT:
        referral.sent_at = now
        referral.response_due_at = working_days_after(now, _target_days())
    if to in {Status.ACCEPTED, Status.DECLINED} and referral.responded_at is None:
        referral.responded_at = now
    if not to.is_open:
        referral.closed_at = now
    _event(referral, to.value, user, partner_id, code=reason or outcome or "")
    record(f"referral.{to.value}", referral)
    notify.status_changed(referral, who=who)


def mark_received(referral: Referral, user, partner_id: int) -> None:
    """The receiver opened it for the first time."""
    if referral.status == Status.SENT:
        referral.status = Status.RECEIVED
        referral.received_at = utcnow()
        _event(referral, "received", user, partner_id)
        record("referral.received", referral)


def add_message(referral: Referral, body: str, *, user, partner_id: int) -> ReferralMessage:
    if not referral.is_open or referral.status == Status.DRAFT:
        raise ReferralError(_("Messages are only possible while the referral is open."), "body")
    text = body.strip()
    if not text or len(text) > MAX_MESSAGE:
        raise ReferralError(
            _("Write a message of at most %(n)d characters.", n=MAX_MESSAGE), "body"
        )
    message = ReferralMessage(
        referral_id=referral.id, author_id=user.id, author_partner_id=partner_id, body=text
    )
    db.session.add(message)
    _event(referral, "message", user, partner_id)
    record("referral.message", referral)
    notify.message_added(referral, from_side=side(referral, {partner_id}))
    return message


def current_consent(referral: Referral) -> Consent | None:
    return (
        db.session.execute(
            select(Consent)
            .where(Consent.referral_id == referral.id, Consent.withdrawn_at.is_(None))
            .order_by(Consent.id.desc())
        )
        .scalars()
        .first()
    )


def current_consents(referral_ids: Collection[int]) -> dict[int, Consent]:
    """`current_consent` of several referrals (a page of them) in one query, by referral id."""
    found = {}
    for consent in db.session.execute(
        select(Consent)
        .where(Consent.referral_id.in_(referral_ids), Consent.withdrawn_at.is_(None))
        .order_by(Consent.id)
    ).scalars():
        found[consent.referral_id] = consent  # the newest wins, as in current_consent
    return found


def withdraw_consent(referral: Referral, *, user, partner_id: int) -> None:
    """The family withdraws consent: its data leaves the referral, which is closed if open."""
    for consent in db.session.execute(
        select(Consent).where(Consent.referral_id == referral.id)
    ).scalars():
        consent.withdrawn_at = consent.withdrawn_at or utcnow()
    if referral.is_open:
        referral.status = Status.CANCELLED
        referral.closed_at = utcnow()
    anonymise(referral)
    _event(referral, "consent_withdrawn", user, partner_id)
    record("referral.consent_withdrawn", referral)


def close_for_erasure(referral: Referral, *, user) -> None:
    """The network removes the family's data from an open referral at the family's request: the
    referral ends as cancelled, and both partners learn it from their notices (no family data)."""
    referral.status = Status.CANCELLED
    referral.closed_at = utcnow()
    _event(referral, "erased", user, None)
    record("referral.cancelled", referral, reason="erasure")
    notify.closed_by_network(referral)


# What a family told, and what each field holds once it is erased: the one list for erasure
# (below) and for the network export that leaves families out (saas.portability.tables).
FAMILY_BLANKS: dict[str, str] = {
    "family_label": "",
    "contact_way": "sender",
    "contact_value": "",
    "age_bands": "",
    "languages": "",
    "neighbourhood": "",
    "question": "",
    "themes": "",
    "preferred_days": "",
    "preferred_times": "",
}


def anonymise(referral: Referral) -> None:
    """Remove everything about the family; keep the skeleton (partners, dates, states) for figures
    and the partners' messages as a trace (author and time, their text removed)."""
    for name, blank in FAMILY_BLANKS.items():
        setattr(referral, name, blank)
    referral.anonymised_at = utcnow()
    for consent in db.session.execute(
        select(Consent).where(Consent.referral_id == referral.id)
    ).scalars():
        consent.purpose = ""  # may describe the family's situation
    for message in db.session.execute(
        select(ReferralMessage).where(ReferralMessage.referral_id == referral.id)
    ).scalars():
        # The partners keep the trace of their own process (who wrote, when); the text goes,
        # since free text can name or describe the family in ways no filter recognises.
        message.body = ""


def timeline(referral: Referral) -> list[ReferralEvent]:
    """The referral's steps, oldest first, each with the person and the partner who took it."""
    return list(
        db.session.execute(
            select(ReferralEvent)
            .where(ReferralEvent.referral_id == referral.id)
            .options(selectinload(ReferralEvent.actor), selectinload(ReferralEvent.actor_partner))
            .order_by(ReferralEvent.id)
        ).scalars()
    )


def messages(referral: Referral) -> list[ReferralMessage]:
    """The referral's messages, oldest first, each with its author and the author's partner."""
    return list(
        db.session.execute(
            select(ReferralMessage)
            .where(ReferralMessage.referral_id == referral.id)
            .options(
                selectinload(ReferralMessage.author), selectinload(ReferralMessage.author_partner)
            )
            .order_by(ReferralMessage.id)
        ).scalars()
    )


RETENTION_MONTHS = 12


def retention_months() -> int:

    try:
        return max(
            1,
            min(
                120,
                int((current_network().settings or {}).get("retention_months", RETENTION_MONTHS)),
            ),
        )
    except (TypeError, ValueError):
        return RETENTION_MONTHS


def watch_deadlines(now: datetime | None = None) -> dict:
    """Remind receivers a working day before the target ends; mark lapsed answers (current network)."""
    now = now or utcnow()
    waiting = (
        db.session.execute(
            select(Referral).where(
                Referral.status.in_([Status.SENT, Status.RECEIVED]),
                Referral.responded_at.is_(None),
                Referral.response_due_at.is_not(None),
            )
        )
        .scalars()
        .all()
    )
    reminded = lapsed = 0
    for referral in waiting:
        if referral.response_due_at <= now:
            if not referral.lapsed:
                referral.lapsed = True
                _event(referral, "lapsed", None, None)
                lapsed += 1
        elif referral.reminded_at is None and referral.response_due_at - now <= timedelta(days=1):
            referral.reminded_at = now
            notify.reminder(referral)
            reminded += 1
    return {"reminded": reminded, "lapsed": lapsed}


def purge_closed(now: datetime | None = None) -> int:
    """Anonymise referrals closed longer ago than the network's retention period (current network)."""
    now = now or utcnow()
    limit = now - timedelta(days=round(30.44 * retention_months()))
    old = (
        db.session.execute(
            select(Referral).where(
                Referral.closed_at.is_not(None),
                Referral.closed_at < limit,
                Referral.anonymised_at.is_(None),
            )
        )
        .scalars()
        .all()
    )
    for referral in old:
        anonymise(referral)
        _event(referral, "anonymised", None, None)
    return len(old)
