"""The benchmarks' PostgreSQL and Redis: a fresh database per run, the app role with RLS.

BENCH_DATABASE_URL (an owner/superuser URL, default the local trust-auth server) and
BENCH_REDIS_URL (default db 9 of the local Redis) say where; nothing else is touched.
"""

from __future__ import annotations

import os
import secrets
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
# Benchmarks run side by side (several people, one server) name their databases apart.
PREFIX = os.environ.get("BENCH_DATABASE_PREFIX", "dorp_bench_")
APP_ROLE = "dorp_app_bench"


def unavailable() -> str | None:
    """Why the benchmarks cannot run here (None when PostgreSQL and Redis answer)."""
    from redis import Redis

    try:
        engine = create_engine(_psycopg(ADMIN_URL))
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:
        return f"PostgreSQL at {ADMIN_URL} does not answer ({type(exc).__name__})"
    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"Redis at {REDIS_URL} does not answer ({type(exc).__name__})"
    return None


def _psycopg(url: str) -> str:
    from saas.config import normalise_database_url

    return normalise_database_url(url)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def database(name: str) -> Iterator[dict]:
    """A fresh database `name` (its `dorp_bench_` swapped for BENCH_DATABASE_PREFIX), migrated,
    with the app role; yields the app's environment."""
    from redis import Redis

    name = PREFIX + name.removeprefix("dorp_bench_")

    admin = make_url(_psycopg(ADMIN_URL))
    server = create_engine(admin.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    owner = admin.set(database=name)
    instance = tempfile.mkdtemp(prefix=f"{name}-")
    environ = {
        "DORP_ENV": "production",
        "DORP_INSTANCE_PATH": instance,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": owner.set(username=APP_ROLE, password=None).render_as_string(False),
        "DATABASE_ADMIN_URL": owner.render_as_string(hide_password=False),
        "REDIS_URL": REDIS_URL,
        "MAIL_URL": "smtp://127.0.0.1:2525",
        "MAIL_FROM": "Dorp <noreply@dorp.example>",
        "BASE_URL": "http://127.0.0.1",
        "FORCE_HTTPS": "0",
    }
    Redis.from_url(REDIS_URL).flushdb()
    from saas.app import create_app
    from saas.database import upgrade_database

    upgrade_database(create_app(environ=environ))
    try:
        yield environ
    finally:
        Redis.from_url(REDIS_URL).flushdb()
        with server.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()


def settle(engine) -> None:
    """Leave a freshly bulk-loaded database as one in service is: autovacuum would soon have
    vacuumed it (index-only scans need the visibility map it sets) and analysed it (the planner
    guesses badly without statistics). Here it is done at once, not left to timing."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[rank]


def line(group: str, label: str, value: str, unit: str = "") -> None:
    print(f"{group:<10}{label:<60}{value:>9} {unit}".rstrip(), flush=True)
