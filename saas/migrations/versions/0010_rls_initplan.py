"""row-level security: the policies read the transaction's network once per statement

Revision ID: 0010_rls_initplan
Revises: 0009_inbox
Create Date: 2026-11-25 22:30:00

Every tenant table's policy compared each row with `current_setting(...)` called for that row.
Wrapped in a sub-select, the setting is read once per statement (an InitPlan) and the row test
is a comparison with a constant. Same rule, same tables; PostgreSQL only.
"""

from alembic import op
from sqlalchemy import text

from tenants.rls import POLICY, enable_rls_sql


# revision identifiers, used by Alembic.
revision = "0010_rls_initplan"
down_revision = "0009_inbox"
branch_labels = None
depends_on = None

_PER_ROW = (
    "current_setting('app.all_networks', true) = 'on' "
    "OR network_id = NULLIF(current_setting('app.network_id', true), '')::integer"
)


def _tables() -> list[str]:
    bind = op.get_bind()
    rows = bind.execute(
        text("SELECT tablename FROM pg_policies WHERE schemaname = 'public' AND policyname = :p"),
        {"p": POLICY},
    )
    return sorted(r[0] for r in rows)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _tables():
        for statement in enable_rls_sql(table):
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _tables():
        op.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
        op.execute(f"CREATE POLICY {POLICY} ON {table} USING ({_PER_ROW}) WITH CHECK ({_PER_ROW})")
