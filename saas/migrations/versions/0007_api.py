"""api tokens

Revision ID: 0007_api
Revises: 0006_billing
Create Date: 2026-11-25 15:11:27.902973

"""

from alembic import op
import sqlalchemy as sa

from tenants.rls import enable_rls


# revision identifiers, used by Alembic.
revision = "0007_api"
down_revision = "0006_billing"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("prefix", sa.String(length=20), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.String(length=300), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_api_tokens_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["network_id", "partner_id"],
            ["partners.network_id", "partners.id"],
            name=op.f("fk_api_tokens_network_id_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_api_tokens_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("network_id", "id", name=op.f("uq_api_tokens_network_id_id")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_tokens_prefix")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_api_tokens_secret_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_tokens_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_api_tokens_network_id"), ["network_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_api_tokens_partner_id"), ["partner_id"], unique=False)
    enable_rls(op, "api_tokens")


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_partner_id"))
        batch_op.drop_index(batch_op.f("ix_api_tokens_network_id"))
        batch_op.drop_index(batch_op.f("ix_api_tokens_created_by_id"))

    op.drop_table("api_tokens")
