"""The composition root: `create_app` reads like a table of contents.

This package is the only code under `saas/` that imports `blueprints/` or `workers/`: it puts the
layers together (extensions, the tenancy hooks, the relays that hand committed work to RQ, the
blueprints, error pages, navigation, the command line). `FLASK_APP=saas.app:create_app`.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from blueprints.admin import bp as admin_bp
from blueprints.api import auth as api_auth
from blueprints.api import bp as api_bp
from blueprints.api.tokens import bp as api_tokens_bp
from blueprints.auth import bp as auth_bp
from blueprints.auth import require_second_factor
from blueprints.billing import bp as billing_bp
from blueprints.billing import guard as billing_guard
from blueprints.catalogue import bp as catalogue_bp
from blueprints.dev import bp as dev_bp
from blueprints.hsds import bp as hsds_bp
from blueprints.hsds_profile import bp as hsds_profile_bp
from blueprints.municipality import bp as municipality_bp
from blueprints.network import bp as network_bp
from blueprints.partner import bp as partner_bp
from blueprints.public import bp as public_bp
from blueprints.referrals import bp as referrals_bp
from blueprints.site import bp as site_bp
from blueprints.social_economy import bp as se_bp
from saas import caching as public_cache
from saas import i18n, security
from saas.accounts import factors
from saas.accounts import sessions as login_sessions
from saas.app import cli, errors, models, navigation
from saas.audit import security as security_events
from saas.catalogue import display
from saas.config import ROOT, load_settings
from saas.extensions import babel, bootstrap, cache, csrf, db, limiter, login_manager, migrate
from saas.insights import cache as health_cache
from saas.operations import logs, metrics
from saas.urls import MAX_ID, stylesheets, url_for_each
from tenants.setup import init_app as init_tenancy
from workers import cli as worker_cli
from workers import insights_jobs, queues, relays, schedule

__all__ = ["create_app", "models"]  # models: every table, so the metadata and Alembic know them


def create_app(overrides: dict | None = None, environ: dict | None = None) -> Flask:
    settings = load_settings(environ)
    app = Flask(
        "saas",
        instance_path=str(settings.instance_path),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(settings.as_flask_config())
    app.config.from_mapping(overrides or {})
    # The queues and periodic jobs, for the admin's job page and the metrics (saas.operations),
    # which do not import the workers.
    app.config["DORP_QUEUES"] = queues.ALL
    app.config["DORP_PERIODIC"] = [
        (f"{job.__module__}.{job.__name__}", interval) for job, interval in schedule.PERIODIC
    ]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    # JSON or text, masked (no live reset, invitation or feed key), a line and an id per request
    logs.configure(app)

    db.init_app(app)
    metrics.install(app)  # /metrics; requests counted after the commit, pool use
    migrate.init_app(app, db, directory=str(ROOT / "saas" / "migrations"))
    csrf.init_app(app)
    bootstrap.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=i18n.compile_catalogues(app.instance_path),
    )
    limiter.init_app(app)
    cache.init_app(app)
    security.init_app(app)
    login_manager.init_app(app)
    login_sessions.install(app)  # every sign-in: where from, and a new device e-mailed

    app.url_map.converters["int"] = BoundedInt
    app.jinja_env.globals.update(url_for_each=url_for_each, stylesheets=stylesheets)
    init_tenancy(app, db)
    app.after_request(_commit)
    relays.install()  # outbox e-mail, Stripe events, roster solves, matching: after the commit
    health_cache.install(insights_jobs.enqueue_refresh)  # figures worked out again by a job
    public_cache.install()  # the families' pages, feeds and HSDS: a new version per change
    navigation.install()
    factors.install()  # a tightened two-factor rule: open sessions ask it again
    _register_blueprints(app)
    _who_acts_then_what_they_may(app)
    errors.register(app)
    i18n.register(app)
    navigation.register(app)
    display.register(app)
    cli.register_commands(app)
    worker_cli.register_commands(app)
    return app


def _who_acts_then_what_they_may(app: Flask) -> None:
    """In this order, on every request, for the web and the API alike: first who acts (an API
    request signs in by its token; a web page's session loads itself when asked), then the rules
    that depend on it (someone who must have two factors only sets one up; a read-only network
    takes no writes from anyone)."""
    app.before_request(api_auth.authenticate)
    app.before_request(require_second_factor)  # two factors where the rule asks for them
    app.before_request(billing_guard.refuse_writes_when_read_only)


class BoundedInt(IntegerConverter):
    """Ids fit a 32-bit column: a larger number is a plain 404, not a database error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _commit(response):
    """The request commits once, after the view; a failed request rolls back. Then the attempts
    it noted (a failed or throttled sign-in...) are written whatever it did."""
    if response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()
    security_events.keep_recorded()
    return response


def _register_blueprints(app: Flask) -> None:
    for bp in (
        site_bp,
        auth_bp,
        admin_bp,
        network_bp,
        catalogue_bp,
        referrals_bp,
        partner_bp,
        se_bp,
        municipality_bp,
        billing_bp,
        api_tokens_bp,
        hsds_bp,
        hsds_profile_bp,
    ):
        app.register_blueprint(bp)
    csrf.exempt(api_bp)  # token-authenticated JSON: no cookies, so no cross-site forgery
    app.register_blueprint(api_bp)
    if app.config["DEV_INBOX"]:
        app.register_blueprint(dev_bp)
    app.register_blueprint(public_bp)  # last: /<slug>/ catches what nothing else claimed
