"""Prometheus metrics at `/metrics`, for a scraper that sends `Authorization: Bearer $METRICS_TOKEN`
(without METRICS_TOKEN there is no endpoint: 404).

Two kinds of figures:

- counted as they happen, in every web process: requests by endpoint, method and status, their
  duration by endpoint and status, and the database connections checked out of the pool. Under
  gunicorn each process writes them to files in PROMETHEUS_MULTIPROC_DIR and the scrape adds them
  up (prometheus_client's multiprocess mode; infra/gunicorn.conf.py sets the folder up and marks
  a finished worker's files dead);
- read at scrape time, from Redis and the database, by the process that answers: each RQ queue's
  waiting, running, scheduled and failed jobs, the workers listening, the e-mail and Stripe-event
  backlogs and the age of their oldest row, and when the scheduler last queued each periodic job.

Labels carry route endpoints, queue and job names: never a network's slug, an id or a person.
"""

from __future__ import annotations

import hmac
import os
import time

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from redis.exceptions import RedisError
from rq import cron_job_registry, cron_scheduler_registry
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import Pool, QueuePool

from saas.connections import redis_connection
from saas.extensions import db
from saas.operations import backlog
from saas.operations import jobs as rq_jobs

REQUESTS = Counter(
    "dorp_http_requests",
    "HTTP requests answered, by route endpoint, method and status.",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "dorp_http_request_duration_seconds",
    "Time from the start of a request to its response (after the commit), by endpoint and status.",
    ["endpoint", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
POOL_CHECKED_OUT = Gauge(
    "dorp_db_pool_checked_out",
    "Database connections checked out of the pool now, summed over the live processes.",
    multiprocess_mode="livesum",
)
POOL_CAPACITY = Gauge(
    "dorp_db_pool_capacity",
    "Connections the pools may hold (size plus overflow), summed over the live processes.",
    multiprocess_mode="livesum",
)
# prometheus_client chose file-backed values on import when the folder was named (gunicorn).
MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
NO_ENDPOINT = "none"  # a URL that matched no route (404 before any view)


def install(app: Flask) -> None:
    """Count this app's requests (after saas.operations.logs, whose start time they use) and its
    pool's connections, and serve /metrics."""
    app.after_request(_observe)
    app.add_url_rule("/metrics", "metrics", metrics_view)
    _count_pool_use()
    with app.app_context():
        for engine in db.engines.values():
            POOL_CAPACITY.inc(_capacity(engine.pool))


def _observe(response: Response) -> Response:
    started = g.get("request_started")
    endpoint = request.endpoint or NO_ENDPOINT
    status = str(response.status_code)
    REQUESTS.labels(endpoint, request.method, status).inc()
    if started is not None:
        LATENCY.labels(endpoint, status).observe(time.perf_counter() - started)
    return response


_pool_events = False


def _count_pool_use() -> None:
    """Every pool of the process (once): a checkout adds one, a checkin takes it back."""
    global _pool_events
    if _pool_events:
        return
    _pool_events = True
    event.listen(Pool, "checkout", lambda *_args: POOL_CHECKED_OUT.inc())
    event.listen(Pool, "checkin", lambda *_args: POOL_CHECKED_OUT.dec())


def _capacity(pool: Pool) -> int:
    """A queue pool's size plus overflow; 0 for pools without a bound (SQLite's)."""
    if not isinstance(pool, QueuePool):
        return 0
    return pool.size() + max(pool._max_overflow, 0)


def metrics_view() -> Response:
    token = current_app.config.get("METRICS_TOKEN", "")
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        response = Response("a bearer token is required\n", 401, mimetype="text/plain")
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    response = Response(generate_latest(registry()), mimetype=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def registry() -> CollectorRegistry:
    """What a scrape reads: every process's counted figures, and the state read now."""
    if MULTIPROCESS:
        scraped = CollectorRegistry()
        MultiProcessCollector(scraped)
    else:
        scraped = CollectorRegistry()
        scraped.register(_Default())
    scraped.register(StateCollector())
    return scraped


class _Default:
    """The process's own registry (one process: counters live in memory)."""

    def collect(self):
        yield from REGISTRY.collect()


class StateCollector:
    """Queues, workers, backlogs and the scheduler, read at each scrape."""

    def collect(self):
        yield from self._queues()
        yield from self._backlogs()
        yield from self._scheduler()

    def _queues(self):
        waiting = GaugeMetricFamily(
            "dorp_rq_queue_length", "Jobs waiting in each RQ queue.", labels=["queue"]
        )
        running = GaugeMetricFamily(
            "dorp_rq_running_jobs", "Jobs being run, by queue.", labels=["queue"]
        )
        scheduled = GaugeMetricFamily(
            "dorp_rq_scheduled_jobs",
            "Jobs scheduled for later (retries included), by queue.",
            labels=["queue"],
        )
        failed = GaugeMetricFamily(
            "dorp_rq_failed_jobs",
            "Failed jobs kept in each queue's failed registry.",
            labels=["queue"],
        )
        workers = GaugeMetricFamily("dorp_rq_workers", "RQ workers registered in Redis.")
        up = GaugeMetricFamily("dorp_redis_up", "1 when Redis answered this scrape.")
        try:
            for q in rq_jobs.queues():
                waiting.add_metric([q.name], q.waiting)
                running.add_metric([q.name], q.running)
                scheduled.add_metric([q.name], q.scheduled)
                failed.add_metric([q.name], q.failed)
            workers.add_metric([], len(rq_jobs.workers()))
            up.add_metric([], 1)
        except RedisError:
            up.add_metric([], 0)
            yield up
            return
        yield from (waiting, running, scheduled, failed, workers, up)

    def _backlogs(self):
        try:
            outbox, stripe = backlog.outbox_backlog(), backlog.stripe_backlog()
            db.session.rollback()
        except SQLAlchemyError:
            db.session.rollback()
            return
        for prefix, what, figures in (
            ("dorp_outbox", "E-mails", outbox),
            ("dorp_stripe_events", "Stripe events", stripe),
        ):
            yield GaugeMetricFamily(
                f"{prefix}_waiting",
                f"{what} not done with (pending, being handled, failed).",
                value=figures.waiting,
            )
            age = figures.oldest_age.total_seconds() if figures.oldest_age is not None else 0
            yield GaugeMetricFamily(
                f"{prefix}_oldest_age_seconds",
                f"Age of the oldest of those {what.lower()} (0 when none waits).",
                value=age,
            )

    def _scheduler(self):
        last = GaugeMetricFamily(
            "dorp_scheduler_last_run_timestamp_seconds",
            "When the scheduler last queued each periodic job (Unix time; absent: never).",
            labels=["job"],
        )
        interval = GaugeMetricFamily(
            "dorp_scheduler_interval_seconds",
            "How often each periodic job should run.",
            labels=["job"],
        )
        heartbeat = GaugeMetricFamily(
            "dorp_scheduler_heartbeat_timestamp_seconds",
            "The newest heartbeat of a running scheduler (Unix time; absent: none runs).",
        )
        try:
            connection = redis_connection()
            for name, seconds in current_app.config.get("DORP_PERIODIC", ()):
                interval.add_metric([name], seconds)
                score = connection.zscore(cron_job_registry.get_registry_key(), name)
                if score is not None:
                    last.add_metric([name], score)
            beats = connection.zrange(
                cron_scheduler_registry.get_registry_key(), -1, -1, withscores=True
            )
        except RedisError:
            return
        if beats:
            heartbeat.add_metric([], beats[0][1])
        yield from (last, interval, heartbeat)
