"""Workforce operations: cards, demand, fixed contacts, rosters (they change and flush; the
request commits)."""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from saas.catalogue.models import ActivitySession, Offer, OfferPartner, SessionStatus
from saas.catalogue.schedule import to_local, to_utc
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import SPOKEN_LANGUAGES
from saas.workforce import geo, matching, solver
from saas.workforce.models import (
    Assignment,
    FixedContact,
    FlexibilityCard,
    Roster,
    RosterStatus,
    SchoolWish,
    StaffingNeed,
    TeamSlot,
    WorkerProfile,
)

SKILLS = (
    "reading_aloud",
    "game_facilitation",
    "tablets",
    "bike_trainer",
    "cooking",
    "crafts",
    "baby_massage",
    "homework_help",
    "sport_dance",
    "home_visits",
)
TRAININGS = ("reading_aloud", "tablets", "social_map", "father_involvement", "bike_trainer")
LANGUAGES = tuple(code for code, _name in SPOKEN_LANGUAGES)


class WorkforceError(ValueError):
    """A change refused with a message the coordinator can act on; nothing was changed."""


# --- flexibility cards -------------------------------------------------------------------


def check_grid(grid: str) -> str:
    if len(grid) != solver.CELLS:
        raise WorkforceError(_("The card needs a colour for every hour of the week."))
    unknown = set(grid) - set(solver.COLOURS)
    if unknown:
        raise WorkforceError(_("The card holds an unknown colour: only red, orange and green."))
    return grid


def cards(worker: WorkerProfile) -> list[FlexibilityCard]:
    return list(
        db.session.execute(
            select(FlexibilityCard)
            .where(FlexibilityCard.worker_id == worker.id)
            .order_by(FlexibilityCard.valid_from.desc())
        ).scalars()
    )


def card_on(worker: WorkerProfile, day: date) -> FlexibilityCard | None:
    return db.session.execute(
        select(FlexibilityCard)
        .where(FlexibilityCard.worker_id == worker.id, FlexibilityCard.valid_from <= day)
        .order_by(FlexibilityCard.valid_from.desc())
        .limit(1)
    ).scalar_one_or_none()


def save_card(
    worker: WorkerProfile, grid: str, valid_from: date, reason: str, by_user_id: int | None
) -> FlexibilityCard:
    """A new card from `valid_from` on. History is kept: a new card must start after the newest."""
    check_grid(grid)
    newest = db.session.execute(
        select(FlexibilityCard.valid_from)
        .where(FlexibilityCard.worker_id == worker.id)
        .order_by(FlexibilityCard.valid_from.desc())
        .limit(1)
    ).scalar_one_or_none()
    if newest is not None and valid_from <= newest:
        raise WorkforceError(
            _(
                "This card would overlap the card valid from %(day)s: a new card starts after it.",
                day=newest.strftime("%d/%m/%Y"),
            )
        )
    card = FlexibilityCard(
        worker_id=worker.id,
        grid=grid,
        valid_from=valid_from,
        private_reason=reason.strip()[:2000],
        created_by_id=by_user_id,
    )
    db.session.add(card)
    db.session.flush()
    return card


def new_feed_token(worker: WorkerProfile) -> str:
    worker.feed_token = secrets.token_urlsafe(24)
    return worker.feed_token


# --- people and demand ---------------------------------------------------------------------


def workers(active_only: bool = True) -> list[WorkerProfile]:
    query = select(WorkerProfile).options(selectinload(WorkerProfile.user))
    if active_only:
        query = query.where(WorkerProfile.active.is_(True))
    rows = list(db.session.execute(query).scalars())
    return sorted(rows, key=lambda w: w.name.lower())


def worker_for_user(user_id: int) -> WorkerProfile | None:
    return db.session.execute(
        select(WorkerProfile).where(WorkerProfile.user_id == user_id)
    ).scalar_one_or_none()


