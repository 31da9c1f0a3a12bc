"""An operator's Prometheus scrapes /metrics with its token and watches requests, latency, the
queues, the backlogs, the scheduler and the database pool move, also across gunicorn's processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from rq.cron import CronScheduler
from sqlalchemy import update

from saas.connections import redis_connection
from saas.extensions import db
from saas.models_base import utcnow
from saas.notifications.models import OutboxMessage
from tenants.models import Role
from tests import factories as f
from tests.conftest import free_port
from tests.test_job_operations import STEWARD, a_password_reset, failed_delivery
from workers.queues import NOTIFICATIONS
from workers.schedule import PERIODIC

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "metrics-token-for-the-tests-0123456789abcdef"
SWEEP = "workers.relays.sweep"


@pytest.fixture
def monitored(app, make_app):
    """The app with a metrics token, on the same database and Redis."""
    return make_app(env={"METRICS_TOKEN": TOKEN})


def scrape(client) -> dict:
    """{(name, frozenset(labels)): value} of one scrape."""
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"].startswith("text/plain")
    return parse(response.get_data(as_text=True))


def parse(text: str) -> dict:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(figures: dict, name: str, **labels) -> float:
    return figures.get((name, frozenset(labels.items())), 0.0)


def test_without_a_token_configured_there_is_no_metrics_endpoint(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer x"}).status_code == 404


def test_the_metrics_need_the_token(monitored):
    client = monitored.test_client()
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN[:-1]}x"})
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401
    assert "dorp_http_requests_total" not in wrong.get_data(as_text=True)


def test_requests_are_counted_and_timed_by_endpoint_and_status(monitored):
    client = monitored.test_client()
    before = scrape(client)
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert client.get("/nergens/catalogue/").status_code == 404
    after = scrape(client)

    ok = {"endpoint": "site.healthz", "method": "GET", "status": "200"}
    assert (
        value(after, "dorp_http_requests_total", **ok)
        - value(before, "dorp_http_requests_total", **ok)
        == 3
    )
    missing = {"endpoint": "catalogue.index", "method": "GET", "status": "404"}
    missing_before = value(before, "dorp_http_requests_total", **missing)
    assert value(after, "dorp_http_requests_total", **missing) == missing_before + 1
    timed = {"endpoint": "site.healthz", "status": "200"}
    count = "dorp_http_request_duration_seconds_count"
    assert value(after, count, **timed) - value(before, count, **timed) == 3
    assert value(after, "dorp_http_request_duration_seconds_sum", **timed) > value(
        before, "dorp_http_request_duration_seconds_sum", **timed
    )
    slowest = value(after, "dorp_http_request_duration_seconds_bucket", le="+Inf", **timed)
    assert slowest == value(after, count, **timed)
    assert not any("beringen" in str(labels) for _name, labels in after)


def test_queues_backlogs_and_failures_move_with_the_jobs(monitored, app, make_app, run_jobs):
    client = monitored.test_client()
    empty = scrape(client)
    assert value(empty, "dorp_rq_queue_length", queue=NOTIFICATIONS) == 0
    assert value(empty, "dorp_outbox_waiting") == 0
    assert value(empty, "dorp_redis_up") == 1

    message_id = a_password_reset(app)  # one e-mail written and its job queued
    with app.app_context():
        db.session.execute(update(OutboxMessage).values(created_at=utcnow().replace(year=2025)))
        db.session.commit()
    queued = scrape(client)
    assert value(queued, "dorp_rq_queue_length", queue=NOTIFICATIONS) == 1
    assert value(queued, "dorp_outbox_waiting") == 1
    assert value(queued, "dorp_outbox_oldest_age_seconds") > 24 * 3600

    broken = make_app(env={"MAIL_URL": f"smtp://127.0.0.1:{free_port()}?timeout=2"})
    failed_delivery(app, broken, message_id)
    failing = scrape(client)
    assert value(failing, "dorp_rq_failed_jobs", queue=NOTIFICATIONS) == 1
    assert value(failing, "dorp_rq_queue_length", queue=NOTIFICATIONS) == 0
    assert value(failing, "dorp_outbox_waiting") == 1  # failed, still to be sent

    with app.app_context():
        from saas.operations import backlog

        assert backlog.send_message_again(message_id)
        db.session.commit()
    run_jobs()
    done = scrape(client)
    assert value(done, "dorp_outbox_waiting") == 0
    assert value(done, "dorp_outbox_oldest_age_seconds") == 0
    assert value(done, "dorp_stripe_events_waiting") == 0


def test_the_scheduler_reports_when_it_last_queued_each_periodic_job(monitored):
    client = monitored.test_client()
    before = scrape(client)
    assert value(before, "dorp_scheduler_interval_seconds", job=SWEEP) == 60
    assert ("dorp_scheduler_last_run_timestamp_seconds", frozenset({("job", SWEEP)})) not in before

    with monitored.app_context():
        cron = CronScheduler(connection=redis_connection())
        for job_fn, interval in PERIODIC:
            cron.register(job_fn, job_fn.queue_name, interval=interval)
        cron.register_birth()
        cron.heartbeat()
        started = time.time()
        assert len(cron.enqueue_jobs()) == len(PERIODIC)  # the first round queues each job once
    after = scrape(client)
    for job_fn, _interval in PERIODIC:
        name = f"{job_fn.__module__}.{job_fn.__name__}"
        last = value(after, "dorp_scheduler_last_run_timestamp_seconds", job=name)
        assert started - 5 < last <= time.time(), name
    assert started - 5 < value(after, "dorp_scheduler_heartbeat_timestamp_seconds") <= time.time()


def test_the_database_pool_in_use_is_reported(monitored):
    client = monitored.test_client()
    figures = scrape(client)  # the scrape itself holds a connection while it reads the backlogs
    assert ("dorp_db_pool_checked_out", frozenset()) in figures
    assert value(figures, "dorp_db_pool_checked_out") >= 0
    assert ("dorp_db_pool_capacity", frozenset()) in figures


# --- gunicorn with several processes ---------------------------------------------------------


def test_gunicorn_workers_add_up_in_one_scrape(app, environ, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        **environ,
        "DORP_ENV": "testing",
        "METRICS_TOKEN": TOKEN,
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "WEB_THREADS": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "DORP_LOG_FORMAT": "json",
        "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path]),
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            str(ROOT / "infra" / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "saas.app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, server)
        # until both processes have counted a request (a busy machine boots the second one late),
        # so that every scrape below must add up the counters of two processes
        deadline = time.monotonic() + 60
        while len(list((tmp_path / "metrics").glob("counter_*.db"))) < 2:
            assert time.monotonic() < deadline, "the second worker process never answered"
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(lambda _: _get(f"{base}/healthz"), range(8)))
        before = parse(requests.get(f"{base}/metrics", headers=_auth(), timeout=10).text)
        with ThreadPoolExecutor(8) as pool:  # at once, so that both processes answer some
            statuses = list(pool.map(lambda _: _get(f"{base}/healthz"), range(40)))
        assert statuses == [200] * 40
        figures = [
            parse(requests.get(f"{base}/metrics", headers=_auth(), timeout=10).text)
            for _ in range(4)
        ]
        files = list((tmp_path / "metrics").glob("counter_*.db"))
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    ok = {"endpoint": "site.healthz", "method": "GET", "status": "200"}
    # each scrape, whichever process answers it, counts the 40 requests of both processes
    counted = value(before, "dorp_http_requests_total", **ok)  # the waits for the start
    assert [value(fig, "dorp_http_requests_total", **ok) - counted for fig in figures] == [40] * 4
    assert len(files) == 2, "two worker processes wrote their counters"
    lines = [line for line in err.decode().splitlines() if line.startswith("{")]
    assert lines, "gunicorn and the app logged JSON"


def _get(url: str) -> int:
    return requests.get(url, timeout=10).status_code


def _auth() -> dict:
    return {"Authorization": f"Bearer {TOKEN}"}


def _wait_for(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(server.stderr.read().decode()[-3000:])
        try:
            if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.3)
    raise AssertionError("gunicorn did not answer in time")


def test_labels_never_name_a_network_or_a_person(monitored, app):
    net = f.network(app, "beringen")
    steward = f.user(app, STEWARD, (net, Role.STEWARD), name="Els Regie")
    client = monitored.test_client()
    f.login(client, steward)
    assert client.get("/beringen/network/partners").status_code == 200
    text = client.get("/metrics", headers=_auth()).get_data(as_text=True)
    assert 'endpoint="network.partners_list"' in text
    assert "beringen" not in text and STEWARD not in text and "Els" not in text
