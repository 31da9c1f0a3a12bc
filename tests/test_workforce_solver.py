"""The roster solver as a pure function: hard rules hold on generated instances, orange only when
green cannot cover, locks stay, infeasible demand is reported with reasons instead of failing."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saas.workforce import solver
from saas.workforce.solver import CELLS, HOURS, Instance, Shift, Worker

MONDAY = date(2027, 3, 1)
GREEN = "g" * CELLS


def cell(day: int, hour: int) -> int:
    return day * HOURS + hour - solver.FIRST_HOUR


def hours_of(shift: Shift) -> range:
    return range(shift.start // 60, -(-shift.end // 60))


def colour_at(worker: Worker, shift: Shift) -> set[str]:
    """The test's own reading of the card: the colours of the hours the shift touches."""
    grid = solver.card_on(worker, shift.day)
    return {grid[cell(shift.day.weekday(), h)] for h in hours_of(shift)}


def _shift(i, day, start_hour, length, need=1, **kw) -> Shift:
    return Shift(
        id=i,
        day=MONDAY + timedelta(days=day),
        start=start_hour * 60,
        end=start_hour * 60 + length,
        need=need,
        **kw,
    )


cards = st.text(alphabet="rog", min_size=CELLS, max_size=CELLS)
shifts = st.lists(
    st.tuples(
        st.integers(0, 6), st.integers(7, 18), st.sampled_from([45, 60, 90, 120]), st.integers(1, 2)
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grids=st.lists(cards, min_size=1, max_size=4), specs=shifts)
def test_red_hours_are_never_assigned(grids, specs):
    workers = [
        Worker(id=i + 1, contract_minutes=20 * 60, cards=((MONDAY - timedelta(days=7), g),))
        for i, g in enumerate(grids)
    ]
    plan = [
        _shift(i + 1, d, h, min(length, (20 - h) * 60), need)
        for i, (d, h, length, need) in enumerate(specs)
    ]
    result = solver.solve(Instance(workers, plan, time_limit=5, num_workers=2))
    assert result.status in ("optimal", "feasible")
    by_id = {w.id: w for w in workers}
    shifts_by_id = {s.id: s for s in plan}
    for w, s in result.assignments:
        assert "r" not in colour_at(by_id[w], shifts_by_id[s])
        seen = colour_at(by_id[w], shifts_by_id[s])
        assert ((w, s) in result.orange) == ("o" in seen)


@settings(max_examples=25, deadline=None)
@given(orange_cells=st.sets(st.integers(0, CELLS - 1), max_size=40), days=st.integers(1, 5))
def test_orange_is_not_used_while_a_green_worker_is_free(orange_cells, days):
    """One session a day; worker 1 is green all week, worker 2's card has orange hours: with
    room in worker 1's contract, no orange hour is ever used."""
    grid2 = "".join("o" if i in orange_cells else "g" for i in range(CELLS))
    workers = [
        Worker(1, 40 * 60, cards=((MONDAY, GREEN),)),
        Worker(2, 40 * 60, cards=((MONDAY, grid2),)),
    ]
    plan = [_shift(d + 1, d, 9, 120) for d in range(days)]
    result = solver.solve(Instance(workers, plan, time_limit=5, num_workers=2))
    assert result.status == "optimal"
    assert result.orange == []
    assert len(result.assignments) == days


def test_orange_is_used_when_green_cannot_cover():
    only_orange = "o" * CELLS
    red_monday = "".join("r" if i < HOURS else "g" for i in range(CELLS))
    workers = [
        Worker(1, 20 * 60, cards=((MONDAY, red_monday),)),
        Worker(2, 20 * 60, cards=((MONDAY, only_orange),)),
    ]
    plan = [_shift(1, 0, 9, 120), _shift(2, 1, 9, 120)]
    result = solver.solve(Instance(workers, plan, time_limit=5, num_workers=2))
    assert result.status == "optimal"
    assert (2, 1) in result.assignments  # Monday: only the orange worker can come
    assert (1, 2) in result.assignments  # Tuesday: the green worker, not the orange one
    assert result.orange == [(2, 1)]
    assert result.uncovered == []


def test_locks_are_respected_on_re_solve():
    workers = [Worker(i, 20 * 60, cards=((MONDAY, GREEN),)) for i in (1, 2, 3)]
    plan = [_shift(i, i % 5, 9, 120) for i in range(1, 6)]
    first = solver.solve(Instance(workers, plan, time_limit=5, num_workers=2))
    # lock worker 3 on every session the first solve gave to someone else, where allowed
    locks = frozenset((3, s) for w, s in first.assignments if w != 3)
    second = solver.solve(
        Instance(workers, plan, locks=locks, hint=frozenset(first.assignments), time_limit=5)
    )
    assert locks <= set(second.assignments)
    assert second.refused_locks == []


def test_a_lock_on_a_red_hour_is_refused_not_applied():
    red_tuesday = "".join("r" if HOURS <= i < 2 * HOURS else "g" for i in range(CELLS))
    workers = [Worker(1, 20 * 60, cards=((MONDAY, red_tuesday),)), Worker(2, 20 * 60)]
    plan = [_shift(1, 1, 9, 60)]
    result = solver.solve(Instance(workers, plan, locks=frozenset({(1, 1)}), time_limit=5))
    assert result.refused_locks == [(1, 1, "red")]
    assert (1, 1) not in result.assignments


def test_infeasible_demand_is_reported_with_reasons_instead_of_failing():
    workers = [
        Worker(1, 20 * 60, skills=frozenset({"reading_aloud"}), cards=((MONDAY, "r" * CELLS),)),
        Worker(2, 20 * 60, skills=frozenset(), cards=((MONDAY, GREEN),)),
        Worker(3, 20 * 60, skills=frozenset({"reading_aloud"}), cards=((MONDAY, GREEN),)),
    ]
    plan = [
        _shift(1, 0, 9, 120, need=5),  # more workers than the team has
        _shift(2, 1, 9, 120, skills=frozenset({"reading_aloud"}), need=2),
        _shift(3, 2, 9, 60, languages=frozenset({"tr"})),
    ]
    result = solver.solve(Instance(workers, plan, time_limit=5, num_workers=2))
    assert result.status == "optimal"
    missing = {u.shift_id: u for u in result.uncovered}
    assert missing[1].missing == 3 and missing[1].reasons["not_enough_workers"] == 2
    assert missing[1].reasons["red"] == 1
    assert missing[2].missing == 1 and missing[2].reasons == {"red": 1, "skills": 1}
    assert missing[3].reasons == {"red": 1, "languages": 2}


def test_one_place_at_a_time_with_travel_and_the_contract_band():
    workers = [Worker(1, 3 * 60, cards=((MONDAY, GREEN),))]
    plan = [
        Shift(1, MONDAY, 9 * 60, 10 * 60, place=1),
        Shift(2, MONDAY, 10 * 60 + 10, 11 * 60, place=2),  # 10 minutes later, 30 minutes away
        Shift(3, MONDAY + timedelta(days=1), 9 * 60, 12 * 60, place=1),
    ]
    instance = Instance(workers, plan, travel={(1, 2): 30}, contract_band=0.2, time_limit=5)
    result = solver.solve(instance)
    taken = {s for _w, s in result.assignments}
    assert not {1, 2} <= taken
    minutes = sum(s.minutes for s in plan if s.id in taken)
    assert minutes <= 3 * 60 * 1.2


def test_the_schools_fixed_contact_is_preferred():
    workers = [Worker(i, 20 * 60, cards=((MONDAY, GREEN),)) for i in (1, 2)]
    plan = [_shift(i, i - 1, 9, 60, preferred=frozenset({2})) for i in (1, 2, 3)]
    result = solver.solve(Instance(workers, plan, time_limit=5))
    assert result.status == "optimal"
    assert {w for w, _s in result.assignments} == {2}


def test_the_card_valid_on_the_day_counts():
    old, new = "r" * CELLS, GREEN
    worker = Worker(1, 20 * 60, cards=((MONDAY, old), (MONDAY + timedelta(days=7), new)))
    plan = [_shift(1, 2, 9, 60), _shift(2, 9, 9, 60)]
    result = solver.solve(Instance([worker], plan, time_limit=5))
    assert result.assignments == [(1, 2)]