def save_need(offer: Offer, workers_needed: int, skills: list[str], languages: list[str]):
    team = len(workers())
    if workers_needed < 1:
        raise WorkforceError(_("A session needs at least one worker."))
    if workers_needed > team:
        raise WorkforceError(
            _(
                "A session cannot need %(n)d workers: the team has %(team)d.",
                n=workers_needed,
                team=team,
            )
        )
    need = db.session.execute(
        select(StaffingNeed).where(StaffingNeed.offer_id == offer.id)
    ).scalar_one_or_none()
    if need is None:
        need = StaffingNeed(offer_id=offer.id)
        db.session.add(need)
    need.workers = workers_needed
    need.skills = ",".join(s for s in skills if s in SKILLS)
    need.languages = ",".join(code for code in languages if code in LANGUAGES)
    db.session.flush()
    return need


def team_slots() -> list[TeamSlot]:
    return list(db.session.execute(select(TeamSlot).order_by(TeamSlot.weekday)).scalars())


# --- matching workers to schools -------------------------------------------------------------


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


def confirm_contact(partner_id: int, worker: WorkerProfile, by_user_id: int) -> FixedContact:
    contact = db.session.execute(
        select(FixedContact).where(FixedContact.partner_id == partner_id)
    ).scalar_one_or_none()
    if contact is None:
        contact = FixedContact(partner_id=partner_id, worker_id=worker.id)
        db.session.add(contact)
    contact.worker_id = worker.id
    contact.confirmed_by_id = by_user_id
    db.session.flush()
    return contact


# --- rosters -----------------------------------------------------------------------------------


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def create_roster(starts_on: date, weeks: int, by_user_id: int | None) -> Roster:
    if not 1 <= weeks <= 8:
        raise WorkforceError(_("A roster covers one to eight weeks."))
    start = monday(starts_on)
    roster = Roster(
        starts_on=start, ends_on=start + timedelta(weeks=weeks), created_by_id=by_user_id
    )
    db.session.add(roster)
    db.session.flush()
    return roster


def roster_sessions(roster: Roster) -> list[tuple[ActivitySession, StaffingNeed]]:
    """The period's sessions that need staff (not cancelled), with what they need."""
    start = to_utc(datetime.combine(roster.starts_on, time()))
    end = to_utc(datetime.combine(roster.ends_on, time()))
    rows = db.session.execute(
        select(ActivitySession, StaffingNeed)
        .join(StaffingNeed, StaffingNeed.offer_id == ActivitySession.offer_id)
        .where(
            ActivitySession.starts_at >= start,
            ActivitySession.starts_at < end,
            ActivitySession.status == SessionStatus.SCHEDULED,
        )
        .options(
            selectinload(ActivitySession.offer).selectinload(Offer.location),
            selectinload(ActivitySession.moved_location),
        )
        .order_by(ActivitySession.starts_at)
    ).all()
    return [(s, n) for s, n in rows]


def _shift(session: ActivitySession, need: StaffingNeed, preferred: frozenset[int]):
    start, end = to_local(session.starts_at), to_local(session.ends_at)
    end_minute = end.hour * 60 + end.minute if end.date() == start.date() else 24 * 60
    return solver.Shift(
        id=session.id,
        day=start.date(),
        start=start.hour * 60 + start.minute,
        end=end_minute,
        place=session.place.id,
        need=need.workers,
        skills=frozenset(need.skill_list),
        languages=frozenset(need.language_list),
        preferred=preferred,
    )


def _contacts_by_offer(offer_ids: list[int]) -> dict[int, frozenset[int]]:
    contacts = dict(
        db.session.execute(select(FixedContact.partner_id, FixedContact.worker_id)).all()
    )
    partners: dict[int, set[int]] = defaultdict(set)
    for offer_id, partner_id in db.session.execute(
        select(Offer.id, Offer.partner_id).where(Offer.id.in_(offer_ids))
    ):
        partners[offer_id].add(partner_id)
    for offer_id, partner_id in db.session.execute(
        select(OfferPartner.offer_id, OfferPartner.partner_id).where(
            OfferPartner.offer_id.in_(offer_ids)
        )
    ):
        partners[offer_id].add(partner_id)
    return {
        offer_id: frozenset(contacts[p] for p in ps if p in contacts)
        for offer_id, ps in partners.items()
    }


