"""Flask CLI for the workers: `flask worker`, `flask scheduler` and `flask outbox sweep`.

Workers start through the app's command line, so every job runs in an app context without
building an app of its own.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from rq import Worker
from rq.cron import CronScheduler

from saas.connections import redis_connection
from workers.queues import ALL, queue
from workers.relays import sweep
from workers.schedule import PERIODIC


def register_commands(app: Flask) -> None:
    app.cli.add_command(worker)
    app.cli.add_command(scheduler)
    app.cli.add_command(outbox)


@click.command("worker")
@click.option("--queues", default=None, help="Comma-separated queue names (default: all).")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker(queues: str | None, burst: bool) -> None:
    """Run an RQ worker inside the app (jobs get an app context and a fresh DB pool)."""
    names = [q.strip() for q in queues.split(",")] if queues else list(ALL)
    unknown = sorted(set(names) - set(ALL))
    if unknown:
        raise click.BadParameter(f"unknown queue(s): {', '.join(unknown)}", param_hint="--queues")
    Worker([queue(n) for n in names], connection=redis_connection()).work(
        burst=burst, with_scheduler=True
    )


@click.command("scheduler")
@with_appcontext
def scheduler() -> None:
    """Run the periodic jobs declared in workers.schedule."""
    cron = CronScheduler(connection=redis_connection())
    for job_fn, interval in PERIODIC:
        cron.register(job_fn, job_fn.queue_name, interval=interval)
    cron.start()


outbox = AppGroup("outbox", help="Work waiting to be handed to the workers.")


@outbox.command("sweep")
def outbox_sweep() -> None:
    """Hand over now what Redis could not take (e-mail, Stripe events, roster solves)."""
    handed = sweep()
    click.echo(", ".join(f"{name}: {count}" for name, count in handed.items()))
