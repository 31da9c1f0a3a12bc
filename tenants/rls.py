"""Lock 2 on PostgreSQL: row-level security keyed on the transaction's network.

Every tenant table gets the policy below, enabled and forced. The application connects as a role
that owns no table and cannot bypass RLS; each transaction tells PostgreSQL its network with
`set_config('app.network_id', ..., true)`, which ends with the transaction, so a pooled
connection never carries one request's network into the next.
"""

from __future__ import annotations

from flask import has_app_context
from sqlalchemy import Text, cast, event, func, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from tenants import context

POLICY = "tenant_isolation"
# Each setting is read in a sub-select, so PostgreSQL reads it once per statement (an InitPlan)
# instead of once per row, and can compare network_id with a constant: 2 to 3 times faster on
# the network-wide aggregates (migration 0010 rewrote the policies of existing databases).
_PREDICATE = (
    "(SELECT current_setting('app.all_networks', true)) = 'on' "
    "OR network_id = (SELECT NULLIF(current_setting('app.network_id', true), '')::integer)"
)


def enable_rls_sql(table: str) -> list[str]:
    """Statements a migration runs (PostgreSQL only) for each new tenant table."""
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY} ON {table}",
        f"CREATE POLICY {POLICY} ON {table} USING ({_PREDICATE}) WITH CHECK ({_PREDICATE})",
    ]


def enable_rls(op, table: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in enable_rls_sql(table):
        op.execute(statement)


# connection.info: the settings the connection's open transaction has, as far as this module
# knows (a new transaction has none; a rolled-back savepoint may have undone some: unknown).
_APPLIED = "dorp.rls_settings"
_NONE = ("", "off")


def _wanted() -> tuple[str, str]:
    network_id = context.current_network_id()
    return (
        "" if network_id is None else str(network_id),
        "on" if context.reading_all_networks() else "off",
    )


def _apply(connection: Connection, *, beginning: bool = False) -> None:
    if connection.dialect.name != "postgresql":
        return
    if beginning:
        # Both settings are transaction-local and nothing sets them for the session, so a
        # transaction starts with neither: every policy already sees no network.
        connection.info[_APPLIED] = _NONE
    wanted = _wanted()
    if connection.info.get(_APPLIED) == wanted:
        return  # saying it again would cost a round trip
    connection.exec_driver_sql(
        "SELECT set_config('app.network_id', %s, true), set_config('app.all_networks', %s, true)",
        wanted,
    )
    connection.info[_APPLIED] = wanted


def network_setting(network_id: ColumnElement) -> ColumnElement:
    """A column that sets the transaction's network to the row's `network_id` as the row is
    read: the statement that finds the request's network also tells PostgreSQL, one round trip
    instead of two. After a row came back, say so with `network_was_set`."""
    return func.set_config("app.network_id", cast(network_id, Text), True)


def network_was_set(connection: Connection, network_id: int) -> None:
    """A `network_setting` column set the network: the next `_apply` for it has nothing to do."""
    known = connection.info.get(_APPLIED)
    connection.info[_APPLIED] = (str(network_id), known[1]) if known else None


def install(db) -> None:
    """Feed the current network to PostgreSQL at the start of every transaction, and again
    whenever the network changes while a transaction is open. Once per process (every app of
    a test run shares the listeners)."""
    if getattr(install, "_done", False):
        return
    install._done = True

    @event.listens_for(Session, "after_begin")
    def _after_begin(session, transaction, connection):
        _apply(connection, beginning=True)

    def _on_change():
        if not has_app_context():
            return
        session = db.session()
        transaction = session.get_transaction()
        # A transaction a failed statement has spoilt runs nothing more (it only rolls back, and
        # its settings go with it): asking it for its connection would raise, in a teardown.
        if transaction is not None and transaction.is_active:
            _apply(session.connection())

    context.on_change(_on_change)

    @event.listens_for(Engine, "rollback_savepoint")
    def _savepoint_undone(connection, name, context_):
        connection.info.pop(_APPLIED, None)  # it may have undone a set_config: unknown now


def setup_app_role(admin_engine: Engine, role: str, password: str | None = None) -> None:
    """Create (if needed) the application role and grant it data access, nothing more."""
    with admin_engine.begin() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
        ).first()
        ident = conn.dialect.identifier_preparer.quote(role)
        if not exists:  # in production the role comes from infra/postgres/roles.sql
            conn.exec_driver_sql(
                f"CREATE ROLE {ident} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
            )
            if password:
                literal = conn.execute(
                    text("SELECT quote_literal(:p)"), {"p": password}
                ).scalar_one()
                conn.exec_driver_sql(f"ALTER ROLE {ident} PASSWORD {literal}")
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {ident}")
        conn.exec_driver_sql(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ident}"
        )
        conn.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {ident}")
        conn.exec_driver_sql(f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {ident}")


def network_primary_key(op, table: str, *, composite: bool = True) -> None:
    """PostgreSQL: make a tenant table's primary key (network_id, id), as Citus needs of a table
    distributed by network_id (or back to (id) with composite=False). Ids stay unique on their
    own (one sequence per table), so the ORM keeps `id` as each row's identity; SQLite keeps
    its single-column key, which is what lets it number rows."""
    if op.get_bind().dialect.name != "postgresql":
        return
    columns = "network_id, id" if composite else "id"
    op.execute(
        f"ALTER TABLE {table} DROP CONSTRAINT pk_{table}, "
        f"ADD CONSTRAINT pk_{table} PRIMARY KEY ({columns})"
    )
