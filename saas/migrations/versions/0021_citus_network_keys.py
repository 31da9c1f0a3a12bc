"""a schema Citus can distribute by network_id

Revision ID: 0021_citus_network_keys
Revises: 0020_export_network_exports
Create Date: 2026-12-03 12:30:00

Citus distributes a table by one column and can only enforce a primary key or a unique
constraint that includes it. Every tenant table (on PostgreSQL: every table with the
`tenant_isolation` row-level-security policy) gets:

- the primary key (network_id, id) on PostgreSQL; ids stay numbered by their own sequence, so
  they remain unique on their own and the ORM keeps `id` as the identity. SQLite keeps (id): it
  can only number a single-column key. The unique (network_id, id) that the composite foreign
  keys point at stays on both backends (SQLite needs it as their target).
- network_id in every unique constraint: (offer_id, occurrence) becomes (network_id, offer_id,
  occurrence), and so on. `subscriptions` drops its unique Stripe ids (the network has one
  subscription: (network_id) is unique already).
- the values that must be unique across the platform or found before the network is known move
  to `global_keys` (kind, value) → (network_id, row_id), filled here from the rows: API token
  prefixes and secret hashes, Stripe customer and subscription ids, calendar feed tokens.

Foreign keys between tenant tables were composite (network_id, x_id) → (network_id, id) from
the start. No row changes; the downgrade takes the schema back (on PostgreSQL it fails, and changes
nothing, if two networks have come to share a value that was unique on its own before).
"""

import sqlalchemy as sa
from alembic import op

from tenants.rls import network_primary_key

# revision identifiers, used by Alembic.
revision = "0021_citus_network_keys"
down_revision = "0020_export_network_exports"
branch_labels = None
depends_on = None

# table → [(old columns, new columns)]; new None: dropped (covered by a stronger constraint)
UNIQUES = {
    "api_tokens": [
        (["prefix"], ["network_id", "prefix"]),
        (["secret_hash"], ["network_id", "secret_hash"]),
    ],
    "subscriptions": [(["stripe_customer_id"], None), (["stripe_subscription_id"], None)],
    "worker_profiles": [(["feed_token"], ["network_id", "feed_token"])],
    "fixed_contacts": [(["partner_id"], ["network_id", "partner_id"])],
    "school_wishes": [(["partner_id"], ["network_id", "partner_id"])],
    "staffing_needs": [(["offer_id"], ["network_id", "offer_id"])],
    "flexibility_cards": [(["worker_id", "valid_from"], ["network_id", "worker_id", "valid_from"])],
    "offer_followers": [(["offer_id", "user_id"], ["network_id", "offer_id", "user_id"])],
    "offer_partners": [(["offer_id", "partner_id"], ["network_id", "offer_id", "partner_id"])],
    "sessions": [(["offer_id", "occurrence"], ["network_id", "offer_id", "occurrence"])],
    "roster_assignments": [
        (
            ["roster_id", "session_id", "worker_id"],
            ["network_id", "roster_id", "session_id", "worker_id"],
        )
    ],
}

# kind → (table, column): the values global_keys holds
GLOBAL_KEYS = {
    "api_token_prefix": ("api_tokens", "prefix"),
    "api_token_secret": ("api_tokens", "secret_hash"),
    "stripe_customer": ("subscriptions", "stripe_customer_id"),
    "stripe_subscription": ("subscriptions", "stripe_subscription_id"),
    "feed_token": ("worker_profiles", "feed_token"),
}


def _name(table: str, columns: list[str]) -> str:
    return f"uq_{table}_{'_'.join(columns)}"


def _tenant_tables() -> list[str]:
    """The tables under the tenant policy (PostgreSQL only; tenants.rls keeps them in step with
    the models' TenantOwned marker, which tests/test_rls.py checks)."""
    rows = op.get_bind().exec_driver_sql(
        "SELECT tablename FROM pg_policies "
        "WHERE schemaname = current_schema() AND policyname = 'tenant_isolation' "
        "ORDER BY tablename"
    )
    return [name for (name,) in rows]


def _swap_uniques(forward: bool) -> None:
    for table, changes in UNIQUES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for old, new in changes:
                drop, create = (old, new) if forward else (new, old)
                if drop is not None:
                    batch_op.drop_constraint(_name(table, drop), type_="unique")
                if create is not None:
                    batch_op.create_unique_constraint(_name(table, create), create)


def upgrade():
    op.create_table(
        "global_keys",
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_global_keys_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("kind", "value", name=op.f("pk_global_keys")),
    )
    with op.batch_alter_table("global_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_global_keys_network_id"), ["network_id"], unique=False)
    keys = sa.table(
        "global_keys", *(sa.column(c) for c in ("kind", "value", "network_id", "row_id"))
    )
    for kind, (table, column) in GLOBAL_KEYS.items():
        rows = sa.table(table, sa.column(column), sa.column("network_id"), sa.column("id"))
        found = sa.select(sa.literal(kind), rows.c[column], rows.c.network_id, rows.c.id).where(
            rows.c[column].is_not(None)
        )
        op.execute(keys.insert().from_select(["kind", "value", "network_id", "row_id"], found))
    _swap_uniques(forward=True)
    if op.get_bind().dialect.name == "postgresql":
        for table in _tenant_tables():
            network_primary_key(op, table)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in _tenant_tables():
            network_primary_key(op, table, composite=False)
    _swap_uniques(forward=False)
    with op.batch_alter_table("global_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_global_keys_network_id"))
    op.drop_table("global_keys")
