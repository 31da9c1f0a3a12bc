"""The roster solver: a pure function from a plain-data instance to a roster (OR-Tools CP-SAT).

Nothing here touches the database, so the benchmark and the property tests call `solve` directly.
Hard rules: red hours, one place at a time (with travel time between places), rest between
shifts on different days, at most a day's hours, at most the contract plus its band per week,
required skills and languages, the team's own slot (intervisie), locked assignments. Soft, in
lexicographic weights: cover every session (an uncovered place costs more than anything else),
then avoid orange hours, then keep the school's fixed contact (continuity), then keep everyone
near their contracted hours and spread the orange hours fairly.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from ortools.sat.python import cp_model

FIRST_HOUR = 7  # the card covers 07:00-20:00, per hour
LAST_HOUR = 20
HOURS = LAST_HOUR - FIRST_HOUR
CELLS = 7 * HOURS
RED, ORANGE, GREEN = "r", "o", "g"
COLOURS = (RED, ORANGE, GREEN)

W_UNCOVERED = 1_000_000  # per missing worker on a session
W_ORANGE = 50  # per orange minute
W_CONTINUITY = 10  # per minute of a session without its school's fixed contact
W_FAIR_ORANGE = 20  # per minute of the largest orange load of one worker
W_UNDER = 2  # per minute below the contract band in a week


@dataclass(frozen=True)
class Worker:
    id: int
    contract_minutes: int  # per week
    skills: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    cards: tuple[tuple[date, str], ...] = ()  # (valid from, grid of CELLS colours), any order


@dataclass(frozen=True)
class Shift:
    """A session that needs staff, in local wall-clock time."""

    id: int
    day: date
    start: int  # minutes after local midnight
    end: int
    place: int = 0
    need: int = 1
    skills: frozenset[str] = frozenset()  # all of them
    languages: frozenset[str] = frozenset()  # at least one of them
    preferred: frozenset[int] = frozenset()  # the school's fixed contact(s)

    @property
    def minutes(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class TeamSlot:
    """A weekly slot the whole team keeps free (intervisie): weekday 0 = Monday."""

    weekday: int
    start: int
    end: int


@dataclass
class Instance:
    workers: list[Worker]
    shifts: list[Shift]
    travel: dict[tuple[int, int], int] = field(default_factory=dict)  # minutes, either order
    default_travel: int = 20  # between two different places the matrix does not know
    locks: frozenset[tuple[int, int]] = frozenset()  # (worker, shift) that must stay
    hint: frozenset[tuple[int, int]] = frozenset()  # the previous roster
    team_slots: tuple[TeamSlot, ...] = ()
    contract_band: float = 0.2  # hours per week may exceed the contract by this share
    min_rest: int = 11 * 60  # minutes between the end of one day's work and the next
    max_day: int = 8 * 60  # minutes of sessions in one day
    time_limit: float = 10.0
    num_workers: int = 8
    seed: int = 0


@dataclass
class Uncovered:
    shift_id: int
    missing: int
    reasons: dict[str, int]  # why workers could not take it: reason code -> number of workers


@dataclass
class Result:
    status: str  # optimal | feasible | infeasible | unknown
    assignments: list[tuple[int, int]] = field(default_factory=list)  # (worker, shift)
    orange: list[tuple[int, int]] = field(default_factory=list)
    objective: int | None = None
    bound: float | None = None
    first_feasible: float | None = None  # seconds
    within_one_percent: float | None = None
    wall: float = 0.0
    uncovered: list[Uncovered] = field(default_factory=list)
    refused_locks: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        if self.objective == 0:
            return 0.0
        return max(0.0, (self.objective - self.bound) / abs(self.objective))

    @property
    def proved_optimal(self) -> bool:
        return self.status == "optimal"


def card_on(worker: Worker, day: date) -> str | None:
    """The grid valid on `day`: the newest card whose validity has started."""
    valid = [(start, grid) for start, grid in worker.cards if start <= day]
    return max(valid)[1] if valid else None


def colour(grid: str | None, weekday: int, start: int, end: int) -> str:
    """The worst colour of the card's hours a stretch of time touches (outside the card: red)."""
    if grid is None:
        return ORANGE  # no card yet: possible, but only when needed
    first, last = start // 60, math.ceil(end / 60)
    if first < FIRST_HOUR or last > LAST_HOUR:
        return RED
    cells = {grid[weekday * HOURS + h - FIRST_HOUR] for h in range(first, last)}
    return RED if RED in cells else ORANGE if ORANGE in cells else GREEN


