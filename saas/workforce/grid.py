"""The week grid: a roster's week (or a worker's own) at a glance, workers by days, each session a
block, orange hours and sessions still missing workers marked. Built here as plain data; the
template (`templates/social_economy/_week_grid.html`) only draws it.

A roster's grid shows the roster's own assignments on the days it still holds: the days a newer
published roster has taken over (`rostered.taken_over`, through `roster_sessions`) are marked as
taken over and left empty, so no session appears in two rosters' grids as current. A worker's own
grid shows what counts for them (`rostered`, through `my_assignments`): published, not taken over.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from saas.bounds import date_allowed
from saas.catalogue.models import ActivitySession
from saas.catalogue.schedule import to_local
from saas.workforce.assignments import my_assignments
from saas.workforce.models import Assignment, Roster, StaffingNeed, WorkerProfile
from saas.workforce.rosters import coverage, monday

WORK_DAYS = 5  # Monday to Friday always; Saturday and Sunday only when a session falls on them


@dataclass(frozen=True)
class Block:
    """One session as it sits in a cell: when, what, where, and how it stands."""

    session_id: int
    starts_at: datetime  # UTC, as stored: templates show it in the page's time zone
    ends_at: datetime
    title: str
    place: str
    address: str = ""
    orange: bool = False  # in the worker's orange hours (theirs only reluctantly)
    locked: bool = False
    cancelled: bool = False
    need: int = 0
    missing: int = 0  # workers the session still lacks: > 0 is an uncovered session

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


@dataclass(frozen=True)
class Staffed:
    """A worker on a session, for the per-day list."""

    name: str
    orange: bool


@dataclass
class DaySession:
    """A session of the day with the workers on it (the per-day list read on a phone)."""

    block: Block
    staff: list[Staffed] = field(default_factory=list)


@dataclass
class Row:
    """A worker's line in the grid: their blocks per shown day and the week's hours."""

    worker: WorkerProfile
    cells: list[list[Block]]

    @property
    def minutes(self) -> int:
        return sum(b.minutes for cell in self.cells for b in cell if not b.cancelled)

    @property
    def orange_minutes(self) -> int:
        return sum(b.minutes for cell in self.cells for b in cell if b.orange and not b.cancelled)


@dataclass(frozen=True)
class GridDay:
    day: date
    taken_over: bool = False  # a newer published roster holds this day now


@dataclass
class WeekGrid:
    monday: date
    days: list[GridDay]
    rows: list[Row]
    open: list[list[Block]]  # per shown day: the sessions still missing workers
    sessions: list[list[DaySession]]  # per shown day, in time order
    previous: date | None = None  # the Monday before, when there is a week to go back to
    next: date | None = None

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def number(self) -> int:
        return self.monday.isocalendar().week

    @property
    def iso(self) -> str:
        """The week as ?week= takes it: 2026-W49."""
        return week_key(self.monday)

    @property
    def uncovered(self) -> int:
        return sum(len(cell) for cell in self.open)

    @property
    def orange(self) -> int:
        return sum(1 for r in self.rows for cell in r.cells for b in cell if b.orange)

    @property
    def empty(self) -> bool:
        return not any(self.sessions)


def week_key(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def roster_weeks(roster: Roster) -> list[date]:
    """The Mondays of the roster's weeks."""
    return [
        roster.starts_on + timedelta(weeks=n)
        for n in range((roster.ends_on - roster.starts_on).days // 7)
    ]


def roster_week(roster: Roster, day: date, cover: dict | None = None) -> WeekGrid:
    """The roster's week of `day` (a day outside the roster's period: an empty week). `cover`:
    the roster's `coverage()` when the page has it already (its sessions, their assignments and
    the team are read once for both)."""
    cover = cover if cover is not None else coverage(roster)
    start = monday(day)
    end = start + timedelta(weeks=1)
    week = [(s, n, got) for s, n, got in cover["rows"] if start <= _local_day(s) < end]
    pairs = [(s, n) for s, n, _got in week]
    assigned: dict[int, list[Assignment]] = {s.id: got for s, _n, got in week if got}
    team = {load.worker.id: load.worker for load in cover["loads"]}
    for got in assigned.values():  # someone since made inactive still shows on their sessions
        for a in got:
            team.setdefault(a.worker_id, a.worker)
    taken = _taken_over_days(cover["retired"], start, end)
    days = _days(start, [_local_day(s) for s, _n in pairs], taken)
    column = {d.day: i for i, d in enumerate(days)}
    cells = {w: [[] for _d in days] for w in team}
    open_cells: list[list[Block]] = [[] for _d in days]
    sessions: list[list[DaySession]] = [[] for _d in days]
    for session, need in pairs:
        got = assigned.get(session.id, [])
        i = column[_local_day(session)]
        block = _block(session, need, len(got))
        for a in got:
            cells[a.worker_id][i].append(_as_worker(block, a))
        if block.missing:
            open_cells[i].append(block)
        sessions[i].append(DaySession(block, [Staffed(a.worker.name, a.orange) for a in got]))
    rows = [Row(w, cells[w.id]) for w in sorted(team.values(), key=lambda w: w.name.lower())]
    weeks = roster_weeks(roster)
    return WeekGrid(
        monday=start,
        days=days,
        rows=rows,
        open=open_cells,
        sessions=sessions,
        previous=start - timedelta(weeks=1) if start > weeks[0] else None,
        next=end if end <= weeks[-1] else None,
    )


def worker_week(worker: WorkerProfile, day: date) -> WeekGrid:
    """A worker's own week: the sessions that count for them (`rostered`), one row."""
    start = monday(day)
    end = start + timedelta(weeks=1)
    shifts = my_assignments(worker, start, end)
    days = _days(start, [_local_day(a.session) for a in shifts], set())
    column = {d.day: i for i, d in enumerate(days)}
    cells: list[list[Block]] = [[] for _d in days]
    sessions: list[list[DaySession]] = [[] for _d in days]
    for a in shifts:
        i = column[_local_day(a.session)]
        block = _as_worker(_block(a.session, None, 0), a)
        cells[i].append(block)
        sessions[i].append(DaySession(block, [Staffed(worker.name, a.orange)]))
    before, after = start - timedelta(weeks=1), end
    return WeekGrid(
        monday=start,
        days=days,
        rows=[Row(worker, cells)],
        open=[[] for _d in days],
        sessions=sessions,
        previous=before if date_allowed(before) else None,
        next=after if date_allowed(after + timedelta(days=6)) else None,
    )


def _local_day(session: ActivitySession) -> date:
    return to_local(session.starts_at).date()


def _days(start: date, used: list[date], taken: set[date]) -> list[GridDay]:
    week = [start + timedelta(days=n) for n in range(7)]
    shown = [d for i, d in enumerate(week) if i < WORK_DAYS or d in used]
    return [GridDay(d, d in taken) for d in shown]


def _taken_over_days(retired: list, start: date, end: date) -> set[date]:
    days = set()
    for t in retired:
        day = max(t.starts_on, start)
        while day < min(t.ends_on, end):
            days.add(day)
            day += timedelta(days=1)
    return days


def _block(session: ActivitySession, need: StaffingNeed | None, got: int) -> Block:
    place = session.place
    workers_needed = need.workers if need is not None else 0
    return Block(
        session_id=session.id,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        title=session.offer.title,
        place=place.name,
        address=place.address or "",
        cancelled=session.is_cancelled,
        need=workers_needed,
        missing=max(0, workers_needed - got),
    )


def _as_worker(block: Block, assignment: Assignment) -> Block:
    """The session's block as it sits in one worker's cell."""
    return replace(block, orange=assignment.orange, locked=assignment.locked)
