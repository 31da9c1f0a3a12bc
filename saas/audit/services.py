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
