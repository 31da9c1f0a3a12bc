"""The one Redis connection per app, shared by the web process, its caches and the workers."""

from __future__ import annotations

from flask import current_app
from redis import Redis


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
