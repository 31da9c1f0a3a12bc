"""E-mail throughput: the outbox, RQ and SMTP against a plain smtplib loop over one connection.

    python -m bench.mail [--messages 2000] [--workers 2]

A local SMTP server runs in its own process and counts what it accepts (and each Message-ID).
The floor sends the messages with smtplib over one connection. Dorp's path commits the same
number of messages to the outbox in one transaction; the relay hands them to RQ after the commit
and `flask worker` processes deliver them; the clock stops when the last row is marked sent.
"""

from __future__ import annotations

import argparse
import os
import signal
import smtplib
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

from bench import _pg
from bench._pg import line

ROOT = Path(__file__).resolve().parent.parent
SUBJECT = "Nieuwe doorverwijzing voor jullie organisatie"
TEXT = (
    "Dag,\n\nEr is een nieuwe doorverwijzing voor jullie organisatie in Dorp. "
    "Open ze met deze link: https://dorp.example/beringen/referrals/1234\n\n"
) * 4
HTML = f"<!doctype html><html><body><p>{TEXT}</p></body></html>" * 2


def _message(i: int) -> EmailMessage:
    email = EmailMessage()
    email["From"] = "Dorp <noreply@dorp.example>"
    email["To"] = f"partner{i}@partner.example"
    email["Subject"] = SUBJECT
    email["Message-ID"] = f"<floor-{i}@dorp.example>"
    email.set_content(TEXT)
    email.add_alternative(HTML, subtype="html")
    return email


def floor(port: int, count: int) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as client:
        for i in range(count):
            client.send_message(_message(i))
    return time.perf_counter() - started


def _start_workers(
    environ: dict, count: int, queues: str | None = "notifications"
) -> list[subprocess.Popen]:
    """`count` RQ workers on `queues` (None: every queue, as `flask worker` does by default)."""
    from redis import Redis
    from rq import Worker

    flask = Path(sys.executable).parent / "flask"
    env = {**os.environ, **environ, "FLASK_APP": "saas.app:create_app"}
    workers = [
        subprocess.Popen(
            [str(flask), "worker", *(["--queues", queues] if queues else [])],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    connection = Redis.from_url(environ["REDIS_URL"])
    for _ in range(600):
        if Worker.count(connection=connection) >= count:
            return workers
        time.sleep(0.1)
    raise RuntimeError("the RQ workers did not start")


def dorp(environ: dict, count: int, workers: int) -> float:
    from sqlalchemy import func, select

    from saas.app import create_app
    from saas.extensions import db
    from saas.notifications.models import OutboxMessage, OutboxState

    processes = _start_workers(environ, workers)
    try:
        app = create_app(environ=environ)
        with app.app_context():
            for i in range(count):
                db.session.add(
                    OutboxMessage(
                        kind="bench",
                        recipient=f"partner{i}@partner.example",
                        subject=SUBJECT,
                        body_text=TEXT,
                        body_html=HTML,
                    )
                )
            db.session.flush()
            started = time.perf_counter()
            db.session.commit()  # the relay enqueues the batches after this commit
            while True:
                sent = db.session.execute(
                    select(func.count()).where(OutboxMessage.state == OutboxState.SENT)
                ).scalar_one()
                db.session.rollback()
                if sent >= count:
                    return time.perf_counter() - started
                if time.perf_counter() - started > 600:
                    raise RuntimeError(f"only {sent} of {count} e-mails were sent in 10 minutes")
                time.sleep(0.02)
    finally:
        _stop_workers(processes)


def _stop_workers(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        process.wait(timeout=60)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    reason = _pg.unavailable()
    if reason:
        line("mail", "skipped", reason)
        return 0
    port = _pg.free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "bench._smtp_sink", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert sink.stdout.readline().strip() == "ready"
        floor_s = floor(port, args.messages)
        with _pg.database("dorp_bench_mail") as environ:
            environ = {**environ, "MAIL_URL": f"smtp://127.0.0.1:{port}"}
            dorp_s = dorp(environ, args.messages, args.workers)
    finally:
        sink.send_signal(signal.SIGTERM)
        accepted, unique = (int(x) for x in sink.communicate(timeout=30)[0].split()[-2:])
    n = args.messages
    line("mail", f"smtplib loop, one connection, {n:,} e-mails (floor)", f"{n / floor_s:.0f}", "/s")
    line(
        "mail",
        f"outbox → RQ ({args.workers} workers) → SMTP, {n:,} e-mails",
        f"{n / dorp_s:.0f}",
        "/s",
    )
    line("mail", "  Dorp ÷ floor", f"{floor_s / dorp_s:.2f}", "×")
    line("mail", "accepted by the server / distinct Message-IDs", f"{accepted}/{unique}")
    return 0 if accepted == unique == 2 * n else 1


if __name__ == "__main__":
    raise SystemExit(main())
