"""Asking for a network's export, building it (the job's work), its expiring link, and the
cleanup of expired files.

A request only notes the export: a row "queued" under a new job id in the request's transaction,
handed to RQ by the relay (workers.relays) once that transaction has committed. At most one
export per network waits or is being built: asking again says so (a partial unique index makes
two requests at the same moment one, too).
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from saas.accounts.models import User
from saas.after_commit import note_now
from saas.audit.services import record
from saas.extensions import db
from saas.models_base import utcnow
from saas.notifications import recipients
from saas.notifications.services import queue_email
from saas.portability import exporting, schema
from saas.portability.models import BUSY, ExportReason, ExportState, NetworkExport
from saas.urls import absolute_url
from tenants.access import current_network
from tenants.context import all_networks

log = logging.getLogger(__name__)

# The session key under which a transaction notes the exports it asked for (the relay's key).
EXPORT_REQUESTS = "dorp_export_requests"
LOST_AFTER = timedelta(minutes=1)
LINK_SALT = "dorp-network-export"


class ExportBusy(Exception):
    """An export of this network is already waiting or being built."""

    def __str__(self) -> str:
        return _(
            "An export of this network is already being prepared. You will get an e-mail with "
            "the link as soon as it is ready; there is no need to ask again."
        )


class Build(NamedTuple):
    network_id: int
    export_id: int
    job_id: str


def busy() -> NetworkExport | None:
    return db.session.execute(
        select(NetworkExport).where(NetworkExport.state.in_(BUSY))
    ).scalar_one_or_none()


def recent(limit: int = 10) -> list[NetworkExport]:
    return list(
        db.session.execute(
            select(NetworkExport).order_by(NetworkExport.id.desc()).limit(limit)
        ).scalars()
    )


def request_export(
    *, by: User | None, with_families: bool = False, reason: ExportReason = ExportReason.ASKED
) -> NetworkExport:
    """Note an export of the current network; its job starts after the commit."""
    if busy() is not None:
        raise ExportBusy()
    export = NetworkExport(
        requested_by_id=by.id if by is not None else None,
        reason=reason,
        with_families=with_families,
        state=ExportState.QUEUED,
        job_id=f"export-{uuid.uuid4()}",
    )
    try:
        with db.session.begin_nested():
            db.session.add(export)
            db.session.flush()
    except IntegrityError as exc:  # another request got there in the same moment
        raise ExportBusy() from exc
    # Every export is audited; one with the families' data says so in its own action.
    action = "export.requested_with_families" if with_families else "export.requested"
    record(action, export, reason=str(reason))
    note_now(db.session, EXPORT_REQUESTS, [Build(export.network_id, export.id, export.job_id)])
    return export


# ---- the job's work ---------------------------------------------------------------------


def build_export(export_id: int) -> NetworkExport | None:
    """Build the export (inside its network's scope). Running it again for an export that is no
    longer waiting does nothing; a failure marks it failed (the steward can ask again)."""
    export = db.session.get(NetworkExport, export_id)
    if export is None or export.state not in BUSY:
        return None
    network = current_network()
    export.state = ExportState.RUNNING
    export.started_at = utcnow()
    export.progress = 0
    export.schema_version = schema.head()
    db.session.commit()

    relative = exporting.new_file_name(network.id, export.id)
    path = Path(current_app.instance_path) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")

    def progress(percent: int) -> None:
        export.progress = percent
        db.session.commit()

    try:
        exporting.build(partial, network, with_families=export.with_families, progress=progress)
        partial.replace(path)
    except Exception:
        db.session.rollback()
        partial.unlink(missing_ok=True)
        export.state = ExportState.FAILED
        db.session.commit()
        raise
    export.file_name = relative
    export.size_bytes = path.stat().st_size
    export.state = ExportState.DONE
    export.progress = 100
    export.finished_at = utcnow()
    export.expires_at = export.finished_at + timedelta(days=current_app.config["EXPORT_LINK_DAYS"])
    _announce(export)
    db.session.commit()
    return export


def _announce(export: NetworkExport) -> None:
    """E-mail the link: to whoever asked, or to every steward for a closed network's export."""
    network = current_network()
    if export.reason == ExportReason.CLOSING or export.requested_by_id is None:
        people = recipients.stewards()
    else:
        people = [u for u in [db.session.get(User, export.requested_by_id)] if u is not None]
    link = absolute_url("network.export_download", slug=network.slug, token=token_for(export))
    for person in people:
        queue_email(
            kind="export_ready",
            recipient=person.email,
            template="export_ready",
            language=person.language,
            network_id=network.id,
            user=person,
            network=network,
            link=link,
            export=export,
            closing=export.reason == ExportReason.CLOSING,
            days=current_app.config["EXPORT_LINK_DAYS"],
        )


# ---- the link ---------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def token_for(export: NetworkExport) -> str:
    return _serializer().dumps({"n": export.network_id, "e": export.id})


class LinkProblem(Exception):
    """A link that is damaged (404) or no longer valid (410)."""

    def __init__(self, expired: bool):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def export_for_link(token: str) -> tuple[NetworkExport, Path]:
    """The export and its file a link names in the current network; LinkProblem otherwise."""
    max_age = current_app.config["EXPORT_LINK_DAYS"] * 24 * 3600
    try:
        payload = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkProblem(expired=True) from exc
    except BadSignature as exc:
        raise LinkProblem(expired=False) from exc
    network = current_network()
    if not isinstance(payload, dict) or payload.get("n") != network.id:
        raise LinkProblem(expired=False)  # another network's link: as if it did not exist
    export = db.session.get(NetworkExport, payload.get("e"))
    if export is None:
        raise LinkProblem(expired=True)  # deleted with its network's offboarding, or cleaned up
    path = Path(current_app.instance_path) / export.file_name if export.file_name else None
    if (
        export.state != ExportState.DONE
        or export.expires_at is None
        or export.expires_at <= utcnow()
        or path is None
        or not path.is_file()
    ):
        raise LinkProblem(expired=True)
    return export, path


def download_name(export: NetworkExport) -> str:
    stamp = (export.finished_at or export.created_at).strftime("%Y%m%d")
    return f"dorp-{current_network().slug}-{stamp}.zip"


# ---- lost jobs and cleanup --------------------------------------------------------------


def builds_waiting() -> list[Build]:
    """Every network's exports waiting for longer than a job takes to start."""
    with all_networks():
        rows = db.session.execute(
            select(NetworkExport.network_id, NetworkExport.id, NetworkExport.job_id).where(
                NetworkExport.state.in_(BUSY), NetworkExport.created_at < utcnow() - LOST_AFTER
            )
        ).all()
    return [Build(*row) for row in rows]


def build_failed(build: Build) -> bool:
    """The build's job failed for good (or its worker died): the steward can ask again."""
    with all_networks():
        export = db.session.execute(
            select(NetworkExport).where(
                NetworkExport.network_id == build.network_id,
                NetworkExport.id == build.export_id,
                NetworkExport.job_id == build.job_id,
                NetworkExport.state.in_(BUSY),
            )
        ).scalar_one_or_none()
        if export is None:
            return False
        export.state = ExportState.FAILED
        db.session.flush()
    return True


def expire_exports() -> int:
    """Delete the files of every network's exports whose link has expired; how many."""
    now = utcnow()
    with all_networks():
        due = db.session.execute(
            select(NetworkExport).where(
                NetworkExport.state == ExportState.DONE, NetworkExport.expires_at <= now
            )
        ).scalars()
        expired = 0
        for export in due:
            remove_file(export)
            export.state = ExportState.EXPIRED
            expired += 1
        db.session.flush()
    return expired


def remove_file(export: NetworkExport) -> None:
    if export.file_name:
        (Path(current_app.instance_path) / export.file_name).unlink(missing_ok=True)
        export.file_name = ""
