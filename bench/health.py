"""Network health at scale: every figure query, and the whole dashboard, on a big network.

    python -m bench.health                     (SQLite in a temporary folder)
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m bench.health
    (TEST_DATABASE_URL works too: a fresh database `dorp_bench_health` is made beside it, and the
    app connects as a row-level-security role, as in production)

Seeds `bench.scale` (200 partners, 5,000 offers, 50,000 sessions, 100,000 referrals in one
network, 20 smaller networks beside it), then times each figure function for the year 2025
(best of three, after a warm-up) and the dashboard page itself through the test client, and
counts the SQL statements the page sends. Prints one line per figure. The figures' cache is off
here: these are the times of working them out (`bench.web` measures the page as served).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url

from bench import _pg
from bench.scale import BIG, Size, seed_scale

APP_ROLE = "dorp_app_bench"
DB_NAME = _pg.PREFIX + "health"


def _database(folder: Path) -> tuple[str, str, str]:
    """(app URL, owner URL, backend name) of a fresh database."""
    admin = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not admin:
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
        return url, url, "SQLite"
    from saas.config import normalise_database_url

    admin_url = make_url(normalise_database_url(admin))
    server = create_engine(admin_url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{DB_NAME}"')
    server.dispose()
    owner = admin_url.set(database=DB_NAME)
    app_url = owner.set(username=APP_ROLE, password=None)
    return (
        app_url.render_as_string(hide_password=False),
        owner.render_as_string(hide_password=False),
        "PostgreSQL (row-level security on)",
    )


def _app(folder: Path, app_url: str, owner_url: str):
    from saas.app import create_app

    environ = {
        "DORP_ENV": "testing",
        "DORP_INSTANCE_PATH": str(folder / "instance"),
        "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        "DATABASE_URL": app_url,
        "DATABASE_ADMIN_URL": owner_url,
        "REDIS_URL": "redis://127.0.0.1:6399/0",  # never reached: the dashboard sends nothing
        "HEALTH_CACHE_SECONDS": "0",  # every figure worked out each time (bench.web: the cache)
        "MAIL_URL": f"file://{folder / 'mail'}",
        "BASE_URL": "http://localhost",
    }
    overrides = {"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "SERVER_NAME": None}
    overrides |= {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8 * 1024}
    return create_app(overrides, environ=environ)


def _best(fn, repeat: int = 3) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _line(label: str, value: str, unit: str = "") -> None:
    print(f"{'health':<10}{label:<60}{value:>9} {unit}".rstrip())


def run(size: Size = BIG, neighbours: int = 20) -> dict:
    from saas.accounts import services as accounts
    from saas.database import upgrade_database
    from saas.extensions import db
    from saas.insights import figures
    from saas.insights.figures.coverage import coverage
    from saas.insights.figures.partners import partners
    from saas.insights.figures.reach import reach
    from saas.insights.figures.referrals import referrals
    from saas.insights.figures.social_economy import social_economy_figures
    from saas.insights.figures.trends import trends
    from saas.insights.period import Period
    from tenants.context import network_scope
    from tenants.models import Membership, Role

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        app_url, owner_url, backend = _database(folder)
        app = _app(folder, app_url, owner_url)
        upgrade_database(app)
        owner = create_engine(owner_url)
        t = time.perf_counter()
        network_id = seed_scale(owner, size=size, neighbours=neighbours)
        seed_s = time.perf_counter() - t
        if owner.dialect.name == "postgresql":
            _pg.settle(owner)
        owner.dispose()

        with app.app_context():
            user = accounts.create_user(
                email="beleid@bench.example", name="Beleid", password="bench-pass-123"
            )
            db.session.commit()
            with network_scope(network_id):
                db.session.add(Membership(user_id=user.id, role=Role.MUNICIPALITY_VIEWER))
                db.session.commit()
            slug = "groot"

        period = Period("year", 2025)
        timings = {}
        with app.test_request_context("/?lang=en"), network_scope(network_id):
            for name, fn in [
                ("reach (3 tables)", lambda: reach(period)),
                ("referrals (4 tables, rates, median)", lambda: referrals(period)),
                ("coverage (action line × age band)", lambda: coverage(period)),
                ("partners (engagement per partner)", lambda: partners(period)),
                ("social economy", lambda: social_economy_figures(period)),
                ("trends (headline of two periods)", lambda: trends(period)),
                ("all figures (figures.health)", lambda: figures.health(period)),
            ]:
                timings[name] = _best(fn)
            sample = figures.health(period)

        client = app.test_client()
        response = client.post(
            "/auth/login", data={"email": "beleid@bench.example", "password": "bench-pass-123"}
        )
        assert response.status_code == 302, response.status_code
        url = f"/{slug}/municipality/?kind=year&year=2025"
        statements = []

        def count(*_args):
            statements.append(1)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        page_s = _best(lambda: _get(client, url))
        event.remove(engine, "before_cursor_execute", count)
        pdf_s = _best(
            lambda: _get(client, f"/{slug}/municipality/report.pdf?kind=year&year=2025"), 1
        )
        return {
            "backend": backend,
            "seed_s": seed_s,
            "timings": timings,
            "page_s": page_s,
            "pdf_s": pdf_s,
            "statements": len(statements) // 4,  # warm-up + three timed requests
            "sessions_held": sample.reach.sessions_held,
            "referrals_sent": sample.referrals.sent.value,
            "size": size,
        }


def _get(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--divide", type=int, default=1, help="shrink the big network (quick runs)")
    parser.add_argument("--neighbours", type=int, default=20)
    args = parser.parse_args(argv)
    size = BIG if args.divide == 1 else BIG.scaled(args.divide)
    r = run(size, args.neighbours)
    s = r["size"]
    _line(f"backend: {r['backend']}", "")
    _line(
        f"seed {s.partners} partners, {s.offers:,} offers, {s.sessions:,} sessions, {s.referrals:,} referrals (+{args.neighbours} networks)",
        f"{r['seed_s']:.1f}",
        "s",
    )
    _line(
        "year 2025: sessions held / referrals sent",
        f"{r['sessions_held']:,} / {r['referrals_sent']:,}",
    )
    for name, seconds in r["timings"].items():
        _line(name, f"{seconds * 1000:.0f}", "ms")
    _line("dashboard page (GET, figures + charts + template)", f"{r['page_s'] * 1000:.0f}", "ms")
    _line("SQL statements per dashboard page", f"{r['statements']}")
    _line("PDF report for the council", f"{r['pdf_s'] * 1000:.0f}", "ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
