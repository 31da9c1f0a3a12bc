"""The network health figures, worked out again off the request path after a change.

`saas.insights.cache` plans the job (at most one planned per network, a minute after the last run
began at the soonest) and the job runs one at a time per network (a Redis lock); pages meanwhile
show the last figures with the time they were worked out.
"""

from __future__ import annotations

from datetime import timedelta

from saas.insights import cache as health_cache
from workers.decorators import job
from workers.queues import MAINTENANCE


@job(MAINTENANCE, timeout=600, retries=0)  # a failed run is planned again by the next view
def refresh_health(network_id: int) -> int:
    return health_cache.refresh(network_id)


def enqueue_refresh(network_id: int, delay: float) -> object:
    if delay <= 0:
        return refresh_health.enqueue(network_id)
    return refresh_health.enqueue_in(timedelta(seconds=delay), network_id)
