"""The periodic jobs, declared once; `flask scheduler` registers them with RQ's cron scheduler."""

from __future__ import annotations

from workers.jobs import purge_expired, sweep_outbox

PERIODIC = [
    # (job, interval in seconds)
    (sweep_outbox, 60),
    (purge_expired, 6 * 3600),
]