def shift_colour(worker: Worker, shift: Shift) -> str:
    return colour(card_on(worker, shift.day), shift.day.weekday(), shift.start, shift.end)


def why_not(worker: Worker, shift: Shift, team_slots=()) -> str | None:
    """The hard reason a worker cannot take a shift at all, or None."""
    if shift_colour(worker, shift) == RED:
        return "red"
    if not shift.skills <= worker.skills:
        return "skills"
    if shift.languages and not shift.languages & worker.languages:
        return "languages"
    for slot in team_slots:
        if (
            slot.weekday == shift.day.weekday()
            and slot.start < shift.end
            and shift.start < slot.end
        ):
            return "team_slot"
    return None


def _travel(instance: Instance, a: int, b: int) -> int:
    if a == b:
        return 0
    return instance.travel.get((a, b), instance.travel.get((b, a), instance.default_travel))


def _clash(instance: Instance, s1: Shift, s2: Shift) -> bool:
    """Whether one worker cannot do both shifts (s1 starts no later than s2)."""
    if s1.day == s2.day:
        return s2.start < s1.end + _travel(instance, s1.place, s2.place) and s1.start < s2.end + (
            _travel(instance, s1.place, s2.place)
        )
    gap = (s2.day - s1.day).days * 1440 + s2.start - s1.end
    return gap < instance.min_rest


def _one_place_at_a_time(model, instance: Instance, own: list[Shift], var: dict) -> None:
    """A worker's shifts that they cannot combine.

    Shifts that overlap in time form cliques of an interval graph: one at-most-one per start
    time (every shift running at that moment) covers every overlapping pair with far fewer
    constraints. Shifts that do not overlap but leave too little time to travel, or too little
    rest between two days, are excluded pair by pair (only near neighbours are looked at).
    """
    days: dict[date, list[Shift]] = defaultdict(list)
    for s in own:
        days[s.day].append(s)
    longest_trip = max([instance.default_travel, *instance.travel.values()])
    for day, todays in days.items():
        todays.sort(key=lambda s: s.start)
        for moment in sorted({s.start for s in todays}):
            running = [var[s.id] for s in todays if s.start <= moment < s.end]
            if len(running) > 1:
                model.add_at_most_one(running)
        for i, s1 in enumerate(todays):
            for s2 in todays[i + 1 :]:
                if s2.start >= s1.end + longest_trip:
                    break
                if s2.start >= s1.end and _clash(instance, s1, s2):
                    model.add_bool_or([var[s1.id].Not(), var[s2.id].Not()])
        tomorrow = days.get(day + timedelta(days=1), [])
        for s1 in todays:
            for s2 in tomorrow:
                if 1440 - s1.end + s2.start < instance.min_rest:
                    model.add_bool_or([var[s1.id].Not(), var[s2.id].Not()])


