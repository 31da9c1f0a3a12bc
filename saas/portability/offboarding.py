"""Closing a network (the platform admin): read-only at once, a final export for its stewards, and
every row of it deleted after a grace period by a periodic job, unless it is reopened first.

What stays afterwards is the network's own row (inactive, with when it was closed, by whom, and
when its rows were deleted): the record of the offboarding, since the network's audit trail is
among what is deleted.
"""

from __future__ import annotations

import logging
import shutil
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from saas.accounts.models import User
from saas.audit.services import record
from saas.extensions import db
from saas.models_base import utcnow
from saas.portability import services as exports
from saas.portability.exporting import EXPORTS_FOLDER
from saas.portability.models import ExportReason
from saas.portability.tables import tenant_tables
from tenants.context import all_networks, network_scope
from tenants.models import Network

log = logging.getLogger(__name__)


class OffboardingError(Exception):
    pass


def grace() -> timedelta:
    return timedelta(days=current_app.config["NETWORK_DELETION_GRACE_DAYS"])


def open_networks() -> int:
    return db.session.execute(
        select(func.count())
        .select_from(Network)
        .where(Network.is_active.is_(True), Network.closed_at.is_(None))
    ).scalar_one()


def close(network: Network, *, by: User) -> bool:
    """Close `network`; True when its final export was queued (False: one was already being
    built, whose link goes to whoever asked for it)."""
    if network.is_closed or not network.is_active:
        raise OffboardingError(_("This network is already closed."))
    if open_networks() <= 1:
        raise OffboardingError(
            _("This is the last open network of the platform: it cannot be closed.")
        )
    now = utcnow()
    network.closed_at = now
    network.closed_by_id = by.id
    network.delete_after = now + grace()
    with network_scope(network.id):
        record("network.closed", network, delete_after=network.delete_after.isoformat())
        try:
            exports.request_export(by=None, reason=ExportReason.CLOSING)
        except exports.ExportBusy:
            return False
    return True


def reopen(network: Network) -> None:
    if not network.is_closed or not network.is_active:
        raise OffboardingError(_("Only a closed network whose data still exists can be reopened."))
    network.closed_at = None
    network.closed_by_id = None
    network.delete_after = None
    with network_scope(network.id):
        record("network.reopened", network)


def due() -> list[int]:
    """The closed networks whose grace period is over."""
    return list(
        db.session.execute(
            select(Network.id).where(
                Network.is_active.is_(True),
                Network.closed_at.is_not(None),
                Network.delete_after <= utcnow(),
            )
        ).scalars()
    )


def purge(network_id: int) -> dict[str, int]:
    """Delete every row of the network from every tenant table (the caller commits); how many
    rows per table. The network's row stays, inactive, as the record."""
    network = db.session.get(Network, network_id)
    if network is None or not network.is_closed or network.purged_at is not None:
        return {}
    deleted: dict[str, int] = {}
    with all_networks():
        for table in reversed(tenant_tables()):
            count = db.session.execute(
                delete(table).where(table.c.network_id == network_id)
            ).rowcount
            if count:
                deleted[table.name] = count
    network.is_active = False
    network.purged_at = utcnow()
    folder = Path(current_app.instance_path) / EXPORTS_FOLDER / str(network_id)
    shutil.rmtree(folder, ignore_errors=True)
    log.info(
        "network %s deleted after its grace period: %s rows", network_id, sum(deleted.values())
    )
    return deleted
