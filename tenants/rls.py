"""Lock 2 on PostgreSQL: row-level security keyed on the transaction's network.

Every tenant table gets the policy below, enabled and forced. The application connects as a role
that owns no table and cannot bypass RLS; each transaction tells PostgreSQL its network with
`set_config('app.network_id', ..., true)`, which ends with the transaction, so a pooled
connection never carries one request's network into the next.
"""

from __future__ import annotations

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

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


def _apply(connection: Connection, *, beginning: bool = False) -> None:
    if connection.dialect.name != "postgresql":
        return
    network_id = context.current_network_id()
    if beginning and network_id is None and not context.reading_all_networks():
        # Both settings are transaction-local and nothing sets them for the session, so a
        # transaction starts with neither: every policy already sees no network. Saying so
        # again would cost a round trip on each request, before its network is known.
        return
    connection.exec_driver_sql(
        "SELECT set_config('app.network_id', %s, true), set_config('app.all_networks', %s, true)",
        (
            "" if network_id is None else str(network_id),
            "on" if context.reading_all_networks() else "off",
        ),
    )


def install(db) -> None:
    """Feed the current network to PostgreSQL at the start of every transaction, and again
    whenever the network changes while a transaction is open."""

    @event.listens_for(Session, "after_begin")
    def _after_begin(session, transaction, connection):
        _apply(connection, beginning=True)

    def _on_change():
        from flask import has_app_context

        if not has_app_context():
            return
        session = db.session()
        if session.in_transaction():
            _apply(session.connection())

    context.on_change(_on_change)


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
