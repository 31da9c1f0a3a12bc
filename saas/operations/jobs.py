"""The RQ queues as the platform admin sees them: how much waits, which workers listen, which jobs
failed and why, and retrying or deleting failed jobs one by one or all of a kind.

The queue names come from the composition root (`DORP_QUEUES`, workers.queues.ALL): this layer
does not import the workers. What a page shows of a job is its id, queue, function and arguments,
which are ids only (workers.decorators refuses anything else), and the last line of its error,
masked like the logs (no key from a URL, no e-mail address).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from redis import Redis
from rq import Queue, Worker
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry
from rq.results import Result

from saas.connections import redis_connection
from saas.logmask import mask

JOB_ID = re.compile(r"^[A-Za-z0-9_\-:.]{1,100}$")
ERROR_LENGTH = 200
SHOWN = 100  # failed jobs listed on the page, newest first
SCANNED = 1000  # the newest failed jobs of each queue that the page reads (the counts read all)


class JobNotFound(LookupError):
    """No failed job with that id (it was retried, deleted or has expired meanwhile)."""


@dataclass(frozen=True)
class QueueState:
    name: str
    waiting: int
    running: int
    scheduled: int
    failed: int


@dataclass(frozen=True)
class WorkerState:
    name: str
    state: str
    queues: tuple[str, ...]
    current_job_id: str | None
    last_heartbeat: datetime | None


@dataclass(frozen=True)
class FailedJob:
    id: str
    queue: str
    kind: str  # the job's function, e.g. workers.jobs.deliver_email
    args: tuple
    failed_at: datetime | None
    error: str


@dataclass(frozen=True)
class FailedKind:
    queue: str
    kind: str
    count: int


def queue_names() -> tuple[str, ...]:
    return tuple(current_app.config["DORP_QUEUES"])


def _connection() -> Redis:
    return redis_connection()


def _queue(name: str) -> Queue:
    if name not in queue_names():
        raise JobNotFound(name)
    return Queue(name, connection=_connection())


def queues() -> list[QueueState]:
    states = []
    for name in queue_names():
        queue = _queue(name)
        states.append(
            QueueState(
                name=name,
                waiting=queue.count,
                running=queue.started_job_registry.count,
                scheduled=queue.scheduled_job_registry.count + queue.deferred_job_registry.count,
                failed=queue.failed_job_registry.count,
            )
        )
    return states


def workers() -> list[WorkerState]:
    return [
        WorkerState(
            name=worker.name,
            state=str(worker.get_state()),
            queues=tuple(worker.queue_names()),
            current_job_id=worker.get_current_job_id(),
            last_heartbeat=worker.last_heartbeat,
        )
        for worker in sorted(Worker.all(connection=_connection()), key=lambda w: w.name)
    ]


def _error(job: Job) -> str:
    """The last line of the job's traceback (the exception and its message), without a key from
    a URL or an e-mail address."""
    result = job.latest_result()
    text = result.exc_string if result is not None and result.type == Result.Type.FAILED else ""
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    last = lines[-1].strip() if lines else ""
    return mask(last)[:ERROR_LENGTH]


def _failed(job: Job, queue: str) -> FailedJob:
    return FailedJob(
        id=job.id,
        queue=queue,
        kind=job.func_name or "",
        args=tuple(arg for arg in job.args if isinstance(arg, int | str)),
        failed_at=job.ended_at,
        error=_error(job),
    )


def _failed_jobs_of(queue: str, limit: int | None = None) -> list[Job]:
    """A queue's failed jobs, newest first (the newest `limit` of them)."""
    registry = FailedJobRegistry(queue, connection=_connection())
    ids = registry.get_job_ids(0, -1 if limit is None else limit - 1, desc=True)
    return [job for job in Job.fetch_many(ids, connection=_connection()) if job is not None]


def failed_jobs(limit: int = SHOWN) -> list[FailedJob]:
    """The newest failed jobs of every queue, newest first."""
    found = [_failed(job, name) for name in queue_names() for job in _failed_jobs_of(name, limit)]
    found.sort(key=lambda j: j.failed_at or datetime.min, reverse=True)
    return found[:limit]


def failed_kinds() -> list[FailedKind]:
    """How many failed jobs each queue holds of each kind (among its newest SCANNED)."""
    counts: dict[tuple[str, str], int] = {}
    for name in queue_names():
        for job in _failed_jobs_of(name, SCANNED):
            key = (name, job.func_name or "")
            counts[key] = counts.get(key, 0) + 1
    return [FailedKind(q, k, n) for (q, k), n in sorted(counts.items())]


def failed_job(job_id: str) -> FailedJob:
    """One failed job by id, or JobNotFound."""
    if not JOB_ID.match(job_id or ""):
        raise JobNotFound(job_id)
    try:
        job = Job.fetch(job_id, connection=_connection())
    except NoSuchJobError as exc:
        raise JobNotFound(job_id) from exc
    if job.origin not in queue_names() or not job.is_failed:
        raise JobNotFound(job_id)
    return _failed(job, job.origin)


def retry(job_id: str) -> FailedJob:
    """Put a failed job back at the end of its queue."""
    found = failed_job(job_id)
    try:
        FailedJobRegistry(found.queue, connection=_connection()).requeue(found.id)
    except (InvalidJobOperation, NoSuchJobError) as exc:  # another admin was quicker
        raise JobNotFound(job_id) from exc
    return found


def delete(job_id: str) -> FailedJob:
    """Forget a failed job for good."""
    found = failed_job(job_id)
    Job.fetch(found.id, connection=_connection()).delete()
    return found


def of_kind(queue: str, kind: str) -> list[str]:
    """The ids of the failed jobs of one kind in one queue (none for an unknown queue)."""
    if queue not in queue_names():
        return []
    return [job.id for job in _failed_jobs_of(queue) if (job.func_name or "") == kind]


def retry_all(queue: str, kind: str) -> int:
    """Retry every failed job of a kind; how many went back to the queue."""
    retried = 0
    for job_id in of_kind(queue, kind):
        try:
            retry(job_id)
        except JobNotFound:
            continue
        retried += 1
    return retried


def delete_all(job_ids: list[str]) -> int:
    """Delete the failed jobs named (those the admin confirmed); how many were deleted."""
    deleted = 0
    for job_id in job_ids:
        try:
            delete(job_id)
        except JobNotFound:
            continue
        deleted += 1
    return deleted
