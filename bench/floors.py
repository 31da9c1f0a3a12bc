"""This machine's floors, measured in the same run: redis-benchmark and pgbench -S.

    python -m bench.floors

They say what the hardware gives before any Dorp code runs: a Redis GET/SET and a primary-key
SELECT on PostgreSQL, over loopback, with two clients (one per core).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
from urllib.parse import urlparse

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from bench import _pg
from bench._pg import line

DATABASE = "dorp_bench_pgbench"


def redis_floor(requests: int) -> dict[str, float]:
    url = urlparse(_pg.REDIS_URL)
    out = subprocess.run(
        [
            "redis-benchmark",
            "-h",
            url.hostname or "127.0.0.1",
            "-p",
            str(url.port or 6379),
            "-c",
            "2",
            "-n",
            str(requests),
            "-t",
            "get,set",
            "--csv",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = {}
    for row in out.splitlines():
        cells = [c.strip('"') for c in row.split(",")]
        if cells[0] in {"GET", "SET"}:
            found[cells[0]] = float(cells[1])
    return found


def pgbench_floor(seconds: int) -> float:
    admin = make_url(_pg._psycopg(_pg.ADMIN_URL))
    server = create_engine(admin.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{DATABASE}"')
    args = ["-h", admin.host or "127.0.0.1", "-p", str(admin.port or 5432)]
    args += ["-U", admin.username or "postgres"]
    try:
        subprocess.run(
            ["pgbench", "-i", "-q", "-s", "10", *args, DATABASE], capture_output=True, check=True
        )
        out = subprocess.run(
            ["pgbench", "-S", "-c", "2", "-j", "2", "-T", str(seconds), *args, DATABASE],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        with server.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        server.dispose()
    match = re.search(r"tps = ([0-9.]+)", out)
    return float(match.group(1)) if match else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--requests", type=int, default=200_000)
    args = parser.parse_args(argv)
    reason = _pg.unavailable()
    if reason:
        line("floors", "skipped", reason)
        return 0
    if shutil.which("redis-benchmark"):
        for command, rps in redis_floor(args.requests).items():
            line("floors", f"redis-benchmark {command}, 2 clients", f"{rps:,.0f}", "/s")
    else:
        line("floors", "redis-benchmark", "not installed")
    if shutil.which("pgbench"):
        tps = pgbench_floor(args.seconds)
        line("floors", "pgbench -S (primary-key SELECT), 2 clients", f"{tps:,.0f}", "/s")
    else:
        line("floors", "pgbench", "not installed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
