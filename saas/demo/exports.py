"""Demo exports: a past export of Beringen's data whose link has expired (its file is gone), so
the export page shows a history. Nothing is closed: both demo networks stay usable. Idempotent;
the records are data (data/exports.yaml)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from saas.accounts.models import User
from saas.demo.datafiles import read_yaml
from saas.extensions import db
from saas.models_base import utcnow
from saas.portability import schema
from saas.portability.models import ExportReason, ExportState, NetworkExport
from tenants.models import Network

RECORDS: dict[str, list[dict]] = read_yaml("exports.yaml")


def seed_exports(network: Network, steward: User | None) -> dict:
    """Call inside the network's scope."""
    wanted = RECORDS.get(network.slug, [])
    known = db.session.execute(select(func.count()).select_from(NetworkExport)).scalar_one()
    if known or not wanted:
        return {"exports": 0}
    now = utcnow().replace(microsecond=0)
    days = current_app.config["EXPORT_LINK_DAYS"]
    for spec in wanted:
        asked = now - timedelta(days=spec["days_ago"])
        finished = asked + timedelta(minutes=spec["minutes_to_build"])
        db.session.add(
            NetworkExport(
                requested_by_id=steward.id if steward is not None else None,
                reason=ExportReason.ASKED,
                with_families=spec["with_families"],
                state=ExportState.EXPIRED,
                job_id="export-demo",
                progress=100,
                schema_version=schema.head(),
                created_at=asked,
                started_at=asked,
                finished_at=finished,
                expires_at=finished + timedelta(days=days),
            )
        )
    db.session.flush()
    return {"exports": len(wanted)}
