"""A network's data export and offboarding: the build job (ids only), the daily cleanup of
expired export files, and the daily deletion of closed networks whose grace period is over."""

from __future__ import annotations

import logging

from saas.extensions import db
from saas.portability import offboarding
from saas.portability import services as exports
from tenants.context import all_networks, network_scope
from workers.decorators import job
from workers.queues import MAINTENANCE

log = logging.getLogger(__name__)


@job(MAINTENANCE, timeout=1800, retries=0)
def build_export_job(network_id: int, export_id: int) -> str:
    """Build one export; handed to RQ by the relay after the request that asked has committed."""
    with network_scope(network_id):
        export = exports.build_export(export_id)
    return "done" if export is not None else "nothing to do"


@job(MAINTENANCE, timeout=600, retries=0)
def expire_exports() -> int:
    """Daily: delete the files of exports whose link has expired."""
    expired = exports.expire_exports()
    db.session.commit()
    return expired


@job(MAINTENANCE, timeout=3600, retries=0)
def delete_closed_networks() -> dict[int, int]:
    """Daily: every row of a closed network whose grace period is over is deleted, one network
    per transaction."""
    with all_networks():
        due = offboarding.due()
    db.session.rollback()
    done = {}
    for network_id in due:
        with network_scope(network_id):
            deleted = offboarding.purge(network_id)
        db.session.commit()
        done[network_id] = sum(deleted.values())
    return done
