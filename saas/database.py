"""Bringing a database up to date: migrations as the owner, then the app role's grants."""

from __future__ import annotations

import logging

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from tenants.rls import setup_app_role

log = logging.getLogger(__name__)


def upgrade_database(app: Flask) -> None:

    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        app_url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        admin_url = make_url(app.config["DATABASE_ADMIN_URL"])
        if app_url.get_backend_name() != "postgresql":
            return
        if app_url.username == admin_url.username:
            log.warning(
                "DATABASE_URL connects as the table owner %r: row-level security is not enforced. "
                "Set DATABASE_ADMIN_URL to the owner and DATABASE_URL to an application role.",
                app_url.username,
            )
            return

        engine = create_engine(admin_url, hide_parameters=True)
        try:
            setup_app_role(engine, app_url.username, app_url.password)
        finally:
            engine.dispose()
