"""Asking for a roster to be solved, and what happens when a solve is lost or fails.

A solve runs on the `roster` queue. The request only notes it: the roster becomes "solving" with
a new job id in the request's transaction, and the relay (workers.relays) hands the job to RQ
once that transaction has committed, so the worker always finds the roster it was sent. A
roster still "solving" a minute after the request, whose job Redis does not know, is handed over
again by the relays' sweep; one whose job failed for good is marked failed.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import NamedTuple

from sqlalchemy import select

from saas.after_commit import note_now
from saas.extensions import db
from saas.models_base import utcnow
from saas.workforce.models import Roster, RosterStatus
from tenants.context import all_networks

# The session key under which a transaction notes the solves it asked for (the relay's key).
SOLVE_REQUESTS = "dorp_roster_solves"
LOST_AFTER = timedelta(minutes=1)


class Solve(NamedTuple):
    network_id: int
    roster_id: int
    job_id: str


def request_solve(roster: Roster) -> Solve:
    """Mark the roster as being solved under a new job id; the job starts after the commit."""
    roster.status = RosterStatus.SOLVING
    roster.job_id = f"roster-{uuid.uuid4()}"
    roster.solve_requested_at = utcnow()
    db.session.flush()  # the roster has its id and network now
    solve = Solve(roster.network_id, roster.id, roster.job_id)
    note_now(db.session, SOLVE_REQUESTS, [solve])
    return solve


def solves_waiting() -> list[Solve]:
    """Every network's rosters that have been "solving" for longer than a solve takes to start."""
    with all_networks():
        rows = db.session.execute(
            select(Roster.network_id, Roster.id, Roster.job_id).where(
                Roster.status == RosterStatus.SOLVING,
                Roster.solve_requested_at < utcnow() - LOST_AFTER,
            )
        ).all()
    return [Solve(*row) for row in rows]


def solve_failed(solve: Solve) -> bool:
    """The solve's job failed for good: the roster can be solved again. False when a newer
    solve has been asked for meanwhile (it has its own job)."""
    with all_networks():
        roster = db.session.execute(
            select(Roster).where(
                Roster.network_id == solve.network_id,
                Roster.id == solve.roster_id,
                Roster.job_id == solve.job_id,
                Roster.status == RosterStatus.SOLVING,
            )
        ).scalar_one_or_none()
        if roster is None:
            return False
        roster.status = RosterStatus.FAILED
        roster.solver_status = "error"  # the page says the solve stopped; RQ keeps why
        db.session.flush()
    return True
