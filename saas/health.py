"""What /healthz reports: the database, Redis, and whether a worker is listening."""

from __future__ import annotations

from redis.exceptions import RedisError
from rq import Worker
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from saas.connections import redis_connection
from saas.extensions import db


def check() -> dict:
    report: dict = {"database": "ok", "redis": "ok", "worker": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except SQLAlchemyError as exc:
        db.session.rollback()
        report["database"] = f"error: {type(exc).__name__}"
    try:
        conn = redis_connection()
        conn.ping()
        workers = Worker.all(connection=conn)
        report["workers"] = len(workers)
        if not workers:
            report["worker"] = "none running"
    except RedisError as exc:
        report["redis"] = f"error: {type(exc).__name__}"
        report["worker"] = "unknown"
    healthy = report["database"] == "ok" and report["redis"] == "ok"
    report["status"] = (
        "ok" if healthy and report["worker"] == "ok" else ("degraded" if healthy else "down")
    )
    return report