def greedy(instance: Instance, allowed: dict[tuple[int, int], bool]) -> set[tuple[int, int]]:
    """A quick feasible roster to start the search from: hardest sessions first, green before
    orange, the fixed contact first, then whoever has worked least; locks and hint kept."""
    shifts = sorted(
        instance.shifts,
        key=lambda s: (sum(1 for w in instance.workers if (w.id, s.id) in allowed), s.day, s.start),
    )
    load: dict[tuple[int, tuple], int] = defaultdict(int)
    day_load: dict[tuple[int, date], int] = defaultdict(int)
    mine: dict[int, list[Shift]] = defaultdict(list)
    chosen: set[tuple[int, int]] = set()
    contract = {w.id: w.contract_minutes for w in instance.workers}
    total: dict[int, int] = defaultdict(int)

    def fits(w: int, s: Shift) -> bool:
        week = s.day.isocalendar()[:2]
        if load[w, week] + s.minutes > contract[w] * (1 + instance.contract_band):
            return False
        if day_load[w, s.day] + s.minutes > instance.max_day:
            return False
        return not any(
            _clash(instance, *sorted((o, s), key=lambda t: (t.day, t.start)))
            for o in mine[w]
            if abs((o.day - s.day).days) <= 1
        )

    def take(w: int, s: Shift) -> None:
        chosen.add((w, s.id))
        load[w, s.day.isocalendar()[:2]] += s.minutes
        day_load[w, s.day] += s.minutes
        total[w] += s.minutes
        mine[w].append(s)

    by_id = {s.id: s for s in instance.shifts}
    for w, s_id in sorted(instance.locks | instance.hint):
        if (w, s_id) in allowed and s_id in by_id and fits(w, by_id[s_id]):
            take(w, by_id[s_id])
    for s in shifts:
        have = sum(1 for w in contract if (w, s.id) in chosen)
        options = sorted(
            (w for w in contract if (w, s.id) in allowed and (w, s.id) not in chosen),
            key=lambda w: (
                allowed[w, s.id],
                w not in s.preferred,
                sum(load[k] for k in load if k[0] == w) / max(contract[w], 1),
                w,
            ),
        )
        for w in options:
            if have >= s.need:
                break
            if fits(w, s):
                take(w, s)
                have += 1
    return chosen


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, started: float, on_progress: Callable | None):
        super().__init__()
        self.started = started
        self.on_progress = on_progress
        self.trajectory: list[tuple[float, float]] = []
        self.lock = threading.Lock()

    def record(self, objective: float, bound: float | None) -> None:
        elapsed = time.perf_counter() - self.started
        with self.lock:
            self.trajectory.append((elapsed, objective))
        if self.on_progress is not None:
            self.on_progress(elapsed, objective, bound)

    def on_solution_callback(self) -> None:
        self.record(self.ObjectiveValue(), self.BestObjectiveBound())


