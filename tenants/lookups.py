"""Global keys: the few values that must find their network before the network is known.

A tenant table's unique constraints all include `network_id` (Citus can only enforce uniqueness
within a shard), so a value that must be unique across the platform, or that arrives without a
network (a Stripe customer in a webhook, an API token presented to another network), is kept
once more in `global_keys`: (kind, value) → (network, row). It is a small table of its own, not a
tenant table (no row-level security: it is read before a network is chosen; on Citus a
reference table), and holds only opaque identifiers: random tokens, keyed hashes, Stripe ids.

A model declares its global columns as `__global_keys__ = {"column": "kind"}`; the flush hook
below writes, moves and removes their rows in the same transaction as the row itself, so every
way the ORM writes the row keeps them in step. Signed links (invitations, export downloads)
carry their network in the signed payload and need no row here. A purged network's keys go with
its rows (the offboarding deletes every table with a `network_id`, this one included).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, delete, event, insert, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from saas.extensions import db


class GlobalKey(db.Model):
    """One platform-wide unique value of a tenant row, and where that row is."""

    __tablename__ = "global_keys"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[str] = mapped_column(String(255), primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), index=True
    )
    row_id: Mapped[int]


def find(kind: str, value: str) -> tuple[int, int] | None:
    """(network id, row id) of the row holding `value` as its `kind`, across every network."""
    row = db.session.execute(
        select(GlobalKey.network_id, GlobalKey.row_id).where(
            GlobalKey.kind == kind, GlobalKey.value == value
        )
    ).first()
    return (row.network_id, row.row_id) if row else None


def _changes(session: Session):
    """(kind, old value or None, new value or None, network id, row id) per changed key."""
    for obj in session.new:
        for column, kind in getattr(obj, "__global_keys__", {}).items():
            value = getattr(obj, column)
            if value is not None:
                yield kind, None, value, obj.network_id, obj.id
    for obj in session.dirty:
        keys = getattr(obj, "__global_keys__", None)
        if not keys:
            continue
        state = inspect(obj)
        for column, kind in keys.items():
            history = state.attrs[column].history
            if not history.has_changes():
                continue
            old = next((v for v in history.deleted if v is not None), None)
            new = getattr(obj, column)
            if old != new:
                yield kind, old, new, obj.network_id, obj.id
    for obj in session.deleted:
        keys = getattr(obj, "__global_keys__", None)
        if not keys:
            continue
        state = inspect(obj)
        for column, kind in keys.items():
            history = state.attrs[column].history
            old = next(iter(history.deleted or history.unchanged or history.added), None)
            if old is not None:
                yield kind, old, None, obj.network_id, obj.id


def _after_flush(session: Session, flush_context) -> None:
    changes = list(_changes(session))
    if not changes:
        return
    connection = session.connection()
    table = GlobalKey.__table__
    for kind, old, new, network_id, row_id in changes:
        if old is not None:
            connection.execute(delete(table).where(table.c.kind == kind, table.c.value == old))
        if new is not None:
            connection.execute(
                insert(table).values(kind=kind, value=new, network_id=network_id, row_id=row_id)
            )


def install(session_class=Session) -> None:
    """Keep the global keys with their rows on every ORM flush (idempotent)."""
    if getattr(install, "_done", False):
        return
    event.listen(session_class, "after_flush", _after_flush)
    install._done = True
