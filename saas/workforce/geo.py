"""Distances between the demo networks' neighbourhoods, from approximate centres (WGS84).

Dorp does not geocode addresses; a network's neighbourhoods are few and known, so a centre per
neighbourhood is enough to say "about 4 km" and to estimate travel time between two places.
An unknown neighbourhood gives no distance (the suggestion says so) and the default travel time.
"""

from __future__ import annotations

import math

CENTRES: dict[str, tuple[float, float]] = {
    # Beringen
    "beringen": (51.049, 5.226),
    "beringen-centrum": (51.049, 5.226),
    "beringen-mijn": (51.063, 5.225),
    "beverlo": (51.087, 5.237),
    "koersel": (51.058, 5.276),
    "paal": (51.041, 5.174),
    "tervant": (51.061, 5.192),
    "korspel": (51.075, 5.262),
    # Sint-Truiden
    "centrum": (50.816, 5.186),
    "sint-truiden": (50.816, 5.186),
    "brustem": (50.803, 5.227),
    "zepperen": (50.833, 5.238),
    "velm": (50.776, 5.159),
    "gorsem": (50.833, 5.160),
    "gingelom": (50.747, 5.133),
    "wilderen": (50.812, 5.137),
    "melveren": (50.831, 5.200),
}

MINUTES_PER_KM = 3  # by bike or bus, door to door
MINIMUM_TRAVEL = 10  # minutes between two different places


def km(a: str, b: str) -> float | None:
    """Straight-line distance between two neighbourhoods in km, or None if one is unknown."""
    pa, pb = CENTRES.get(a.strip().lower()), CENTRES.get(b.strip().lower())
    if pa is None or pb is None:
        return None
    lat = math.radians((pa[0] + pb[0]) / 2)
    dx = (pb[1] - pa[1]) * 111.32 * math.cos(lat)
    dy = (pb[0] - pa[0]) * 110.57
    return math.hypot(dx, dy)


def travel_minutes(a: str, b: str, default: int = 20) -> int:
    distance = km(a, b)
    if distance is None:
        return default if a.strip().lower() != b.strip().lower() else MINIMUM_TRAVEL
    return max(MINIMUM_TRAVEL, round(distance * MINUTES_PER_KM))
