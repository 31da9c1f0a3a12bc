"""A network's data exports: asked for by a steward (or queued when the network closes), built by
a job, kept as a file in the instance folder until its link expires."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from saas.extensions import db
from saas.models_base import CreatedAt, str_enum
from tenants.scoping import TenantOwned


class ExportState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return str(EXPORT_STATE_LABELS[self])


EXPORT_STATE_LABELS = {
    ExportState.QUEUED: _l("waiting for its turn"),
    ExportState.RUNNING: _l("being built"),
    ExportState.DONE: _l("ready"),
    ExportState.FAILED: _l("failed"),
    ExportState.EXPIRED: _l("expired"),
}
BUSY = (ExportState.QUEUED, ExportState.RUNNING)


class ExportReason(enum.StrEnum):
    ASKED = "asked"  # a steward asked for it
    CLOSING = "closing"  # the network was closed: its final export


class NetworkExport(TenantOwned, CreatedAt, db.Model):
    """One export of the network's data. At most one is waiting or being built per network (a
    partial unique index: a second request at the same moment fails at the database)."""

    __tablename__ = "network_exports"
    __table_args__ = (
        Index(
            "uq_network_exports_busy",
            "network_id",
            unique=True,
            sqlite_where=text("state IN ('queued', 'running')"),
            postgresql_where=text("state IN ('queued', 'running')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[ExportReason] = mapped_column(str_enum(ExportReason), default=ExportReason.ASKED)
    with_families: Mapped[bool] = mapped_column(default=False)
    state: Mapped[ExportState] = mapped_column(str_enum(ExportState), default=ExportState.QUEUED)
    job_id: Mapped[str] = mapped_column(String(64), default="")
    progress: Mapped[int] = mapped_column(default=0)  # percent
    file_name: Mapped[str] = mapped_column(String(120), default="")
    size_bytes: Mapped[int | None]
    schema_version: Mapped[str] = mapped_column(String(60), default="")
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]

    @property
    def busy(self) -> bool:
        return self.state in BUSY
