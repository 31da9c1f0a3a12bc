"""Queue names by purpose, on the app's Redis connection."""

from __future__ import annotations

from rq import Queue

from saas.connections import redis_connection

NOTIFICATIONS = "notifications"
MATCHING = "matching"
ROSTER = "roster"
MAINTENANCE = "maintenance"
BILLING = "billing"
ALL = (NOTIFICATIONS, MATCHING, ROSTER, MAINTENANCE, BILLING)

__all__ = ["ALL", "BILLING", "MAINTENANCE", "MATCHING", "NOTIFICATIONS", "ROSTER", "queue"]


def queue(name: str) -> Queue:
    if name not in ALL:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=redis_connection())
