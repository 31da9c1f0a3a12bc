"""The real worker process, the periodic schedule, and models that match their migrations."""

from __future__ import annotations

import os
import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select

from saas.extensions import db
from saas.notifications.models import OutboxMessage, OutboxState
from tenants.models import Role
from tests import factories as f


def test_models_and_migrations_agree(app, environ):
    engine = create_engine(environ["DATABASE_ADMIN_URL"])
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
        )
    engine.dispose()
    assert diff == [], f"models differ from migrations; run `flask db migrate`: {diff}"


def test_flask_worker_delivers_queued_mail_in_a_forked_process(app, client, environ):
    net = f.network(app, "beringen")
    steward = f.user(app, "regie@beringen.example", (net, Role.STEWARD))
    f.login(client, steward)
    client.post(
        "/beringen/network/partners/invite",
        data={"name": "CKG", "sector": "welfare", "contact_email": "ckg@ckg.example"},
    )
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "saas.app:create_app", "worker", "--burst"],
        env={**os.environ, **environ},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    with app.app_context():
        message = db.session.execute(select(OutboxMessage)).scalar_one()
        assert message.state == OutboxState.SENT
    from tests.mail import links_in_mailbox

    assert links_in_mailbox(environ, "ckg@ckg.example", "/beringen/invitation/")


def test_periodic_jobs_register_with_the_cron_scheduler(app):
    from rq.cron import CronScheduler

    from saas.connections import redis_connection
    from workers.schedule import PERIODIC

    with app.app_context():
        cron = CronScheduler(connection=redis_connection())
        for job_fn, interval in PERIODIC:
            cron.register(job_fn, job_fn.queue_name, interval=interval)
        names = {j.func_name for j in cron.get_jobs()}
    assert names == {f"{fn.__module__}.{fn.__name__}" for fn, _interval in PERIODIC}
    assert "workers.jobs.referral_deadlines" in names and "workers.jobs.purge_referrals" in names


def test_purge_removes_idle_sessions_and_dead_invitations(app, client):
    from datetime import timedelta

    from saas.accounts.models import LoginSession
    from saas.models_base import utcnow
    from workers.jobs import purge_expired

    net = f.network(app, "beringen")
    steward = f.user(app, "regie@beringen.example", (net, Role.STEWARD))
    f.login(client, steward)
    with app.app_context():
        db.session.execute(
            LoginSession.__table__.update().values(last_seen_at=utcnow() - timedelta(days=30))
        )
        db.session.commit()
    assert client.get("/beringen/dashboard").status_code == 302  # idle too long: logged out
    with app.app_context():
        assert purge_expired()["login_sessions"] == 0  # the request already ended it
        assert db.session.execute(select(LoginSession)).first() is None
