"""Faults: a worker killed in the middle of a job; its e-mail is still delivered, once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from saas.extensions import db
from saas.models_base import utcnow
from saas.notifications.models import OutboxMessage, OutboxState
from tenants.models import Role
from tests import factories as f
from tests.conftest import free_port


class SlowInbox:
    """While `slow`, holds every message unanswered until its sender goes away: a transaction
    that never got its "250 OK" is not delivered (the sender will try again)."""

    def __init__(self):
        self.delivered = []
        self.slow = True

    async def handle_DATA(self, server, session, envelope):
        if self.slow:
            while not server.transport.is_closing():
                await asyncio.sleep(0.05)
            return "451 sender went away"
        self.delivered.append(envelope)
        return "250 OK"


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _state(app) -> OutboxMessage:
    with app.app_context():
        return db.session.execute(select(OutboxMessage)).scalar_one()


def test_a_worker_killed_mid_job_is_recovered_and_mails_once(app, make_app, environ):
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        smtp_env = {"MAIL_URL": f"smtp://127.0.0.1:{controller.port}?timeout=60"}
        smtp_app = make_app(env=smtp_env)
        net = f.network(app, "beringen")
        steward = f.user(app, "regie@beringen.example", (net, Role.STEWARD))
        client = smtp_app.test_client()
        f.login(client, steward)
        client.post(
            "/beringen/network/partners/invite",
            data={"name": "CKG", "sector": "welfare", "contact_email": "ckg@ckg.example"},
        )
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "saas.app:create_app", "worker", "--burst"],
            env={**os.environ, **environ, **smtp_env},
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while _state(app).state != OutboxState.SENDING:  # the job has started sending
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.2)
        for pid in _children(worker.pid):  # RQ's work horse runs in its own session
            os.kill(pid, signal.SIGKILL)
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its work horse die mid-send
        worker.wait(timeout=10)
        assert _state(app).state == OutboxState.SENDING and inbox.delivered == []

        inbox.slow = False
        from workers.relays import sweep

        with smtp_app.app_context():
            assert sweep()["outbox"] == 0  # too early: maybe it is still being sent
            db.session.execute(
                update(OutboxMessage).values(sending_since=utcnow() - timedelta(minutes=11))
            )
            db.session.commit()
            assert sweep()["outbox"] == 1  # stale: handed to a worker again
            from rq import SimpleWorker

            from saas.connections import redis_connection
            from workers.queues import ALL, queue

            SimpleWorker([queue(n) for n in ALL], connection=redis_connection()).work(burst=True)
        message = _state(app)
        assert message.state == OutboxState.SENT and message.attempts == 2
        assert [e.rcpt_tos for e in inbox.delivered] == [["ckg@ckg.example"]]
        assert f"dorp-outbox-{message.id}@" in inbox.delivered[0].content.decode()
    finally:
        controller.stop()
