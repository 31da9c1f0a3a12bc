"""The roster job: solve one roster with CP-SAT on the `roster` queue, progress in the job's meta.

Enqueued by the roster page as `solve_roster_job(network_id, roster_id)`: ids only. It builds the
plain-data instance, solves it (locked assignments stay), and stores the result; running it twice
gives the same roster. While it runs, each better roster found updates the RQ job's meta
(seconds, objective, bound) and the page, which refreshes itself, shows it.
"""

from __future__ import annotations

import logging
import os
import time

from rq import get_current_job

from saas.extensions import db
from saas.workforce import solver
from saas.workforce.models import Roster, RosterStatus
from saas.workforce.rosters import apply_result, build_instance
from tenants.context import network_scope
from workers.decorators import job
from workers.queues import ROSTER

log = logging.getLogger(__name__)

# Measured with bench/roster.py on a 2-core machine: 8 search workers prove the S and M
# instances optimal far sooner than the default on 2 cores (see README, Roster benchmark).
SEARCH_WORKERS = int(os.environ.get("DORP_ROSTER_SEARCH_WORKERS", "8"))
TIME_LIMIT = float(os.environ.get("DORP_ROSTER_TIME_LIMIT", "30"))


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
    with network_scope(network_id):
        roster = db.session.get(Roster, roster_id)
        if roster is None:
            return "gone"
        try:
            built = build_instance(roster, time_limit=TIME_LIMIT, num_workers=SEARCH_WORKERS)
            result = solver.solve(built.instance, on_progress=_reporter())
            apply_result(roster, built, result)
            db.session.commit()
        except Exception:
            db.session.rollback()
            roster = db.session.get(Roster, roster_id)
            if roster is not None:
                roster.status = RosterStatus.FAILED
                db.session.commit()
            raise
    log.info("roster %s of network %s: %s", roster_id, network_id, result.status)
    return result.status
