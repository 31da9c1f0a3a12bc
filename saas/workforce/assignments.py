"""Assignments: a coordinator's own choice of worker for a session (checked against every hard
rule, locked so a re-solve keeps it), taking a worker off a session, locks, and a worker's own
assignments. Changes flush; the request commits."""

from __future__ import annotations

from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from saas.audit.services import record
from saas.catalogue.models import ActivitySession, Offer
from saas.catalogue.schedule import to_utc
from saas.extensions import db
from saas.workforce import solver
from saas.workforce.errors import WorkforceError
from saas.workforce.models import Assignment, Roster, WorkerProfile
from saas.workforce.rostered import rostered
from saas.workforce.rosters import Built, build_instance


def assign_by_hand(roster: Roster, worker_id: int | None, session_id: int | None) -> Assignment:
    """The coordinator puts a worker of the team on a session of the network (`manual_assign`)."""
    worker = db.session.execute(
        select(WorkerProfile).where(WorkerProfile.id == worker_id)
    ).scalar_one_or_none()
    session = db.session.execute(
        select(ActivitySession).where(ActivitySession.id == session_id)
    ).scalar_one_or_none()
    if worker is None or session is None:
        raise WorkforceError(_("Choose a worker and a session."))
    assignment = manual_assign(roster, worker, session)
    record("workforce.assigned", roster, worker_id=worker.id, session_id=session.id)
    return assignment


def manual_assign(roster: Roster, worker: WorkerProfile, session: ActivitySession) -> Assignment:
    """A coordinator's own choice, checked against every hard rule; locked so a re-solve keeps it."""
    built = build_instance(roster)
    shift = next((s for s in built.instance.shifts if s.id == session.id), None)
    if shift is None:
        raise WorkforceError(
            _("This session is not part of the roster's period or needs no staff.")
        )
    current = list(
        db.session.execute(select(Assignment).where(Assignment.roster_id == roster.id)).scalars()
    )
    if any(a.worker_id == worker.id and a.session_id == session.id for a in current):
        raise WorkforceError(_("%(name)s is already on this session.", name=worker.name))
    problem = hard_rule_problem(built, worker.id, shift, current)
    if problem:
        raise WorkforceError(problem)
    assignment = Assignment(
        roster_id=roster.id,
        session_id=session.id,
        worker_id=worker.id,
        locked=True,
        manual=True,
        orange=solver.shift_colour(_worker_in(built, worker.id), shift) == solver.ORANGE,
        minutes=shift.minutes,
    )
    db.session.add(assignment)
    db.session.flush()
    return assignment


def _worker_in(built: Built, worker_id: int) -> solver.Worker:
    return next(w for w in built.instance.workers if w.id == worker_id)


def hard_rule_problem(
    built: Built, worker_id: int, shift: solver.Shift, current: list[Assignment]
) -> str | None:
    """Why this worker may not take this shift next to the roster's other assignments, if so."""
    inst = built.instance
    if worker_id not in built.workers:
        return _("This worker is not active in the team.")
    worker = _worker_in(built, worker_id)
    name = built.workers[worker_id].name
    reason = solver.why_not(worker, shift, inst.team_slots)
    messages = {
        "red": _("%(name)s's flexibility card is red at this time: red hours are never scheduled."),
        "skills": _("%(name)s lacks a skill this session requires."),
        "languages": _("%(name)s speaks none of the languages this session requires."),
        "team_slot": _("This session falls in the team's intervisie."),
    }
    if reason:
        return messages[reason] % {"name": name}
    shifts = {s.id: s for s in inst.shifts}
    taken = sum(1 for a in current if a.session_id == shift.id)
    if taken >= shift.need:
        return _("This session already has the %(n)d workers it needs.", n=shift.need)
    own = [
        shifts[a.session_id] for a in current if a.worker_id == worker_id and a.session_id in shifts
    ]
    for other in own:
        first, second = sorted([other, shift], key=lambda s: (s.day, s.start))
        if solver._clash(inst, first, second):
            return _(
                "%(name)s is elsewhere then (or cannot get there in time, or would not rest "
                "long enough between two days).",
                name=name,
            )
    day = sum(s.minutes for s in own if s.day == shift.day) + shift.minutes
    if day > inst.max_day:
        return _("%(name)s would work more than the day allows.", name=name)
    week = shift.day.isocalendar()[:2]
    minutes = sum(s.minutes for s in own if s.day.isocalendar()[:2] == week) + shift.minutes
    if minutes > worker.contract_minutes * (1 + inst.contract_band):
        return _("%(name)s would work more hours that week than the contract allows.", name=name)
    return None


def set_lock(assignment: Assignment, locked: bool) -> None:
    if locked:
        roster = db.session.get(Roster, assignment.roster_id)
        built = build_instance(roster)
        shift = next((s for s in built.instance.shifts if s.id == assignment.session_id), None)
        worker = next((w for w in built.instance.workers if w.id == assignment.worker_id), None)
        if shift is None or worker is None:
            raise WorkforceError(_("This assignment can no longer be locked."))
        if solver.shift_colour(worker, shift) == solver.RED:
            raise WorkforceError(
                _("This assignment falls in a red hour of the card and cannot be locked.")
            )
    assignment.locked = locked


def remove(roster: Roster, assignment: Assignment) -> None:
    """Take the worker off the session (a new solve may fill it again)."""
    db.session.delete(assignment)
    db.session.flush()
    record("workforce.unassigned", roster, session_id=assignment.session_id)


def my_assignments(worker: WorkerProfile, start: date, end: date) -> list[Assignment]:
    """A worker's assignments that count (`rostered`: published, not taken over by a newer
    roster) on sessions between two dates: each session once."""
    return list(
        db.session.execute(
            rostered(select(Assignment))
            .where(
                Assignment.worker_id == worker.id,
                ActivitySession.starts_at >= to_utc(datetime.combine(start, time())),
                ActivitySession.starts_at < to_utc(datetime.combine(end, time())),
            )
            .options(
                selectinload(Assignment.session)
                .selectinload(ActivitySession.offer)
                .selectinload(Offer.location),
                selectinload(Assignment.session).selectinload(ActivitySession.moved_location),
            )
            .order_by(ActivitySession.starts_at)
        ).scalars()
    )
