"""The relays: work a transaction asked for is handed to RQ once it has committed, and one sweep
hands over again what Redis could not take.

A view never queues: services write the work into the transaction (an outbox row, a Stripe event
row, a roster marked "solving", a matching request noted on the session), the request commits
once, and the relay for that kind of work enqueues its job after the commit
(saas.after_commit). A rollback hands over nothing. If Redis is down the work waits where it was
written, and the sweep (every minute, workers.schedule) hands it over later; every job is
idempotent, so work handed over twice is done once.

| relay         | noted                               | job                           | swept              |
|---------------|-------------------------------------|-------------------------------|--------------------|
| outbox        | new outbox messages                 | deliver_email (100 a job)     | pending / stale    |
| stripe_events | new pending Stripe events           | apply_stripe_event            | pending / stale    |
| rosters       | solving.request_solve               | solve_roster_job              | job lost or failed |
| matching      | matching.services.request_matching  | match_referral_job            | no: Redis holds it |
| exports       | portability.services.request_export | build_export_job              | job lost or failed |

Matching keeps its whole state in Redis (the "running" mark the page waits on), so a request
made while Redis is down is refused at once and there is nothing to sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy.orm import Session

from saas.after_commit import after_commit
from saas.billing import events as stripe_events
from saas.billing.models import EventState, StripeEvent
from saas.connections import redis_connection
from saas.extensions import db
from saas.matching import services as matching
from saas.notifications import services as notifications
from saas.notifications.models import OutboxMessage
from saas.portability import services as exports
from saas.workforce import solving
from workers.billing_jobs import apply_stripe_event
from workers.decorators import job
from workers.export_jobs import build_export_job
from workers.jobs import deliver_email
from workers.matching_jobs import match_referral_job
from workers.queues import MAINTENANCE
from workers.roster_jobs import solve_roster_job

log = logging.getLogger(__name__)
# Messages per delivery job, one SMTP connection each (what mail servers commonly take on one
# connection). Each job costs tens of milliseconds before its first e-mail (RQ's work horse, a
# database connection, the claim): at 50 a job that was a third of the time per e-mail.
BATCH = 100


@dataclass(frozen=True)
class Relay:
    name: str
    key: str  # the session key under which a transaction notes this work
    noted: Callable[[Session], Iterable[Any]]  # what one flush asked for (besides note_now)
    hand_over: Callable[[list[Any]], int]  # enqueue; how many were handed before Redis failed
    due: Callable[[], list[Any]] | None  # what the sweep hands over again


def _nothing(_session: Session) -> Iterable[Any]:
    return ()


# ---- e-mail -------------------------------------------------------------------------------


def _new_messages(session: Session) -> Iterable[int]:
    return (obj.id for obj in session.new if isinstance(obj, OutboxMessage))


def hand_over_messages(ids: list[int]) -> int:
    batches = [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]
    return _hand_over("outbox", batches, lambda batch: deliver_email.enqueue(*batch), size=len)


# ---- Stripe events ------------------------------------------------------------------------


def _new_events(session: Session) -> Iterable[str]:
    return (
        obj.id
        for obj in session.new
        if isinstance(obj, StripeEvent) and obj.state == EventState.PENDING
    )


def hand_over_events(ids: list[str]) -> int:
    return _hand_over("stripe_events", ids, apply_stripe_event.enqueue)


# ---- roster solves ------------------------------------------------------------------------


def hand_over_solves(solves: list[solving.Solve]) -> int:
    return _hand_over(
        "rosters",
        solves,
        lambda s: solve_roster_job.enqueue(s.network_id, s.roster_id, job_id=s.job_id),
    )


def _lost(waiting: list, mark_failed) -> list:
    """Of the items waiting for a job (each with its `job_id`): those whose job Redis does not
    know (to hand over again); those whose job failed for good are marked with `mark_failed`
    (which returns how many it marked) and committed."""
    lost, failed = [], 0
    connection = redis_connection()
    for item in waiting:
        try:
            status = Job.fetch(item.job_id, connection=connection).get_status(refresh=False)
        except NoSuchJobError:
            lost.append(item)
            continue
        if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
            failed += mark_failed(item)
    if failed:
        db.session.commit()
    return lost


def lost_solves() -> list[solving.Solve]:
    """Rosters still "solving" whose job Redis does not know (handed over again), and those whose
    job failed for good (marked failed, so the coordinator can solve again)."""
    return _lost(solving.solves_waiting(), solving.solve_failed)


# ---- matching -----------------------------------------------------------------------------


def hand_over_matching(requests: list[matching.MatchRequest]) -> int:
    handed = _hand_over("matching", requests, lambda r: match_referral_job.enqueue(*r))
    for request in requests[handed:]:  # the pages waiting for these stop waiting
        matching.mark_failed_quietly(*request)
    return handed


# ---- network exports ---------------------------------------------------------------------


def hand_over_exports(builds: list[exports.Build]) -> int:
    return _hand_over(
        "exports",
        builds,
        lambda b: build_export_job.enqueue(b.network_id, b.export_id, job_id=b.job_id),
    )


def lost_exports() -> list[exports.Build]:
    """Exports still waiting whose job Redis does not know (handed over again), and those whose
    job failed or whose worker died (marked failed: the steward can ask again)."""
    return _lost(exports.builds_waiting(), exports.build_failed)


RELAYS = (
    Relay("outbox", notifications.OUTBOX.relay_key, _new_messages, hand_over_messages,
          notifications.OUTBOX.due_for_retry),
    Relay("stripe_events", stripe_events.OUTBOX.relay_key, _new_events, hand_over_events,
          stripe_events.OUTBOX.due_for_retry),
    Relay("rosters", solving.SOLVE_REQUESTS, _nothing, hand_over_solves, lost_solves),
    Relay("matching", matching.MATCH_REQUESTS, _nothing, hand_over_matching, None),
    Relay("exports", exports.EXPORT_REQUESTS, _nothing, hand_over_exports, lost_exports),
)  # fmt: skip


def _hand_over(
    name: str,
    items: list[Any],
    enqueue: Callable[[Any], object],
    size: Callable[[Any], int] = lambda _item: 1,
) -> int:
    """Enqueue the items in order; stop at the first Redis error (the work waits where it was
    written, for the sweep). How many units of work were handed over."""
    handed = 0
    for item in items:
        try:
            enqueue(item)
        except RedisError as error:
            log.warning("%s relay: could not enqueue (%s)", name, type(error).__name__)
            break
        handed += size(item)
    return handed


def install() -> None:
    """Hand each committed transaction's work to RQ (once per process: listeners are global)."""
    for relay in RELAYS:
        after_commit(relay.key, relay.noted, relay.hand_over)


@job(MAINTENANCE, timeout=300, retries=0)
def sweep() -> dict[str, int]:
    """Every minute: hand over what the relays could not (Redis was down) or what a dead or
    failed worker left. Returns how many were handed over, per relay."""
    handed = {}
    for relay in RELAYS:
        if relay.due is None:
            continue
        items = relay.due()
        db.session.rollback()  # read only (a failed solve's mark is committed by its `due`)
        handed[relay.name] = relay.hand_over(items) if items else 0
    return handed