def solver_worker(w: WorkerProfile, all_cards: list[FlexibilityCard]) -> solver.Worker:
    return solver.Worker(
        id=w.id,
        contract_minutes=w.contract_minutes,
        skills=frozenset(w.skill_list),
        languages=frozenset(w.language_list),
        cards=tuple((c.valid_from, c.grid) for c in all_cards if c.worker_id == w.id),
    )


@dataclass
class Built:
    instance: solver.Instance
    sessions: dict[int, ActivitySession]
    workers: dict[int, WorkerProfile]


def build_instance(roster: Roster, *, time_limit: float = 20.0, num_workers: int = 8) -> Built:
    """The plain-data instance of a roster: its sessions, the team's cards, locks and a hint."""
    pairs = roster_sessions(roster)
    team = {w.id: w for w in workers()}
    all_cards = list(db.session.execute(select(FlexibilityCard)).scalars())
    contacts = _contacts_by_offer(sorted({s.offer_id for s, _n in pairs}))
    shifts = [_shift(s, n, contacts.get(s.offer_id, frozenset())) for s, n in pairs]
    places = {s.place.id: s.place.neighbourhood for s, _n in pairs}
    travel = {
        (a, b): geo.travel_minutes(na, nb)
        for a, na in places.items()
        for b, nb in places.items()
        if a < b
    }
    current = list(
        db.session.execute(select(Assignment).where(Assignment.roster_id == roster.id)).scalars()
    )
    locks = frozenset((a.worker_id, a.session_id) for a in current if a.locked)
    hint = frozenset((a.worker_id, a.session_id) for a in current) or _previous_hint(roster)
    slots = tuple(
        solver.TeamSlot(
            t.weekday,
            t.start_time.hour * 60 + t.start_time.minute,
            t.end_time.hour * 60 + t.end_time.minute,
        )
        for t in team_slots()
    )
    instance = solver.Instance(
        workers=[solver_worker(w, all_cards) for w in team.values()],
        shifts=shifts,
        travel=travel,
        locks=locks,
        hint=hint,
        team_slots=slots,
        time_limit=time_limit,
        num_workers=num_workers,
    )
    return Built(instance, {s.id: s for s, _n in pairs}, team)


