"""The one job decorator: queue, timeouts, retries, and a guard that jobs take ids only.

    @job(NOTIFICATIONS)
    def deliver_email(message_id: int): ...

    deliver_email.enqueue(message.id)

Jobs run inside the app: `flask worker` (workers.cli) starts RQ within an app context, which
each forked work horse inherits; tests run them with a SimpleWorker inside `app.app_context()`.
Each forked process gets a fresh database connection pool, and no network is set: the job sets
its own (tenants.context.network_scope).
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable

from flask import has_app_context
from rq import Retry

from saas.extensions import db
from saas.operations.logs import job_line
from workers.queues import queue

_pool_pid: int | None = None


class JobArgumentError(TypeError):
    """Jobs take ids (ints or short id strings), never objects or personal data."""


def _check_args(args: tuple) -> None:
    for arg in args:
        if isinstance(arg, bool) or not isinstance(arg, int | str):
            raise JobArgumentError(f"job arguments must be ids, got {type(arg).__name__}")
        if isinstance(arg, str) and (len(arg) > 64 or "@" in arg or " " in arg):
            raise JobArgumentError("job string arguments must be short ids")


def _fresh_pool_after_fork() -> None:
    global _pool_pid
    if _pool_pid != os.getpid():
        for engine in db.engines.values():
            engine.dispose(close=False)
        _pool_pid = os.getpid()


def job(queue_name: str, *, timeout: int = 300, retries: int = 3, failure_ttl: int = 7 * 24 * 3600):
    def decorator(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def run(*args):
            if not has_app_context():
                raise RuntimeError(
                    f"{fn.__name__} runs inside the app: start workers with `flask worker`"
                )
            _fresh_pool_after_fork()
            started = time.perf_counter()
            outcome = "failed"
            try:
                result = fn(*args)
                outcome = "done"
                return result
            finally:  # one line per job, with its id and queue (saas.operations.logs)
                job_line(outcome, round((time.perf_counter() - started) * 1000, 1), fn.__name__)

        def enqueue(*args, **options):
            _check_args(args)
            return queue(queue_name).enqueue(
                run,
                *args,
                job_timeout=timeout,
                failure_ttl=failure_ttl,
                retry=Retry(max=retries, interval=[10, 60, 300][:retries]) if retries else None,
                **options,
            )

        def enqueue_in(delay, *args, **options):
            """The same, run once `delay` (a timedelta) has passed (the workers' scheduler)."""
            _check_args(args)
            return queue(queue_name).enqueue_in(
                delay,
                run,
                *args,
                job_timeout=timeout,
                failure_ttl=failure_ttl,
                retry=Retry(max=retries, interval=[10, 60, 300][:retries]) if retries else None,
                **options,
            )

        run.enqueue = enqueue
        run.enqueue_in = enqueue_in
        run.queue_name = queue_name
        return run

    return decorator
