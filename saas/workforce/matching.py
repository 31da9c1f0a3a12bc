"""Which worker fits a school: ranked suggestions with their reasons (plain data in and out).

A school (or another partner) wishes for tasks, languages, hours on certain weekdays and someone
near. Each worker scores on those four; hours count only where the card is green (orange counts
half, red not at all) and a worker farther than they can travel drops out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from saas.workforce import geo
from saas.workforce.solver import FIRST_HOUR, GREEN, HOURS, ORANGE, RED


@dataclass(frozen=True)
class Candidate:
    id: int
    skills: frozenset[str]
    languages: frozenset[str]
    home_area: str
    max_travel_km: int
    grid: str | None  # the card valid now
    free_minutes: int  # contracted minutes per week not yet promised to other schools


@dataclass(frozen=True)
class Wish:
    tasks: frozenset[str]
    languages: frozenset[str]
    neighbourhood: str
    weekdays: tuple[int, ...]
    start_hour: int
    end_hour: int
    hours_per_week: int


@dataclass
class Suggestion:
    worker_id: int
    score: int  # 0-100
    reasons: list[tuple[str, dict]] = field(default_factory=list)  # (code, values) for the page
    excluded: str | None = None


def _hours(grid: str | None, wish: Wish) -> tuple[int, int, int]:
    """Green, orange and red hours of the card inside the school's wished hours."""
    counts = {GREEN: 0, ORANGE: 0, RED: 0}
    for day in wish.weekdays:
        for hour in range(max(wish.start_hour, FIRST_HOUR), min(wish.end_hour, FIRST_HOUR + HOURS)):
            cell = ORANGE if grid is None else grid[day * HOURS + hour - FIRST_HOUR]
            counts[cell] += 1
    return counts[GREEN], counts[ORANGE], counts[RED]


def score(candidate: Candidate, wish: Wish) -> Suggestion:
    s = Suggestion(candidate.id, 0)
    points = 0.0
    if wish.tasks:
        have = wish.tasks & candidate.skills
        points += 35 * len(have) / len(wish.tasks)
        s.reasons.append(("tasks", {"have": sorted(have), "missing": sorted(wish.tasks - have)}))
    else:
        points += 35
    if wish.languages:
        spoken = wish.languages & candidate.languages
        points += 20 * (1 if spoken else 0)
        s.reasons.append(("languages", {"have": sorted(spoken)}))
    else:
        points += 20
    distance = geo.km(candidate.home_area, wish.neighbourhood)
    if distance is None:
        points += 10
        s.reasons.append(("distance_unknown", {}))
    elif distance > candidate.max_travel_km:
        s.excluded = "too_far"
        s.reasons.append(("too_far", {"km": round(distance, 1), "max": candidate.max_travel_km}))
    else:
        points += 20 * (1 - distance / max(candidate.max_travel_km, 1))
        s.reasons.append(("distance", {"km": round(distance, 1)}))
    green, orange, red = _hours(candidate.grid, wish)
    total = green + orange + red
    if total:
        points += 25 * (green + orange / 2) / total
    s.reasons.append(("hours", {"green": green, "orange": orange, "red": red}))
    if candidate.free_minutes < wish.hours_per_week * 60:
        points -= 10
        s.reasons.append(("few_free_hours", {"free": candidate.free_minutes // 60}))
    s.score = max(0, min(100, round(points)))
    return s


def suggest(candidates: list[Candidate], wish: Wish) -> list[Suggestion]:
    """Every candidate scored, best first; those who cannot travel so far last."""
    ranked = [score(c, wish) for c in candidates]
    return sorted(ranked, key=lambda s: (s.excluded is not None, -s.score, s.worker_id))