def _previous_hint(roster: Roster) -> frozenset[tuple[int, int]]:
    """Continuity with the last published roster: the same worker on the same weekly session."""
    previous = db.session.execute(
        select(Roster)
        .where(Roster.status == RosterStatus.PUBLISHED, Roster.starts_on < roster.starts_on)
        .order_by(Roster.starts_on.desc(), Roster.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if previous is None:
        return frozenset()
    rows = db.session.execute(
        select(Assignment.worker_id, ActivitySession.offer_id, ActivitySession.starts_at)
        .join(ActivitySession, ActivitySession.id == Assignment.session_id)
        .where(Assignment.roster_id == previous.id)
    ).all()
    habit = {(offer_id, to_local(at).weekday()): w for w, offer_id, at in rows}
    hint = set()
    for session, _need in roster_sessions(roster):
        worker = habit.get((session.offer_id, to_local(session.starts_at).weekday()))
        if worker is not None:
            hint.add((worker, session.id))
    return frozenset(hint)


def apply_result(roster: Roster, built: Built, result: solver.Result) -> None:
    """Store a solve: the assignments (locked ones stay), its quality and what stays uncovered."""
    roster.solver_status = result.status
    roster.solve_seconds = round(result.wall, 2)
    roster.solved_at = utcnow()
    roster.refused_locks = [
        {"worker": w, "session": s, "reason": r} for w, s, r in result.refused_locks
    ]
    if result.status not in ("optimal", "feasible"):
        roster.status = RosterStatus.FAILED
        roster.objective = roster.best_bound = None
        return
    roster.objective = result.objective
    roster.best_bound = result.bound
    roster.uncovered = [
        {"session": u.shift_id, "missing": u.missing, "reasons": u.reasons}
        for u in result.uncovered
    ]
    locked = {
        (a.worker_id, a.session_id)
        for a in db.session.execute(
            select(Assignment).where(Assignment.roster_id == roster.id, Assignment.locked.is_(True))
        ).scalars()
    }
    db.session.execute(
        delete(Assignment).where(Assignment.roster_id == roster.id, Assignment.locked.is_(False))
    )
    orange = set(result.orange)
    shifts = {s.id: s for s in built.instance.shifts}
    for w, s in result.assignments:
        if (w, s) in locked:
            continue
        db.session.add(
            Assignment(
                roster_id=roster.id,
                session_id=s,
                worker_id=w,
                orange=(w, s) in orange,
                minutes=shifts[s].minutes,
            )
        )
    roster.status = RosterStatus.SOLVED if roster.published_at is None else RosterStatus.PUBLISHED
    db.session.flush()


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


def hard_rule_problem(built: Built, worker_id: int, shift: solver.Shift, current) -> str | None:
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


def publish(roster: Roster) -> list[WorkerProfile]:
    """Publish: every worker on the roster hears of it once."""
    from saas.notifications.center import notify
    from saas.urls import absolute_url

    if roster.status not in (RosterStatus.SOLVED, RosterStatus.PUBLISHED):
        raise WorkforceError(_("Only a solved roster can be published."))
    roster.status = RosterStatus.PUBLISHED
    roster.published_at = utcnow()
    ids = set(
        db.session.execute(
            select(Assignment.worker_id).where(Assignment.roster_id == roster.id)
        ).scalars()
    )
    people = [w for w in workers(active_only=False) if w.id in ids]
    from tenants.access import current_network

    link = absolute_url("social_economy.my_week", slug=current_network().slug)
    for worker in people:
        notify(
            worker.user,
            kind="roster_published",
            link=link,
            roster=roster,
            last_day=roster.ends_on - timedelta(days=1),
        )
    db.session.flush()
    return people


@dataclass
class WorkerLoad:
    worker: WorkerProfile
    minutes: int
    orange_minutes: int
    contract_minutes: int  # over the roster's weeks


def coverage(roster: Roster) -> dict:
    """Filled and unfilled sessions, hours per worker against contract, orange hours used."""
    pairs = roster_sessions(roster)
    assignments = list(
        db.session.execute(
            select(Assignment)
            .where(Assignment.roster_id == roster.id)
            .options(selectinload(Assignment.worker).selectinload(WorkerProfile.user))
        ).scalars()
    )
    by_session: dict[int, list[Assignment]] = defaultdict(list)
    for a in assignments:
        by_session[a.session_id].append(a)
    weeks = (roster.ends_on - roster.starts_on).days // 7
    loads = []
    for w in workers():
        mine = [a for a in assignments if a.worker_id == w.id]
        loads.append(
            WorkerLoad(
                w,
                sum(a.minutes for a in mine),
                sum(a.minutes for a in mine if a.orange),
                w.contract_minutes * weeks,
            )
        )
    rows = [(s, n, by_session.get(s.id, [])) for s, n in pairs]
    unfilled = [(s, n, got) for s, n, got in rows if len(got) < n.workers]
    return {"rows": rows, "unfilled": unfilled, "loads": loads}


def my_assignments(worker: WorkerProfile, start: date, end: date) -> list[Assignment]:
    """A worker's assignments on published rosters between two dates."""
    return list(
        db.session.execute(
            select(Assignment)
            .join(Roster, Roster.id == Assignment.roster_id)
            .join(ActivitySession, ActivitySession.id == Assignment.session_id)
            .where(
                Assignment.worker_id == worker.id,
                Roster.status == RosterStatus.PUBLISHED,
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
