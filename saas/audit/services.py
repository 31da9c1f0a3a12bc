from __future__ import annotations

from flask_login import current_user
from sqlalchemy import JSON, DateTime, Integer, String, bindparam, func, insert, literal, select
from sqlalchemy.dialects import postgresql

from saas.audit.models import AuditEvent
from saas.extensions import db
from saas.models_base import utcnow


def record(action: str, obj=None, **details) -> AuditEvent:
    """Add an audit event for the current network; `details` must hold no personal data."""
    actor = current_user.id if current_user and current_user.is_authenticated else None
    event = AuditEvent(
        actor_id=actor,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        details=details,
    )
    db.session.add(event)
    return event


def record_reads(action: str, objects: list) -> None:
    """One audit row per object read (a list page), written in one statement.

    PostgreSQL: `INSERT … SELECT … unnest(ids)`, one round trip whatever the number of rows and a
    statement SQLAlchemy compiles once (a multi-row VALUES list is compiled anew each time; an
    executemany is one execution per row). SQLite: an executemany.
    """
    if not objects:
        return
    from tenants.context import current_network_id

    actor = current_user.id if current_user and current_user.is_authenticated else None
    now = utcnow()
    network_id = current_network_id()
    object_type = type(objects[0]).__name__
    ids = [obj.id for obj in objects]
    if db.session.get_bind().dialect.name == "postgresql":
        rows = select(
            literal(network_id, Integer),
            literal(actor, Integer),
            literal(action, String),
            literal(object_type, String),
            func.unnest(bindparam("ids", ids, type_=postgresql.ARRAY(Integer))),
            literal({}, JSON),
            literal(now, DateTime(timezone=True)),
        )
        db.session.execute(insert(AuditEvent).from_select(_COLUMNS, rows))
        return
    db.session.execute(
        insert(AuditEvent),
        [
            {
                "network_id": network_id,
                "actor_id": actor,
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "details": {},
                "created_at": now,
            }
            for object_id in ids
        ],
    )


_COLUMNS = [
    "network_id",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "details",
    "created_at",
]