def solve(instance: Instance, on_progress: Callable | None = None) -> Result:
    """Assign workers to shifts; `on_progress(seconds, objective, bound)` on each better roster."""
    started = time.perf_counter()
    workers = {w.id: w for w in instance.workers}
    shifts = {s.id: s for s in instance.shifts}
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    refusals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    orange: set[tuple[int, int]] = set()
    for s in instance.shifts:
        for w in instance.workers:
            seen = shift_colour(w, s)
            reason = "red" if seen == RED else why_not(w, s, instance.team_slots)
            if reason is not None:
                refusals[s.id][reason] += 1
                continue
            x[w.id, s.id] = model.new_bool_var(f"x_{w.id}_{s.id}")
            if seen == ORANGE:
                orange.add((w.id, s.id))

    result = Result(status="unknown")
    for w_id, s_id in sorted(instance.locks):
        if (w_id, s_id) in x:
            model.add(x[w_id, s_id] == 1)
        elif w_id in workers and s_id in shifts:
            reason = why_not(workers[w_id], shifts[s_id], instance.team_slots) or "unknown"
            result.refused_locks.append((w_id, s_id, reason))
        else:
            result.refused_locks.append((w_id, s_id, "unknown"))

    penalties: list = []
    short: dict[int, cp_model.IntVar] = {}
    for s in instance.shifts:
        takers = [x[w.id, s.id] for w in instance.workers if (w.id, s.id) in x]
        short[s.id] = model.new_int_var(0, s.need, f"short_{s.id}")
        model.add(sum(takers) + short[s.id] >= s.need)
        model.add(sum(takers) <= s.need)
        penalties.append(W_UNCOVERED * short[s.id])
        preferred = [x[w, s.id] for w in s.preferred if (w, s.id) in x]
        if preferred:  # continuity: the school's fixed contact, when they can be there
            kept = model.new_bool_var(f"kept_{s.id}")
            model.add(kept <= sum(preferred))
            penalties.append(W_CONTINUITY * s.minutes * (1 - kept))

    by_worker: dict[int, list[Shift]] = defaultdict(list)
    for w_id, s_id in x:
        by_worker[w_id].append(shifts[s_id])
    orange_load = []
    for w_id, own in by_worker.items():
        worker = workers[w_id]
        own.sort(key=lambda s: (s.day, s.start))
        _one_place_at_a_time(model, instance, own, {s.id: x[w_id, s.id] for s in own})
        days: dict[date, list] = defaultdict(list)
        weeks: dict[tuple[int, int], list] = defaultdict(list)
        for s in own:
            days[s.day].append(s.minutes * x[w_id, s.id])
            weeks[s.day.isocalendar()[:2]].append(s.minutes * x[w_id, s.id])
        for parts in days.values():
            model.add(sum(parts) <= instance.max_day)
        upper = int(worker.contract_minutes * (1 + instance.contract_band))
        lower = int(worker.contract_minutes * (1 - instance.contract_band))
        for parts in weeks.values():
            model.add(sum(parts) <= upper)
            under = model.new_int_var(0, max(lower, 0), f"under_{w_id}")
            model.add(under >= lower - sum(parts))
            penalties.append(W_UNDER * under)
        mine = [s.minutes * x[w_id, s.id] for s in own if (w_id, s.id) in orange]
        if mine:
            load = model.new_int_var(0, sum(s.minutes for s in own), f"orange_{w_id}")
            model.add(load == sum(mine))
            orange_load.append(load)
            penalties.append(W_ORANGE * load)
    if orange_load:
        peak = model.new_int_var(0, max(s.minutes for s in instance.shifts) * len(shifts), "peak")
        model.add_max_equality(peak, orange_load)
        penalties.append(W_FAIR_ORANGE * peak)
    model.minimize(sum(penalties))
    start_from = greedy(instance, {key: key in orange for key in x})
    for key, var in x.items():
        model.add_hint(var, 1 if key in start_from else 0)

    progress = _Progress(started, on_progress)
    # Phase 1: complete the quick roster (every choice fixed) into a first feasible roster. On a
    # few cores the parallel search can take many seconds to accept a hint on its own.
    first = cp_model.CpSolver()
    first.parameters.fix_variables_to_their_hinted_value = True
    first.parameters.num_workers = 1
    first.parameters.max_time_in_seconds = max(0.5, instance.time_limit / 4)
    values: dict | None = None
    if first.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = {key: first.boolean_value(v) for key, v in x.items()}
        shortfall = {k: int(first.value(v)) for k, v in short.items()}
        objective = round(first.objective_value)
        progress.record(objective, None)
    # Phase 2: the parallel search from that roster, for the rest of the time.
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(
        0.5, instance.time_limit - (time.perf_counter() - started)
    )
    solver.parameters.num_workers = instance.num_workers
    solver.parameters.random_seed = instance.seed
    status = solver.solve(model, progress)
    result.wall = time.perf_counter() - started
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = {key: solver.boolean_value(v) for key, v in x.items()}
        shortfall = {k: int(solver.value(v)) for k, v in short.items()}
        objective = round(solver.objective_value)
        result.status = "optimal" if status == cp_model.OPTIMAL else "feasible"
        result.bound = solver.best_objective_bound
    elif values is not None:  # nothing better than the first roster: is it proved best?
        proved = status == cp_model.INFEASIBLE
        result.status = "optimal" if proved else "feasible"
        result.bound = objective if proved else solver.best_objective_bound
    else:
        result.status = "infeasible" if status == cp_model.INFEASIBLE else "unknown"
        return result
    result.objective = objective
    result.assignments = sorted(k for k, v in values.items() if v)
    result.orange = [k for k in result.assignments if k in orange]
    if progress.trajectory:
        result.first_feasible = progress.trajectory[0][0]
        target = result.bound + 0.01 * abs(result.bound)
        result.within_one_percent = next(
            (t for t, obj in progress.trajectory if obj <= target + 1e-9), result.wall
        )
    for s in instance.shifts:
        missing = shortfall[s.id]
        if missing:
            reasons = dict(refusals[s.id])
            idle = sum(1 for w in instance.workers if (w.id, s.id) in x and not values[w.id, s.id])
            if s.need > len(instance.workers):
                reasons["not_enough_workers"] = s.need - len(instance.workers)
            if idle:  # could come, but were needed elsewhere or reached their hours
                reasons["busy"] = idle
            result.uncovered.append(Uncovered(s.id, missing, reasons))
    return result
