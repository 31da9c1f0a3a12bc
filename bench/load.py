"""Bounded load runs on loopback (locust, headless): errors, p99 against the Fortunes page, e-mail.

    python -m bench.load [--users 20] [--seconds 60] [--fortunes-seconds 30] [--runs all]

gunicorn with two workers on PostgreSQL serves bench/scale.py's network; locust plays families,
partners (reading, writing messages on referrals, which e-mails the other partner's people) and
municipality viewers (bench/locustfile.py). Three runs, one after the other, on the same data:

- mixed: the traffic above; every simulated person also opens the Fortunes page (about one
  request in ten), so its p99 is measured under the very same load. Target: 0 errors and the
  app's p99 (every request but Fortunes) within 5 times the Fortunes page's p99, both taken
  from the moment the last simulated person has signed in (every person signs in within the
  first seconds, and Argon2id holds both workers meanwhile); the whole run's ratio is printed
  beside it.
- Fortunes only: as many people opening nothing but the Fortunes page, for its requests/s.
- two groups: the mixed traffic spread over two gunicorn groups (two workers each) on two
  ports, every request to one picked at random, with two `flask worker` processes delivering
  the outbox to a local SMTP server. Target: 0 errors, and every e-mail in the outbox accepted
  by the server exactly once (as many accepted as rows, each Message-ID once, every row sent).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from bench import _pg, mail, web
from bench._pg import line, percentile

ROOT = Path(__file__).resolve().parent.parent
FORTUNES = "Fortunes page (yardstick)"  # bench/locustfile.py names its requests so
P99_TARGET = 5.0
MIXED = ["Family", "Partner", "Viewer"]
RUNS = ("mixed", "fortunes", "two-groups")


def _environ(environ: dict) -> dict:
    # one account is shared by many simulated people here: lift the login limits
    return {
        **environ,
        "LOGIN_RATE_LIMIT": "10000 per minute",
        "LOGIN_ACCOUNT_RATE_LIMIT": "10000 per minute",
    }


def _senders(environ: dict, people: dict) -> int:
    """A person who speaks for every partner but the inbox's: a message the inbox writes on a
    referral e-mails them (once per message). Returns how many partners they speak for."""
    from sqlalchemy import select

    from saas.accounts import services as accounts
    from saas.app import create_app
    from saas.extensions import db
    from saas.partners.models import Partner
    from tenants.context import network_scope
    from tenants.models import Membership, Role

    app = create_app(environ=environ)
    with app.app_context(), network_scope(people["network_id"]):
        user = accounts.create_user(
            email=f"senders@{people['slug']}.bench",
            name="Senders",
            password=web.PASSWORD,
            language="nl",
        )
        db.session.flush()
        partners = db.session.execute(select(Partner.id)).scalars().all()
        inbox = db.session.execute(
            select(Membership.partner_id).where(Membership.role == Role.PARTNER_MEMBER)
        ).scalar_one()
        for partner_id in partners:
            if partner_id != inbox:
                db.session.add(
                    Membership(user_id=user.id, role=Role.PARTNER_MEMBER, partner_id=partner_id)
                )
        db.session.commit()
    return len(partners) - 1


def locust(hosts: list[str], people: dict, classes: list[str], users: int, seconds: int) -> dict:
    """One headless locust run; returns its CSV rows by name and every request's timing."""
    out = Path(tempfile.mkdtemp(prefix="dorp-load-"))
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
            "--csv",
            str(out / "run"),
            "--only-summary",
            "--loglevel",
            "WARNING",
            *classes,
        ],
        env={
            **os.environ,
            "BENCH_HOSTS": ",".join(hosts),
            "BENCH_TIMINGS": str(out / "timings.json"),
            "BENCH_SLUG": people["slug"],
            "BENCH_PASSWORD": web.PASSWORD,
            "BENCH_PARTNER": people["partner"],
            "BENCH_VIEWER": people["viewer"],
        },
        cwd=ROOT,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with open(out / "run_stats.csv", newline="") as f:
        rows = {row["Name"]: row for row in csv.DictReader(f)}
    with open(out / "timings.json") as f:
        timings = json.load(f)
    return {"rows": rows, "timings": timings}


def _servers(stack: ExitStack, environ: dict, groups: int) -> list[str]:
    hosts = []
    for _ in range(groups):
        port = _pg.free_port()
        stack.callback(web.stop, web._serve(environ, port))
        hosts.append(f"http://127.0.0.1:{port}")
    return hosts


def _outbox(since: int = 0) -> tuple[int, int, int]:
    """(rows after id `since`, those sent, every row sent) of the outbox, across networks (it is
    not tenant data)."""
    from sqlalchemy import func, select

    from saas.extensions import db
    from saas.notifications.models import OutboxMessage, OutboxState

    sent = OutboxMessage.state == OutboxState.SENT
    later = OutboxMessage.id > since
    found = db.session.execute(
        select(
            func.count().filter(later), func.count().filter(later & sent), func.count().filter(sent)
        )
    ).one()
    db.session.rollback()
    return tuple(found)


