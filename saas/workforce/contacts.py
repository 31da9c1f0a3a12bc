"""Schools' fixed contacts: which workers suit a school's wish (`saas.workforce.matching` ranks
them), and the contact the coordinator confirms. Changes flush; the request commits."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from saas.audit.services import record
from saas.extensions import db
from saas.partners.models import Partner
from saas.workforce import matching
from saas.workforce.cards import card_on
from saas.workforce.errors import WorkforceError
from saas.workforce.models import FixedContact, SchoolWish, WorkerProfile
from saas.workforce.staff import workers


def promised_minutes() -> dict[int, int]:
    """Weekly minutes each worker already gives the schools they are the fixed contact of."""
    rows = db.session.execute(
        select(FixedContact.worker_id, SchoolWish.hours_per_week).join(
            SchoolWish, SchoolWish.partner_id == FixedContact.partner_id
        )
    ).all()
    promised: dict[int, int] = defaultdict(int)
    for worker_id, hours in rows:
        promised[worker_id] += hours * 60
    return promised


def suggestions(wish: SchoolWish, today: date) -> list[tuple[WorkerProfile, matching.Suggestion]]:
    team = {w.id: w for w in workers()}
    promised = promised_minutes()
    current = db.session.execute(
        select(FixedContact.worker_id).where(FixedContact.partner_id == wish.partner_id)
    ).scalar_one_or_none()
    candidates = []
    for w in team.values():
        card = card_on(w, today)
        free = w.contract_minutes - promised.get(w.id, 0)
        if w.id == current:
            free += wish.hours_per_week * 60
        candidates.append(
            matching.Candidate(
                id=w.id,
                skills=frozenset(w.skill_list),
                languages=frozenset(w.language_list),
                home_area=w.home_area,
                max_travel_km=w.max_travel_km,
                grid=card.grid if card else None,
                free_minutes=free,
            )
        )
    target = matching.Wish(
        tasks=frozenset(wish.task_list),
        languages=frozenset(wish.language_list),
        neighbourhood=wish.neighbourhood,
        weekdays=tuple(wish.weekday_list),
        start_hour=wish.start_time.hour,
        end_hour=wish.end_time.hour + (1 if wish.end_time.minute else 0),
        hours_per_week=wish.hours_per_week,
    )
    return [(team[s.worker_id], s) for s in matching.suggest(candidates, target)]


def contact_for(partner_id: int) -> FixedContact | None:
    return db.session.execute(
        select(FixedContact).where(FixedContact.partner_id == partner_id)
    ).scalar_one_or_none()


def confirm_contact(partner: Partner, worker_id: int | None, by_user_id: int) -> WorkerProfile:
    """Make the team's active worker `worker_id` the school's fixed contact; that worker."""
    worker = db.session.execute(
        select(WorkerProfile).where(WorkerProfile.id == worker_id, WorkerProfile.active.is_(True))
    ).scalar_one_or_none()
    if worker is None:
        raise WorkforceError(_("Choose a worker of the team."))
    contact = contact_for(partner.id)
    if contact is None:
        contact = FixedContact(partner_id=partner.id, worker_id=worker.id)
        db.session.add(contact)
    contact.worker_id = worker.id
    contact.confirmed_by_id = by_user_id
    db.session.flush()
    record("workforce.contact_confirmed", partner, worker_id=worker.id)
    return worker
