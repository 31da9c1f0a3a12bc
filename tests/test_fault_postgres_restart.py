"""Faults: PostgreSQL restarts while partners create referrals.

A private PostgreSQL server (initdb in a temporary folder, its own port) is restarted under load,
so the shared test server is never touched. Afterwards every referral a partner was told about is
saved, each one's e-mail is delivered exactly once, nobody saw a 500 (a 503 page with a retry
instead), and the same app answers again without a restart.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from glob import glob
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import func, select

from saas.database import upgrade_database
from saas.extensions import db
from saas.notifications.models import OutboxMessage, OutboxState
from saas.partners.models import Sector
from saas.referrals.models import Referral
from tenants.context import network_scope
from tenants.models import Role
from tests import factories as f
from tests.conftest import free_port, job_runner
from tests.test_referrals import FAMILY

pytestmark = pytest.mark.postgres

BINARIES = sorted(glob("/usr/lib/postgresql/*/bin/initdb"))


def _as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class PrivatePostgres:
    def __init__(self):
        self.bin = Path(BINARIES[-1]).parent
        self.root = Path(tempfile.mkdtemp(prefix="dorp-pg-"))
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.data = self.root / "data"

    def run(self, *args: str) -> None:
        # no pipes: the server started by pg_ctl would inherit them and keep them open
        subprocess.run(
            [*_as_postgres(), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
        )

    def start(self) -> None:
        self.run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.root / "log"), "-w", "start",
        )  # fmt: skip

    def restart(self) -> None:
        self.run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"),
            "-m", "fast", "-w", "restart",
        )  # fmt: skip

    def stop(self) -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def private_postgres():
    if not BINARIES:
        pytest.skip("PostgreSQL server binaries are not installed")
    server = PrivatePostgres()
    server.start()
    yield server
    server.stop()


def test_postgres_restarted_under_load_loses_no_referral_and_mails_once(
    private_postgres, make_app, environ
):
    url = f"postgresql://postgres@127.0.0.1:{private_postgres.port}/postgres"
    mail = Path(tempfile.mkdtemp(prefix="dorp-mail-"))
    app = make_app(
        env={
            "DATABASE_ADMIN_URL": url,
            "DATABASE_URL": url.replace("postgres@", "dorp_app_fault@"),
            "MAIL_URL": f"file://{mail}",
        }
    )
    # As in production: a commit that fails after the view (in `after_request`) reaches the error
    # handlers as a 500 wrapping the database error, which they answer with a 503. Testing mode
    # would re-raise it into the test client instead.
    app.config["PROPAGATE_EXCEPTIONS"] = False
    upgrade_database(app)
    Redis.from_url(environ["REDIS_URL"]).flushdb()
    net = f.network(app, "beringen")
    ocmw = f.partner(app, net, "OCMW Beringen")
    kg = f.partner(app, net, "Kind & Gezin", Sector.HEALTH)
    f.user(app, "cas@kg.example", (net, Role.PARTNER_ADMIN, kg), name="Cas")
    senders = [
        f.user(app, f"an{i}@ocmw.example", (net, Role.PARTNER_ADMIN, ocmw), name=f"An {i}")
        for i in range(3)
    ]
    data = {"from_partner_id": ocmw.id, "to_partner_id": kg.id, **FAMILY}

    told: list[int] = []  # referrals whose creation the partner saw succeed
    statuses: list[int] = []
    stop = threading.Event()
    lock = threading.Lock()

    def partner(who):
        client = app.test_client()
        f.login(client, who)
        while not stop.is_set():
            try:
                response = client.post("/beringen/referrals/new", data=data)
            except Exception as exc:  # recorded, so the test fails saying what
                with lock:
                    statuses.append(repr(exc))
                return
            with lock:
                statuses.append(response.status_code)
                if response.status_code == 302:
                    told.append(int(response.headers["Location"].rstrip("/").split("/")[-1]))
            if response.status_code == 503:
                assert response.headers["Retry-After"]
                time.sleep(0.05)

    threads = [threading.Thread(target=partner, args=(s,)) for s in senders]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    private_postgres.restart()
    time.sleep(1.5)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    assert set(statuses) <= {302, 503}, statuses  # never a 500
    assert 503 in statuses  # the restart did happen under load
    assert told, "no referral was created"
    # the same app answers again, without a restart
    client = app.test_client()
    f.login(client, senders[0])
    response = client.post("/beringen/referrals/new", data=data)
    assert response.status_code == 302
    told.append(int(response.headers["Location"].rstrip("/").split("/")[-1]))

    with app.app_context(), network_scope(net.id):
        saved = set(db.session.execute(select(Referral.id)).scalars())
        assert set(told) <= saved
        assert len(saved) <= len(statuses) + 1
        queued = db.session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one()
    assert queued == len(saved)  # one e-mail to the receiver per referral, none for a rollback

    job_runner(app)()
    with app.app_context():
        states = db.session.execute(select(OutboxMessage.state)).scalars().all()
    assert set(states) == {OutboxState.SENT}
    assert len(list(mail.glob("*.eml"))) == len(saved)
    shutil.rmtree(mail, ignore_errors=True)
