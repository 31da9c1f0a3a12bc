"""Installing tenancy in an app: `init_app` hooks the scoping, row-level security and the
`/<slug>/` resolution in, once per app."""

from __future__ import annotations

from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from tenants import access, context, lookups, rls, scoping


def init_app(app: Flask, db: SQLAlchemy) -> None:
    """Scope every ORM statement to the request's network, feed it to PostgreSQL, resolve
    `/<slug>/` onto `g.network`, keep links in that network and the global keys with their rows."""
    scoping.install()
    lookups.install()
    rls.install(db)
    access.install_memory()
    app.url_value_preprocessor(access.resolve_network)
    app.url_defaults(access.add_network_slug)
    app.teardown_request(_forget_network)


def _forget_network(exc: BaseException | None = None) -> None:
    context.clear()
