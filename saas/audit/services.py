from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache

from flask_login import current_user
from sqlalchemy import Row, Select, Text, bindparam, cast, func, insert, select

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
_READ_FIELDS = ("network_id", "actor_id", "action", "object_type", "object_id", "created_at")


def _list_read(action: str, model: type) -> dict:
    """A list read's audit row, all but the ids."""
    network_id = current_network_id()
    if network_id is None:
        raise TenantViolation("a list read audited outside any network")
    actor = current_user.id if current_user and current_user.is_authenticated else None
    values = (network_id, actor, action, model.__name__, None, utcnow())
    return dict(zip(_READ_FIELDS, values, strict=True))


def record_reads(action: str, model: type, ids: list[int]) -> None:
    """One audit row for a list read: which `model` rows were shown, to whom, when.

    The ids go into `details["ids"]` (in the order shown), so "who saw referral X" is answered
    from these rows as from the per-object `record()` rows. One row per page, not one per
    object: a 50-row inbox page is one event, and its insert no longer runs a hundred
    foreign-key checks. Written at once by one INSERT, not through the ORM's flush, as a Core
    statement built once (the ORM's bulk-insert path cost half as much again per page).
    """
    if ids:
        read = _list_read(action, model)
        db.session.execute(_LIST_READ, {**read, "details": {"ids": list(ids)}})


def read_page(
    action: str, model: type, page: Select, values: dict, counts: Select | None = None
) -> tuple[Sequence[Row], dict[str, int]]:
    """The rows of `page` run with `values` (a page of `model` rows with an `id` column),
    audited as one list read like `record_reads`; and, when given, `counts`' (key, number)
    rows as a dict keyed by the keys' text.

    On PostgreSQL it is one statement: the audit INSERT rides along as a data-modifying CTE
    over the listed rows, the counts as a sub-select worked out once (an empty page asks for
    its counts on their own). Elsewhere it is two or three. Either way every part goes through
    the session, so the tenant scoping applies to all of it. Build `page` and `counts` once
    (with bound parameters): the combined statement is built once per pair.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        rows = db.session.execute(page, values).all()
        record_reads(action, model, [r.id for r in rows])
        return rows, _counted(counts, values)
    read = _list_read(action, model)
    audited = {**values, **{f"read_{name}": value for name, value in read.items()}}
    rows = db.session.execute(_audited(page, counts), audited).all()
    if counts is None or not rows:
        return rows, _counted(counts, values)
    return rows, json.loads(rows[0]._mapping["read_counts"] or "{}")


def _counted(counts: Select | None, values: dict) -> dict[str, int]:
    if counts is None:
        return {}
    return {str(key): number for key, number in db.session.execute(counts, values).all()}


@lru_cache(maxsize=64)
def _audited(page: Select, counts: Select | None) -> Select:
    """`page` with its audit row written by the same statement, and `counts` as a JSON object
    in column `read_counts` (PostgreSQL)."""
    listed = page.cte("listed")
    table = AuditEvent.__table__
    row = [bindparam(f"read_{name}", type_=table.c[name].type) for name in _READ_FIELDS]
    ids = func.json_build_object("ids", func.json_agg(listed.c.id))
    noted = (
        insert(table)
        .from_select(
            [*_READ_FIELDS, "details"],
            # an empty page is no read: no row
            select(*row, ids).select_from(listed).having(func.count() > 0),
        )
        .cte("noted")
    )
    query = select(listed).add_cte(noted)
    if counts is not None:
        tally = counts.subquery()
        # as text: every row carries it, and only the first is parsed (as JSON, the driver
        # parsed it fifty times a page)
        by_key = select(cast(func.json_object_agg(*tally.c), Text)).scalar_subquery()
        query = query.add_columns(by_key.label("read_counts"))
    return query
