"""Queue names by purpose, and the Redis connection the web app and the workers share."""

from __future__ import annotations

from flask import current_app
from redis import Redis
from rq import Queue

NOTIFICATIONS = "notifications"
MATCHING = "matching"
ROSTER = "roster"
MAINTENANCE = "maintenance"
BILLING = "billing"
ALL = (NOTIFICATIONS, MATCHING, ROSTER, MAINTENANCE, BILLING)


def redis_connection() -> Redis:
    app = current_app._get_current_object()
    conn = app.extensions.get("dorp_redis")
    if conn is None:
        conn = Redis.from_url(
            app.config["REDIS_URL"],
            socket_connect_timeout=2,
            socket_timeout=5,
            health_check_interval=30,
        )
        app.extensions["dorp_redis"] = conn
    return conn


def queue(name: str) -> Queue:
    if name not in ALL:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=redis_connection())
