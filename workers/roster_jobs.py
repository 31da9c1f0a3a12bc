"""The roster job: solve one roster with CP-SAT on the `roster` queue, progress in the job's meta.

Handed to RQ by the relay (workers.relays) once the request that asked for the solve has
committed, as `solve_roster_job(network_id, roster_id)` with the roster's job id: ids only. It
builds the plain-data instance, solves it (locked assignments stay), and stores the result;
running it twice gives the same roster. While it runs, each better roster found updates the RQ
job's meta (seconds, objective, bound) and the page, which refreshes itself, shows it.
Search workers and the time limit come from the settings (DORP_ROSTER_SEARCH_WORKERS,
DORP_ROSTER_TIME_LIMIT).
"""

from __future__ import annotations

import logging
import time

from flask import current_app
from rq import get_current_job

from saas.extensions import db
from saas.workforce import solver
from saas.workforce.models import Roster, RosterStatus
from saas.workforce.rosters import apply_result, build_instance
from tenants.context import network_scope
from workers.decorators import job
from workers.queues import ROSTER

log = logging.getLogger(__name__)


def _reporter():
    current = get_current_job()
    last = [0.0]

    def report(seconds: float, objective: float, bound: float) -> None:
        if current is None or time.monotonic() - last[0] < 0.5:
            return
        last[0] = time.monotonic()
        current.meta.update(seconds=round(seconds, 1), objective=objective, bound=bound)
        current.save_meta()

    return report


@job(ROSTER, timeout=600, retries=1)
def solve_roster_job(network_id: int, roster_id: int) -> str:
    current = get_current_job()
    with network_scope(network_id):
        roster = db.session.get(Roster, roster_id)
        if roster is None:
            return "gone"
        if current is not None and roster.job_id and roster.job_id != current.id:
            return "superseded"  # a newer solve was asked for: its own job does it
        try:
            built = build_instance(
                roster,
                time_limit=current_app.config["DORP_ROSTER_TIME_LIMIT"],
                num_workers=current_app.config["DORP_ROSTER_SEARCH_WORKERS"],
            )
            result = solver.solve(built.instance, on_progress=_reporter())
            apply_result(roster, built, result)
            db.session.commit()
        except Exception:  # any failure: the roster must not stay "solving"; RQ records why
            db.session.rollback()
            roster = db.session.get(Roster, roster_id)
            if roster is not None:
                roster.status = RosterStatus.FAILED
                roster.solver_status = "error"  # the page says the solve stopped, not why
                db.session.commit()
            raise
    log.info("roster %s of network %s: %s", roster_id, network_id, result.status)
    return result.status
