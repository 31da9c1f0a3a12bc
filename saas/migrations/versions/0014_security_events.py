"""security events: sign-ins, failed and throttled ones, passwords and sessions (issue #21)

Revision ID: 0014_security_events
Revises: 0013_roster_replacement
Create Date: 2026-12-03 05:45:00

Platform-wide, like `users` and `login_sessions` (an account is not one network's), so no
row-level security: only the platform admin's page reads them. No password, code or typed
e-mail address: keyed hashes of the account's address and of the client's network address.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014_security_events"
down_revision = "0013_roster_replacement"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "security_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("account_ref", sa.String(length=32), nullable=True),
        sa.Column("address_ref", sa.String(length=16), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_security_events_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_events")),
    )
    with op.batch_alter_table("security_events", schema=None) as batch_op:
        batch_op.create_index("ix_security_events_created_at", ["created_at"], unique=False)
        batch_op.create_index(
            "ix_security_events_kind_created_at", ["kind", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_security_events_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_security_events_account_ref"), ["account_ref"], unique=False
        )


def downgrade():
    op.drop_table("security_events")
