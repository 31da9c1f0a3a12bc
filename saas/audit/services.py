from __future__ import annotations

from flask_login import current_user

from saas.audit.models import AuditEvent
from saas.extensions import db


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
    """One audit row per object read (a list page), written in one statement."""
    if not objects:
        return
    from sqlalchemy import insert

    from saas.models_base import utcnow
    from tenants.context import current_network_id

    actor = current_user.id if current_user and current_user.is_authenticated else None
    now = utcnow()
    db.session.execute(
        insert(AuditEvent),
        [
            {
                "network_id": current_network_id(),
                "actor_id": actor,
                "action": action,
                "object_type": type(obj).__name__,
                "object_id": obj.id,
                "details": {},
                "created_at": now,
            }
            for obj in objects
        ],
    )
