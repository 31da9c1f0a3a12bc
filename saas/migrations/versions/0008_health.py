"""network health: the kindergarten yardstick on headcounts, indexes for the aggregate queries

Revision ID: 0008_health
Revises: 0007_api
Create Date: 2026-11-25 15:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008_health"
down_revision = "0007_api"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("headcounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kindergarten_on_time", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.create_index("ix_headcounts_session_latest", ["session_id", "id"], unique=False)
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sessions_network_starts", ["network_id", "starts_at"], unique=False
        )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index("ix_referrals_network_sent", ["network_id", "sent_at"], unique=False)


def downgrade():
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_network_sent")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_sessions_network_starts")
    with op.batch_alter_table("headcounts", schema=None) as batch_op:
        batch_op.drop_index("ix_headcounts_session_latest")
        batch_op.drop_column("kindergarten_on_time")
