"""rosters: a newer published roster takes over days of an older one (roster_retirements)

Revision ID: 0013_roster_replacement
Revises: 0012_offer_rules_checked
Create Date: 2026-12-03 03:20:00

A roster may be made for a period that overlaps a published one: it is a draft that replaces
it. Publishing it retires the overlapping days of the old roster (a row here per span); its
assignments on those days stay as history but no longer count for anybody's week, feed,
coverage or figures. A roster whose every day has been taken over gets the status "retired"
(the status is a plain VARCHAR: no change to `rosters` is needed for the new value).
"""

import sqlalchemy as sa
from alembic import op

from tenants.rls import enable_rls

# revision identifiers, used by Alembic.
revision = "0013_roster_replacement"
down_revision = "0012_offer_rules_checked"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "roster_retirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("roster_id", sa.Integer(), nullable=False),
        sa.Column("by_roster_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_on > starts_on", name=op.f("ck_roster_retirements_days")),
        sa.ForeignKeyConstraint(
            ["network_id", "roster_id"],
            ["rosters.network_id", "rosters.id"],
            name=op.f("fk_roster_retirements_network_id_roster_id_rosters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["network_id", "by_roster_id"],
            ["rosters.network_id", "rosters.id"],
            name=op.f("fk_roster_retirements_network_id_by_roster_id_rosters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_roster_retirements_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_retirements")),
        sa.UniqueConstraint("network_id", "id", name=op.f("uq_roster_retirements_network_id_id")),
    )
    with op.batch_alter_table("roster_retirements", schema=None) as batch_op:
        for column in ("network_id", "roster_id", "by_roster_id"):
            batch_op.create_index(
                batch_op.f(f"ix_roster_retirements_{column}"), [column], unique=False
            )
    enable_rls(op, "roster_retirements")


def downgrade():
    op.drop_table("roster_retirements")
