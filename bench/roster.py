"""The roster solver on seeded instances: S (8 workers x 3 weeks), M (16 x 4), L (32 x 4).

    python -m bench.roster [--sizes S,M,L] [--workers 2,4,8] [--time-limit 20]

For each size and number of CP-SAT search workers: the objective, the best bound, the gap, the
time to the first feasible roster and to a roster within 1 % of the final best bound, whether
optimality was proved, and the red hours assigned (must be 0, checked against the cards here, not
by the solver). One table; the exit code is 1 if any roster uses a red hour.
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta

from saas.workforce import solver
from saas.workforce.solver import HOURS, Instance, Shift, TeamSlot, Worker

SIZES = {"S": (8, 3), "M": (16, 4), "L": (32, 4)}
SEED = 20_270_301
FIRST_MONDAY = date(2027, 3, 1)
SKILLS = ["reading_aloud", "game_facilitation", "tablets", "bike_trainer", "cooking", "crafts"]
LANGUAGES = ["nl", "tr", "ar", "fr", "pl", "ru"]
# (weekday, start hour, minutes, need) patterns of a week's activities: mornings, noon, after school
SLOTS = [(9, 150), (9, 120), (12, 45), (13, 120), (13, 150), (15, 60), (15, 90)]


def card(rng: random.Random) -> str:
    """A structured week: weekends red, a red or orange block or two, sometimes an evening."""
    cells = []
    blocked = {rng.randrange(5) for _ in range(rng.randint(0, 2))}
    orange_afternoons = {rng.randrange(5) for _ in range(rng.randint(0, 2))}
    for day in range(7):
        for hour in range(solver.FIRST_HOUR, solver.LAST_HOUR):
            if day >= 5 or hour < 8 or hour >= 18 or (day in blocked and hour >= 12):
                cells.append("r")
            elif (day in orange_afternoons and hour >= 13) or hour >= 16:
                cells.append("o")
            else:
                cells.append("g")
    return "".join(cells)


def instance(size: str, seed: int = SEED) -> Instance:
    n_workers, weeks = SIZES[size]
    rng = random.Random(f"{seed}-{size}")
    workers = [
        Worker(
            id=i + 1,
            contract_minutes=rng.choice([15, 19, 19, 24, 30]) * 60,
            skills=frozenset(rng.sample(SKILLS, rng.randint(1, 3))),
            languages=frozenset({"nl", *rng.sample(LANGUAGES[1:], rng.randint(0, 2))}),
            cards=((FIRST_MONDAY - timedelta(weeks=8), card(rng)),),
        )
        for i in range(n_workers)
    ]
    places = n_workers // 2 + 2
    # a weekly pattern of activities, sized to about 65 % of the team's contracted hours
    capacity = sum(w.contract_minutes for w in workers) * 0.65
    pattern, minutes = [], 0
    while minutes < capacity:
        start, length = rng.choice(SLOTS)
        need = 2 if rng.random() < 0.2 else 1
        skills = frozenset(rng.sample(SKILLS, 1)) if rng.random() < 0.4 else frozenset()
        languages = frozenset({rng.choice(LANGUAGES[1:])}) if rng.random() < 0.15 else frozenset()
        place = rng.randrange(places)
        pattern.append((rng.randrange(5), start * 60, length, need, skills, languages, place))
        minutes += length * need
    contacts = {p: frozenset({rng.randrange(n_workers) + 1}) for p in range(places) if p % 2 == 0}
    shifts = []
    for week in range(weeks):
        for day, start, length, need, skills, languages, place in pattern:
            shifts.append(
                Shift(
                    id=len(shifts) + 1,
                    day=FIRST_MONDAY + timedelta(weeks=week, days=day),
                    start=start,
                    end=start + length,
                    place=place,
                    need=need,
                    skills=skills,
                    languages=languages,
                    preferred=contacts.get(place, frozenset()),
                )
            )
    travel = {(a, b): 10 + 5 * abs(a - b) for a in range(places) for b in range(a + 1, places)}
    return Instance(
        workers=workers,
        shifts=shifts,
        travel=travel,
        team_slots=(TeamSlot(2, 13 * 60, 14 * 60 + 30),),
        seed=seed % 1000,
    )


def red_hours(inst: Instance, result: solver.Result) -> int:
    """Assigned hours that are red on the card valid that day, read here independently."""
    workers = {w.id: w for w in inst.workers}
    shifts = {s.id: s for s in inst.shifts}
    red = 0
    for w, s in result.assignments:
        shift = shifts[s]
        grid = solver.card_on(workers[w], shift.day)
        for hour in range(shift.start // 60, -(-shift.end // 60)):
            red += grid[shift.day.weekday() * HOURS + hour - solver.FIRST_HOUR] == "r"
    return red


def run(size: str, search_workers: int, time_limit: float) -> dict:
    inst = instance(size)
    inst.num_workers = search_workers
    inst.time_limit = time_limit
    result = solver.solve(inst)
    return {
        "size": size,
        "workers": len(inst.workers),
        "shifts": len(inst.shifts),
        "search": search_workers,
        "status": result.status,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "first": result.first_feasible,
        "within1": result.within_one_percent,
        "wall": result.wall,
        "uncovered": sum(u.missing for u in result.uncovered),
        "orange_h": sum(s.minutes for s in inst.shifts for w, sid in result.orange if sid == s.id)
        / 60,
        "red": red_hours(inst, result),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M,L")
    parser.add_argument("--workers", default="2,4,8", help="CP-SAT search workers to compare")
    parser.add_argument("--time-limit", type=float, default=20.0)
    args = parser.parse_args(argv)
    header = (
        f"{'roster':<8}{'size':<6}{'team':>5}{'shifts':>7}{'search':>7}{'status':>10}"
        f"{'objective':>11}{'bound':>11}{'gap %':>7}{'first s':>8}{'1% s':>7}{'wall s':>7}"
        f"{'uncov':>6}{'orange h':>9}{'red':>4}"
    )
    print(header)
    bad = 0
    for size in args.sizes.split(","):
        for n in (int(x) for x in args.workers.split(",")):
            r = run(size.strip(), n, args.time_limit)
            bad |= r["red"] > 0
            gap = "-" if r["gap"] is None else f"{100 * r['gap']:.2f}"
            first = "-" if r["first"] is None else f"{r['first']:.2f}"
            within = "-" if r["within1"] is None else f"{r['within1']:.2f}"
            print(
                f"{'roster':<8}{r['size']:<6}{r['workers']:>5}{r['shifts']:>7}{r['search']:>7}"
                f"{r['status']:>10}{r['objective'] or 0:>11}{r['bound'] or 0:>11.0f}{gap:>7}"
                f"{first:>8}{within:>7}{r['wall']:>7.1f}{r['uncovered']:>6}"
                f"{r['orange_h']:>9.1f}{r['red']:>4}",
                flush=True,
            )
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
