from __future__ import annotations

from flask_login import current_user
from sqlalchemy import insert

from saas.audit.models import AuditEvent
from saas.extensions import db
from saas.models_base import utcnow
from tenants.context import current_network_id
from tenants.scoping import TenantViolation


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


_LIST_READ = insert(AuditEvent.__table__)


def record_reads(action: str, model: type, ids: list[int]) -> None:
    """One audit row for a list read: which `model` rows were shown, to whom, when.

    The ids go into `details["ids"]` (in the order shown), so "who saw referral X" is answered
    from these rows as from the per-object `record()` rows. One row per page, not one per
    object: a 50-row inbox page is one event, and its insert no longer runs a hundred
    foreign-key checks. Written at once by one INSERT, not through the ORM's flush, as a Core
    statement built once (the ORM's bulk-insert path cost half as much again per page).
    """
    if not ids:
        return
    network_id = current_network_id()
    if network_id is None:
        raise TenantViolation("a list read audited outside any network")
    actor = current_user.id if current_user and current_user.is_authenticated else None
    db.session.execute(
        _LIST_READ,
        {
            "network_id": network_id,
            "actor_id": actor,
            "action": action,
            "object_type": model.__name__,
            "object_id": None,
            "details": {"ids": list(ids)},
            "created_at": utcnow(),
        },
    )
