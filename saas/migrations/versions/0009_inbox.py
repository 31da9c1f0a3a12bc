"""referral inbox and outbox: indexes that lead with the network, in list order

Revision ID: 0009_inbox
Revises: 0008_health
Create Date: 2026-11-25 21:40:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0009_inbox"
down_revision = "0008_health"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        for name, column in (("inbox", "to_partner_id"), ("outbox", "from_partner_id")):
            batch_op.create_index(
                f"ix_referrals_{name}",
                ["network_id", column, "urgent", "id"],
                unique=False,
                postgresql_include=["status"],
            )


def downgrade():
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_outbox")
        batch_op.drop_index("ix_referrals_inbox")
