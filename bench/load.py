"""A bounded load run: mixed traffic for 60 s on loopback (locust, headless), errors and p99.

    python -m bench.load [--users 20] [--seconds 60]

gunicorn with two workers on PostgreSQL serves the same data as the web benchmark; locust plays
families, partners (reading, answering referrals) and municipality viewers (bench/locustfile.py).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import _pg, web
from bench._pg import line

ROOT = Path(__file__).resolve().parent.parent


def run(environ: dict, slug: str, users: int, seconds: int) -> dict:
    environ = {
        **environ,
        # one account is shared by many simulated people here: lift the login limits
        "LOGIN_RATE_LIMIT": "10000 per minute",
        "LOGIN_ACCOUNT_RATE_LIMIT": "10000 per minute",
    }
    people = web._people(environ, slug)
    port = _pg.free_port()
    server = web._serve(environ, port)
    out = Path(tempfile.mkdtemp(prefix="dorp-load-")) / "run"
    try:
        subprocess.run(
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(max(1, users // 2)),
                "--run-time",
                f"{seconds}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(out),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={
                **os.environ,
                "BENCH_SLUG": slug,
                "BENCH_PASSWORD": web.PASSWORD,
                "BENCH_PARTNER": people["partner"],
                "BENCH_VIEWER": people["viewer"],
            },
            cwd=ROOT,
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    finally:
        web.stop(server)
    with open(f"{out}_stats.csv", newline="") as f:
        rows = {row["Name"]: row for row in csv.DictReader(f)}
    return rows


def report(rows: dict, users: int, seconds: int) -> int:
    total = rows["Aggregated"]
    for name, row in sorted(rows.items()):
        if name == "Aggregated":
            continue
        line("load", f"{name}: requests, p99", f"{row['Request Count']}, {row['99%']}", "ms")
    line("load", f"all requests, {users} users, {seconds} s", total["Request Count"])
    line("load", "  throughput", f"{float(total['Requests/s']):.0f}", "/s")
    line("load", "  p50 / p99", f"{total['50%']} / {total['99%']}", "ms")
    line("load", "  errors", total["Failure Count"])
    return 1 if int(total["Failure Count"]) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--data", choices=["scale", "demo"], default="scale")
    args = parser.parse_args(argv)
    reason = _pg.unavailable()
    if reason:
        line("load", "skipped", reason)
        return 0
    with _pg.database("dorp_bench_load") as environ:
        slug = web.seed(environ, args.data)
        rows = run(environ, slug, args.users, args.seconds)
    return report(rows, args.users, args.seconds)


if __name__ == "__main__":
    raise SystemExit(main())
