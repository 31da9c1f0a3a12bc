"""A world built once per test process, then put back row for row in the tests that ask again.

`@built_once` on a builder such as `build_world(app)`: the first call in an empty database builds
it for real and keeps what it left behind (every table's rows, PostgreSQL's sequence positions,
the Redis keys, the mail folder); a later call in an empty database puts exactly that back (a few
hundred rows, as the owner; PostgreSQL does not check their foreign keys again) and returns a
copy of the same result. Anything else builds for real: a database or Redis that is not empty, a
test travelling in time, another hour (so never across midnight in any whole-hour time zone),
another app.

The tests stay independent: conftest's wipe empties everything after each test, as before.
"""

from __future__ import annotations

import copy
import functools
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

ENVIRON: dict = {}  # the test session's environment, set by conftest's `environ` fixture
_ENGINES: dict = {}
_SNAPSHOTS: dict = {}


def owner_engine(url: str):
    engine = _ENGINES.get(url)
    if engine is None:
        engine = _ENGINES[url] = create_engine(url, pool_pre_ping=True)  # outlives a restart
    return engine


def tables() -> list[str]:
    """Every table of the models, parents first."""
    from saas.extensions import db

    return [t.name for t in db.metadata.sorted_tables]


def written_tables(conn) -> set[str]:
    """The tables that have a row (one probe for all of them)."""
    probe = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM {t})" for t in tables())
    return set(conn.execute(text(probe)).scalars())


def _mail_folder() -> Path:
    return Path(ENVIRON["DORP_INSTANCE_PATH"]) / "mail"


def _redis():
    from redis import Redis

    return Redis.from_url(ENVIRON["REDIS_URL"])


def _everything_empty(conn) -> bool:
    folder = _mail_folder()
    return (
        not written_tables(conn)
        and _redis().dbsize() == 0
        and not (folder.exists() and any(folder.iterdir()))
    )


def _take(conn) -> dict:
    rows: dict = {}
    sequences = []
    if conn.dialect.name == "postgresql":
        # kept on the server, in a schema of the owner's that the application role cannot use;
        # the rows go back with INSERT ... SELECT, every type exactly as it was
        schema = f"dorp_snapshot_{len(_SNAPSHOTS)}"
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        for table in written_tables(conn):
            conn.exec_driver_sql(f"CREATE UNLOGGED TABLE {schema}.{table} AS SELECT * FROM {table}")
            rows[table] = schema
        sequences = conn.exec_driver_sql(
            "SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences "
            "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
        ).all()
    redis = _redis()
    keys = {key: (max(redis.pttl(key), 0), redis.dump(key)) for key in redis.scan_iter()}
    folder = _mail_folder()
    mail = {p.name: p.read_bytes() for p in folder.iterdir()} if folder.exists() else {}
    if conn.dialect.name != "postgresql":
        for table in written_tables(conn):
            result = conn.exec_driver_sql(f"SELECT * FROM {table}")
            rows[table] = (list(result.keys()), [tuple(r) for r in result])
    return {"rows": rows, "sequences": sequences, "redis": keys, "mail": mail}


def _put_back(conn, snapshot: dict) -> None:
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        # the rows were consistent when they were taken; their foreign keys are not checked again
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    for table in tables():  # parents first
        if table not in snapshot["rows"]:
            continue
        if postgres:
            conn.exec_driver_sql(
                f"INSERT INTO {table} SELECT * FROM {snapshot['rows'][table]}.{table}"
            )
            continue
        columns, rows = snapshot["rows"][table]
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join(["?"] * len(columns))
        conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
    if snapshot["sequences"]:
        moves = ", ".join(
            f"setval('{name}', {value}, true)" for name, value in snapshot["sequences"]
        )
        conn.exec_driver_sql(f"SELECT {moves}")
    redis = _redis()
    for key, (ttl, dumped) in snapshot["redis"].items():
        redis.restore(key, ttl, dumped)
    if snapshot["mail"]:
        folder = _mail_folder()
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in snapshot["mail"].items():
            (folder / name).write_bytes(content)


def built_once(build):
    """Decorator for a builder `build(app, *hashable_args)` (see the module's docstring)."""

    @functools.wraps(build)
    def wrapper(app, *args, **kwargs):
        import time_machine

        if not ENVIRON or time_machine.escape_hatch.is_travelling():
            return build(app, *args, **kwargs)
        key = (
            build.__module__,
            build.__qualname__,
            app,
            datetime.now(UTC).strftime("%Y-%m-%d %H"),
            args,
            tuple(sorted(kwargs.items())),
        )
        engine = owner_engine(ENVIRON["DATABASE_ADMIN_URL"])
        with engine.begin() as conn:
            if not _everything_empty(conn):
                return build(app, *args, **kwargs)
            kept = _SNAPSHOTS.get(key)
            if kept is not None:
                _put_back(conn, kept["state"])
                return copy.deepcopy(kept["result"])
        result = build(app, *args, **kwargs)
        with engine.begin() as conn:
            _SNAPSHOTS[key] = {"state": _take(conn), "result": copy.deepcopy(result)}
        return result

    return wrapper