def _last_outbox_id(environ: dict) -> int:
    from sqlalchemy import func, select

    from saas.app import create_app
    from saas.extensions import db
    from saas.notifications.models import OutboxMessage

    with create_app(environ=environ).app_context():
        return db.session.execute(select(func.coalesce(func.max(OutboxMessage.id), 0))).scalar()


def _unsent(since: int) -> dict[str, int]:
    """The outbox rows after id `since` not sent, by kind and state (kinds and states only: nothing personal)."""
    from sqlalchemy import func, select

    from saas.extensions import db
    from saas.notifications.models import OutboxMessage, OutboxState

    rows = db.session.execute(
        select(OutboxMessage.kind, OutboxMessage.state, func.count())
        .where(OutboxMessage.state != OutboxState.SENT, OutboxMessage.id > since)
        .group_by(OutboxMessage.kind, OutboxMessage.state)
    ).all()
    db.session.rollback()
    return {f"{kind} {state}": count for kind, state, count in rows}


def two_groups(environ: dict, people: dict, users: int, seconds: int, since: int) -> dict:
    """The mixed run on two gunicorn groups with two RQ workers and an SMTP server; then wait
    until the outbox is sent and count what the server accepted. The e-mails that count are
    those queued after outbox id `since` (the runs', not the seed's)."""
    from saas.app import create_app

    port = _pg.free_port()
    environ = {**environ, "MAIL_URL": f"smtp://127.0.0.1:{port}"}
    sink = subprocess.Popen(
        [sys.executable, "-m", "bench._smtp_sink", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    app = create_app(environ=environ)
    try:
        assert sink.stdout.readline().strip() == "ready"
        with ExitStack() as stack, app.app_context():
            workers = mail._start_workers(environ, 2, queues=None)
            stack.callback(mail._stop_workers, workers)
            hosts = _servers(stack, environ, 2)
            before = _outbox(since)
            result = locust(hosts, people, MIXED, users, seconds)
            waited = progressed = time.perf_counter()
            outbox = _outbox(since)
            while outbox[1] < outbox[0] and time.perf_counter() - progressed < 30:
                time.sleep(0.2)
                if (now := _outbox(since)) != outbox:
                    outbox, progressed = now, time.perf_counter()
            result["drained_s"] = time.perf_counter() - waited
            result["unsent"] = _unsent(since)
    finally:
        sink.send_signal(signal.SIGTERM)
        accepted, unique = (int(x) for x in sink.communicate(timeout=30)[0].split()[-2:])
    result.update(
        outbox_rows=outbox[0],
        outbox_sent=outbox[1],
        sent_ever=outbox[2],
        queued_in_run=outbox[0] - before[0],
        accepted=accepted,
        unique=unique,
    )
    return result


def _split(timings: list) -> tuple[list[float], list[float], int]:
    app = [ms for name, ms, *_ in timings if name != FORTUNES]
    fortunes = [ms for name, ms, *_ in timings if name == FORTUNES]
    return app, fortunes, sum(1 for _name, _ms, failed, _end in timings if failed)


def _signed_in(timings: list) -> tuple[list, float]:
    """The requests that started once every simulated person had signed in, and how many
    seconds into the run that was. Signing in is slow on purpose (Argon2id with 64 MiB, about
    0.3 s of one core on a quiet machine and more under load) and every person signs in within
    the first seconds, which holds both workers and queues every request behind them; the run's
    steady state starts after the last sign-in."""
    start = min(end - ms / 1000 for _name, ms, _failed, end in timings)
    ready = max((end for name, _ms, _failed, end in timings if name == "login"), default=start)
    after = [t for t in timings if t[3] - t[1] / 1000 >= ready]
    return after, ready - start


def report_mixed(group: str, result: dict, users: int, seconds: int, *, gated: bool = True) -> bool:
    """Print a mixed run; True when it had no error and (`gated`) its p99 is within target."""
    by_name: dict[str, list[float]] = {}
    for name, ms, *_ in result["timings"]:
        by_name.setdefault(name, []).append(ms)
    for name, values in sorted(by_name.items()):
        p50, p99 = percentile(values, 50), percentile(values, 99)
        line(group, f"{name}: requests, p50 / p99", f"{len(values)}, {p50:.0f} / {p99:.0f}", "ms")
    app, fortunes, errors = _split(result["timings"])
    total = result["rows"]["Aggregated"]
    app_p99, fortunes_p99 = percentile(app, 99), percentile(fortunes, 99)
    ratio = app_p99 / fortunes_p99
    line(group, f"all requests, {users} users, {seconds} s", str(len(result["timings"])))
    line(group, "  requests/s (all, Fortunes included)", f"{float(total['Requests/s']):.0f}", "/s")
    line(
        group,
        "  app p50 / p99 (all but Fortunes)",
        f"{percentile(app, 50):.0f} / {app_p99:.0f}",
        "ms",
    )
    line(
        group,
        "  Fortunes p50 / p99, same run",
        f"{percentile(fortunes, 50):.0f} / {fortunes_p99:.0f}",
        "ms",
    )
    line(group, "  app p99 ÷ Fortunes p99, the whole run with its sign-ins", f"{ratio:.2f}", "×")
    steady, ready = _signed_in(result["timings"])
    app, fortunes, _ = _split(steady)
    app_p99, fortunes_p99 = percentile(app, 99), percentile(fortunes, 99)
    ratio = app_p99 / fortunes_p99
    line(
        group,
        f"  once everyone had signed in ({ready:.1f} s on): app / Fortunes p99",
        f"{app_p99:.0f} / {fortunes_p99:.0f}",
        "ms",
    )
    target = f"target ≤ {P99_TARGET:g}" if gated else "no target here"
    line(group, f"  app p99 ÷ Fortunes p99, from then on ({target})", f"{ratio:.2f}", "×")
    line(group, "  errors (target 0)", str(errors))
    return errors == 0 and (ratio <= P99_TARGET or not gated)


def report_fortunes(result: dict, users: int, seconds: int) -> None:
    total = result["rows"]["Aggregated"]
    _, fortunes, errors = _split(result["timings"])
    line(
        "load",
        f"Fortunes only, {users} users, {seconds} s: requests/s",
        f"{float(total['Requests/s']):.0f}",
        "/s",
    )
    line(
        "load",
        "  Fortunes p50 / p99, alone",
        f"{percentile(fortunes, 50):.0f} / {percentile(fortunes, 99):.0f}",
        "ms",
    )
    line("load", "  errors", str(errors))


def report_mail(result: dict) -> bool:
    rows, sent = result["outbox_rows"], result["outbox_sent"]
    accepted, unique = result["accepted"], result["unique"]
    line("load2", "e-mails queued during this run (outbox rows)", str(result["queued_in_run"]))
    line("load2", "e-mails queued by all runs (sign-ins, messages) / sent", f"{rows}/{sent}")
    line(
        "load2",
        f"  all sent {result['drained_s']:.1f} s after the run",
        "yes" if sent == rows else "no",
    )
    for what, count in result["unsent"].items():
        line("load2", f"  not sent: {what}", str(count))
    line("load2", "accepted by the SMTP server / distinct Message-IDs", f"{accepted}/{unique}")
    line("load2", "  rows sent, the seed's included", str(result["sent_ever"]))
    once = rows == sent and result["sent_ever"] == accepted == unique
    line("load2", "  every e-mail sent exactly once", "yes" if once else "no")
    return once


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--fortunes-seconds", type=int, default=30)
    parser.add_argument("--data", choices=["scale", "demo"], default="scale")
    parser.add_argument("--runs", default="all", help=f"comma-separated of {', '.join(RUNS)}")
    args = parser.parse_args(argv)
    runs = RUNS if args.runs == "all" else tuple(args.runs.split(","))
    reason = _pg.unavailable()
    if reason:
        line("load", "skipped", reason)
        return 0
    results = {}
    with _pg.database("dorp_bench_load") as environ:
        environ = _environ(environ)
        slug = web.seed(environ, args.data)
        seeded = _last_outbox_id(environ)
        people = {**web._people(environ, slug), "slug": slug}
        people["senders"] = _senders(environ, people)
        with ExitStack() as stack:
            hosts = _servers(stack, environ, 1)
            if "mixed" in runs:
                results["mixed"] = locust(hosts, people, MIXED, args.users, args.seconds)
            if "fortunes" in runs:
                results["fortunes"] = locust(
                    hosts, people, ["FortunesReader"], args.users, args.fortunes_seconds
                )
        if "two-groups" in runs:
            results["two"] = two_groups(environ, people, args.users, args.seconds, seeded)
    ok = True
    if "mixed" in results:
        ok &= report_mixed("load", results["mixed"], args.users, args.seconds)
    if "fortunes" in results:
        report_fortunes(results["fortunes"], args.users, args.fortunes_seconds)
    if "two" in results:
        line("load2", "two gunicorn groups (2 workers each) on two ports, 2 RQ workers", "")
        # this run shows that processes can be added: no error, every e-mail once
        ok &= report_mixed("load2", results["two"], args.users, args.seconds, gated=False)
        ok &= report_mail(results["two"])
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
