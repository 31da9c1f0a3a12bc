"""The one scoping mechanism: every tenant-owned row belongs to a network, and the ORM only sees
rows of the current network.

Lock 1 (every backend): `do_orm_execute` adds `network_id = <current>` to every ORM SELECT,
UPDATE and DELETE touching a `TenantOwned` model, through `with_loader_criteria`; new rows get the
current network, and a flush that writes a row of another network is refused.
Lock 2 (PostgreSQL): row-level security on the same column, fed per transaction by
`set_config('app.network_id', ..., true)` (see `tenants.rls`).
"""

from __future__ import annotations

import weakref
from functools import lru_cache

from flask import has_app_context
from sqlalchemy import ForeignKey, ForeignKeyConstraint, event
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, with_loader_criteria

from saas.extensions import db
from tenants import context

NO_NETWORK = 0  # no row has it: without a network, tenant queries see nothing


class TenantViolation(RuntimeError):
    """A write that would put or move a row outside the current network."""


class TenantOwned:
    """Mixin for every table whose rows belong to one network."""

    @declared_attr
    def network_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)


def tenant_fk(column: str, table: str, ondelete: str = "CASCADE") -> ForeignKeyConstraint:
    """A foreign key from one tenant table to another that also matches the network: a row can
    only point inside its own network (the composite key Citus needs as well)."""
    return ForeignKeyConstraint(
        ["network_id", column], [f"{table}.network_id", f"{table}.id"], ondelete=ondelete
    )


def tenant_models(base) -> list[type]:
    return [m.class_ for m in base.registry.mappers if issubclass(m.class_, TenantOwned)]


@lru_cache(maxsize=1024)
def _criteria(network_id: int):
    """The option that scopes a statement to `network_id`: built once per network and reused
    (it is immutable; building it anew for every statement cost more than applying it)."""
    return with_loader_criteria(
        TenantOwned,
        lambda cls: cls.network_id == network_id,
        include_aliases=True,
        track_closure_variables=True,
    )


# A statement built once (a module's prebuilt query) is scoped once per network, too: the
# scoped copy keeps its SQL cache key, which SQLAlchemy would otherwise work out again on every
# execution. A statement built for one request takes its entry with it when it is dropped.
_scoped: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _scoped_statement(statement, network_id: int):
    per_network = _scoped.get(statement)
    if per_network is None:
        per_network = _scoped[statement] = {}
    scoped = per_network.get(network_id)
    if scoped is None:
        scoped = per_network[network_id] = statement.options(_criteria(network_id))
    return scoped


def _scope_statement(state) -> None:
    if state.is_column_load or context.reading_all_networks():
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get("dorp_all_networks"):
        return
    network_id = context.current_network_id() or NO_NETWORK
    state.statement = _scoped_statement(state.statement, network_id)


def _stamp_and_check(session: Session, flush_context, instances) -> None:
    if context.reading_all_networks():
        for obj in session.new:
            if isinstance(obj, TenantOwned) and obj.network_id is None:
                raise TenantViolation(f"{type(obj).__name__} needs a network")
        return
    current = context.current_network_id()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not isinstance(obj, TenantOwned):
            continue
        if obj.network_id is None and obj in session.new:
            if current is None:
                raise TenantViolation(f"{type(obj).__name__} created outside any network")
            obj.network_id = current
        if obj.network_id != current:
            raise TenantViolation(
                f"{type(obj).__name__} of network {obj.network_id} written under network {current}"
            )


def _stamp_on_init(target, args, kwargs) -> None:
    """A row belongs to the network it was created in, whenever it is flushed."""
    if kwargs.get("network_id") is None and context.current_network_id() is not None:
        target.network_id = context.current_network_id()


def install(session_class=Session) -> None:
    """Attach the scoping listeners to every ORM session (idempotent)."""
    if getattr(install, "_done", False):
        return
    event.listen(session_class, "do_orm_execute", _scope_statement)
    event.listen(session_class, "before_flush", _stamp_and_check)
    event.listen(TenantOwned, "init", _stamp_on_init, propagate=True)
    context.before_leave(_flush_pending)
    install._done = True


def _flush_pending() -> None:
    if not has_app_context():
        return
    session = db.session()
    if session.new or session.dirty or session.deleted:
        session.flush()
