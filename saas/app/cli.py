"""Flask CLI: database set-up, demo data, networks and the one-command laptop run. The worker
and scheduler commands are `workers.cli`'s."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from saas.app.devserver import run
from saas.database import upgrade_database
from saas.demo import seed
from saas.extensions import db
from saas.onboarding.networks import NetworkError, create_network
from saas.portability.importing import ImportRefused, import_archive


def register_commands(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(demo)
    app.cli.add_command(networks)
    app.cli.add_command(dev)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Apply migrations (as the owner) and, on PostgreSQL, set up the application role."""
    upgrade_database(current_app)
    click.echo("database up to date")


demo = AppGroup("demo", help="Demo networks Beringen and Sint-Truiden.")


@demo.command("seed")
def demo_seed() -> None:
    """Create (or complete) the demo networks; safe to run again."""
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


@networks.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--slug", required=True, help="The new network's web address (must be free).")
@click.option("--name", default=None, help="Its name (default: the exported network's).")
def networks_import(file: Path, slug: str, name: str | None) -> None:
    """Create a network from a network's export (a ZIP a steward downloaded)."""
    try:
        network, counts = import_archive(file, slug=slug, name=name)
    except (ImportRefused, NetworkError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"imported network {network.slug} ({network.id}): {sum(counts.values())} rows")
    for table, count in counts.items():
        if count:
            click.echo(f"  {table}: {count}")


@click.command("dev")
@click.option("--port", type=int, default=None)
@with_appcontext
def dev(port: int | None) -> None:
    """The laptop run: database, demo data, embedded Redis, a worker, the scheduler, the web app."""
    run(current_app._get_current_object(), port or current_app.config["PORT"])
