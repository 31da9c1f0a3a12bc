"""a network's data exports, and closing a network (offboarding)

Revision ID: 0020_export_network_exports
Revises: 0019_twofactor_second_factors
Create Date: 2026-12-03 09:00:00

`network_exports`: one row per export a steward asked for (or the final one of a closed
network); at most one waiting or being built per network (a partial unique index).
`networks.closed_at / closed_by_id / delete_after / purged_at`: a closed network is read-only,
and its rows are deleted after the grace period.
"""

import sqlalchemy as sa
from alembic import op

from tenants.rls import enable_rls

# revision identifiers, used by Alembic.
revision = "0020_export_network_exports"
down_revision = "0019_twofactor_second_factors"
branch_labels = None
depends_on = None

BUSY = "state IN ('queued', 'running')"


def upgrade():
    op.create_table(
        "network_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("with_families", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("job_id", sa.String(length=64), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=120), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("schema_version", sa.String(length=60), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_network_exports_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_network_exports_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_exports")),
    )
    with op.batch_alter_table("network_exports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_exports_network_id"), ["network_id"], unique=False
        )
        batch_op.create_index(
            "uq_network_exports_busy",
            ["network_id"],
            unique=True,
            sqlite_where=sa.text(BUSY),
            postgresql_where=sa.text(BUSY),
        )
    enable_rls(op, "network_exports")

    with op.batch_alter_table("networks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("delete_after", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_networks_closed_by_id_users"),
            "users",
            ["closed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("networks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_networks_closed_by_id_users"), type_="foreignkey")
        for column in ("purged_at", "delete_after", "closed_by_id", "closed_at"):
            batch_op.drop_column(column)
    op.drop_table("network_exports")
