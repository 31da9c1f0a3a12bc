"""Rosters: create one (and ask for its solve), build the solver's plain-data instance of it,
store a solve, publish it, and how well it covers the sessions. Changes flush; the request
commits; a solve is only asked for here (`solving.request_solve`): the relay hands it to RQ once
the request has committed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from saas.audit.services import record
from saas.bounds import date_allowed, date_bounds_message
from saas.catalogue.models import ActivitySession, Offer, OfferPartner, SessionStatus
from saas.catalogue.schedule import to_local, to_utc
from saas.extensions import db
from saas.models_base import utcnow
from saas.notifications.center import notify
from saas.urls import absolute_url
from saas.workforce import geo, solver, solving
from saas.workforce.errors import WorkforceError
from saas.workforce.models import (
    Assignment,
    FixedContact,
    FlexibilityCard,
    Roster,
    RosterRetirement,
    RosterStatus,
    StaffingNeed,
    WorkerProfile,
)
from saas.workforce.rostered import is_published, published, taken_over
from saas.workforce.staff import team_slots, workers
from tenants.access import current_network


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


MAX_WEEKS = 12


def create_roster(first_day: date, last_day: date, by_user_id: int | None) -> Roster:
    """A draft for the whole weeks from `first_day`'s to `last_day`'s (both shown inclusive).

    It may overlap a published roster: it is then that roster's replacement for the days they
    share (`replaces`), which publishing it takes over (`publish`)."""
    # the days asked for first: near the end of the calendar their weeks would overflow
    if not date_allowed(first_day) or not date_allowed(last_day):
        raise WorkforceError(date_bounds_message())
    if last_day < first_day:
        raise WorkforceError(_("The roster's last day comes before its first day."))
    start, end = monday(first_day), monday(last_day) + timedelta(weeks=1)
    if (end - start).days > 7 * MAX_WEEKS:
        raise WorkforceError(_("A roster covers at most %(n)d weeks.", n=MAX_WEEKS))
    if not date_allowed(end - timedelta(days=1)):
        raise WorkforceError(date_bounds_message())
    roster = Roster(starts_on=start, ends_on=end, created_by_id=by_user_id)
    db.session.add(roster)
    db.session.flush()
    return roster


def newest_first() -> list[Roster]:
    return list(db.session.execute(select(Roster).order_by(Roster.starts_on.desc())).scalars())


def start_roster(first_day: date, last_day: date, by_user_id: int | None) -> Roster:
    """A new roster for the weeks of `first_day` to `last_day`, solved once this request has
    committed."""
    roster = create_roster(first_day, last_day, by_user_id)
    record("workforce.roster_created", roster)
    solving.request_solve(roster)
    return roster


def solve_again(roster: Roster) -> None:
    """Solve the roster anew (its locked assignments stay) once this request has committed."""
    if roster.status == RosterStatus.RETIRED:
        raise WorkforceError(
            _("Newer rosters have taken over every day of this one: make a new roster instead.")
        )
    solving.request_solve(roster)
    record("workforce.roster_solve", roster)


def roster_sessions(roster: Roster) -> list[tuple[ActivitySession, StaffingNeed]]:
    """The period's sessions that need staff (not cancelled), with what they need; not those on
    days a newer published roster has taken over from this one."""
    start = to_utc(datetime.combine(roster.starts_on, time()))
    end = to_utc(datetime.combine(roster.ends_on, time()))
    rows = db.session.execute(
        select(ActivitySession, StaffingNeed)
        .join(StaffingNeed, StaffingNeed.offer_id == ActivitySession.offer_id)
        .where(
            ActivitySession.starts_at >= start,
            ActivitySession.starts_at < end,
            ActivitySession.status == SessionStatus.SCHEDULED,
            ~taken_over(roster.id, ActivitySession.starts_at),
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
    live = {s.id for s, _n in pairs}  # locks on days a newer roster took over are history
    locks = frozenset(
        (a.worker_id, a.session_id) for a in current if a.locked and a.session_id in live
    )
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
    # days a newer roster took over keep what they had, as history (they count for nobody)
    history = select(ActivitySession.id).where(taken_over(roster.id, ActivitySession.starts_at))
    db.session.execute(
        delete(Assignment).where(
            Assignment.roster_id == roster.id,
            Assignment.locked.is_(False),
            Assignment.session_id.not_in(history),
        )
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


def publish(roster: Roster) -> list[WorkerProfile]:
    """Publish: the roster takes over its days from every published roster it overlaps (in the
    same transaction, so two published rosters never share a day), and every worker on it, or
    on the days it took over, hears of it once."""
    if roster.status not in (RosterStatus.SOLVED, RosterStatus.PUBLISHED):
        raise WorkforceError(_("Only a solved roster can be published."))
    displaced = _take_over(roster)
    roster.status = RosterStatus.PUBLISHED
    roster.published_at = utcnow()
    ids = displaced | set(
        db.session.execute(
            select(Assignment.worker_id).where(
                Assignment.roster_id == roster.id,
                Assignment.session_id.in_([s.id for s, _n in roster_sessions(roster)]),
            )
        ).scalars()
    )
    people = [w for w in workers(active_only=False) if w.id in ids]
    link = absolute_url("social_economy.my_week", slug=current_network().slug)
    for worker in people:
        notify(worker.user, kind="roster_published", link=link, roster=roster)
    db.session.flush()
    record("workforce.roster_published", roster, workers=len(people))
    return people


Days = tuple[date, date]  # first day, day after the last (as a roster's period)


def live_days(roster: Roster, retired: list[RosterRetirement] | None = None) -> list[Days]:
    """The spans of the roster's period that no newer published roster has taken over
    (`retired`: the roster's `retirements()`, when the caller has read them already)."""
    spans = [(roster.starts_on, roster.ends_on)]
    for r in retirements(roster) if retired is None else retired:
        spans = [
            piece
            for a, b in spans
            for piece in ((a, min(b, r.starts_on)), (max(a, r.ends_on), b))
            if piece[0] < piece[1]
        ]
    return spans


def _overlap(mine: list[Days], theirs: list[Days]) -> list[Days]:
    return [(max(a, c), min(b, d)) for a, b in mine for c, d in theirs if max(a, c) < min(b, d)]


def retirements(roster: Roster) -> list[RosterRetirement]:
    """The days newer rosters took over from this one, in order."""
    return list(
        db.session.execute(
            select(RosterRetirement)
            .where(RosterRetirement.roster_id == roster.id)
            .order_by(RosterRetirement.starts_on)
        ).scalars()
    )


@dataclass
class Replaced:
    roster: Roster  # the published roster
    first_day: date
    last_day: date  # inclusive


def replaces(roster: Roster) -> list[Replaced]:
    """What publishing this roster would take over: the days it shares with published rosters
    (nothing for a published or retired roster: it has taken over its days already)."""
    if roster.status == RosterStatus.RETIRED or is_published(roster):
        return []
    mine = live_days(roster)
    return [
        Replaced(other, a, b - timedelta(days=1))
        for other in _published_overlapping(roster)
        for a, b in _overlap(mine, live_days(other))
    ]


def _published_overlapping(roster: Roster) -> list[Roster]:
    return list(
        db.session.execute(
            select(Roster)
            .where(
                Roster.id != roster.id,
                published(),
                Roster.starts_on < roster.ends_on,
                Roster.ends_on > roster.starts_on,
            )
            .order_by(Roster.starts_on, Roster.id)
            .execution_options(populate_existing=True)  # as committed, after the lock
        ).scalars()
    )


def _take_over(roster: Roster) -> set[int]:
    """Retire the days this roster shares with published rosters; the workers who lose
    sessions on them. A roster left without a day of its own is retired as a whole."""
    # Two coordinators publishing overlapping drafts at once: each locks every roster of the
    # period (in id order) first, so the second waits and then sees the first one published.
    db.session.execute(
        select(Roster.id)
        .where(Roster.starts_on < roster.ends_on, Roster.ends_on > roster.starts_on)
        .order_by(Roster.id)
        .with_for_update()
    ).all()
    mine = live_days(roster)
    displaced: set[int] = set()
    for other in _published_overlapping(roster):
        spans = _overlap(mine, live_days(other))
        for a, b in spans:
            starts_at = to_utc(datetime.combine(a, time()))
            ends_at = to_utc(datetime.combine(b, time()))
            db.session.add(
                RosterRetirement(
                    roster_id=other.id,
                    by_roster_id=roster.id,
                    starts_on=a,
                    ends_on=b,
                    starts_at=starts_at,
                    ends_at=ends_at,
                )
            )
            displaced.update(
                db.session.execute(
                    select(Assignment.worker_id)
                    .join(ActivitySession, ActivitySession.id == Assignment.session_id)
                    .where(
                        Assignment.roster_id == other.id,
                        ActivitySession.starts_at >= starts_at,
                        ActivitySession.starts_at < ends_at,
                    )
                ).scalars()
            )
        db.session.flush()
        if spans and not live_days(other):
            other.status = RosterStatus.RETIRED
        if spans:
            record("workforce.roster_taken_over", other, by_roster_id=roster.id)
    return displaced


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
            .where(
                Assignment.roster_id == roster.id,
                Assignment.session_id.in_([s.id for s, _n in pairs]),
            )
            .options(selectinload(Assignment.worker).selectinload(WorkerProfile.user))
            .order_by(Assignment.id)
        ).scalars()
    )
    by_session: dict[int, list[Assignment]] = defaultdict(list)
    for a in assignments:
        by_session[a.session_id].append(a)
    retired = retirements(roster)
    weeks = sum((b - a).days for a, b in live_days(roster, retired)) // 7
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
    return {"rows": rows, "unfilled": unfilled, "loads": loads, "retired": retired}
