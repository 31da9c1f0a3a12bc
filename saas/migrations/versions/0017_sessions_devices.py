"""the person's security page: where each login session comes from, and the devices they sign in
from (issue #21.4)

Revision ID: 0017_sessions_devices
Revises: 0016_hsds_last_modified
Create Date: 2026-12-03 09:00:00

`login_sessions` says where a session was started: the browser and system read from the user
agent and the client's network prefix (/24 or /48), never the full address. Sessions that exist
already say nothing ("").

`sign_in_devices`: per person, each (browser, system, network prefix) they signed in from and
when last, so a sign-in from one not seen lately is e-mailed to them. Platform-wide like `users`
and `login_sessions` (an account is not one network's), so no row-level security.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017_sessions_devices"
down_revision = "0016_hsds_last_modified"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("browser", sa.String(length=40), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("system", sa.String(length=40), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("network", sa.String(length=64), server_default="", nullable=False)
        )

    op.create_table(
        "sign_in_devices",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("browser", sa.String(length=40), nullable=False),
        sa.Column("system", sa.String(length=40), nullable=False),
        sa.Column("network", sa.String(length=64), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_sign_in_devices_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "user_id", "browser", "system", "network", name=op.f("pk_sign_in_devices")
        ),
    )
    with op.batch_alter_table("sign_in_devices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sign_in_devices_last_seen_at"), ["last_seen_at"], unique=False
        )


def downgrade():
    op.drop_table("sign_in_devices")
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_column("network")
        batch_op.drop_column("system")
        batch_op.drop_column("browser")
