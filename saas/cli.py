"""Flask CLI: database set-up, demo data, workers, the scheduler, and the one-command laptop run."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext


def register_commands(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(demo)
    app.cli.add_command(networks)
    app.cli.add_command(worker)
    app.cli.add_command(scheduler)
    app.cli.add_command(dev)
    app.cli.add_command(outbox)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Apply migrations (as the owner) and, on PostgreSQL, set up the application role."""
    from saas.database import upgrade_database

    upgrade_database(current_app)
    click.echo("database up to date")


demo = AppGroup("demo", help="Demo networks Beringen and Sint-Truiden.")


@demo.command("seed")
def demo_seed() -> None:
    """Create (or complete) the demo networks; safe to run again."""
    from saas.demo import seed

    summary = seed()
    click.echo(f"demo data ready: {summary}")


networks = AppGroup("networks", help="Platform administration of networks.")


@networks.command("create")
@click.option("--slug", required=True)
@click.option("--name", required=True)
@click.option("--municipality", required=True)
@click.option("--language", default="nl", show_default=True)
@click.option("--steward-email", default=None)
def networks_create(slug, name, municipality, language, steward_email) -> None:
    from saas.extensions import db
    from tenants.services import NetworkError, create_network

    try:
        network = create_network(
            slug=slug,
            name=name,
            municipality=municipality,
            default_language=language,
            steward_email=steward_email,
        )
    except NetworkError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"created network {network.slug} ({network.id})")


@click.command("worker")
@click.option("--queues", default=None, help="Comma-separated queue names (default: all).")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker(queues: str | None, burst: bool) -> None:
    """Run an RQ worker inside the app (jobs get an app context and a fresh DB pool)."""
    from rq import Worker

    from workers.queues import ALL, queue, redis_connection

    names = [q.strip() for q in queues.split(",")] if queues else list(ALL)
    Worker([queue(n) for n in names], connection=redis_connection()).work(
        burst=burst, with_scheduler=True
    )


@click.command("scheduler")
@with_appcontext
def scheduler() -> None:
    """Run the periodic jobs declared in workers.schedule."""
    from rq.cron import CronScheduler

    from workers.queues import redis_connection
    from workers.schedule import PERIODIC

    cron = CronScheduler(connection=redis_connection())
    for job_fn, interval in PERIODIC:
        cron.register(job_fn, job_fn.queue_name, interval=interval)
    cron.start()


outbox = AppGroup("outbox", help="The e-mail outbox.")


@outbox.command("sweep")
def outbox_sweep() -> None:
    """Enqueue every pending message now."""
    from workers.jobs import sweep_outbox

    click.echo(f"enqueued {sweep_outbox()} messages")


@click.command("dev")
@click.option("--port", type=int, default=None)
@with_appcontext
def dev(port: int | None) -> None:
    """The laptop run: database, demo data, embedded Redis, a worker, the scheduler, the web app."""
    from saas.devserver import run

    run(current_app._get_current_object(), port or current_app.config["PORT"])
