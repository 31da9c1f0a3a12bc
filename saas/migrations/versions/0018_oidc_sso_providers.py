"""single sign-on: OpenID Connect providers of a network and of the platform, and linked accounts

Revision ID: 0018_oidc_sso_providers
Revises: 0017_sessions_devices
Create Date: 2026-12-03 09:15:00

`sso_providers` and `sso_links` belong to a network: tenant tables like any other (network_id
in every unique and foreign key, row-level security). The platform's providers belong to no
network, like `users`: `platform_sso_providers` and `platform_sso_links` are platform-wide tables
(no row-level security), read by the sign-in page and the platform admin only. A client secret is
stored sealed (Fernet, key derived from SECRET_KEY), never in clear.
"""

import sqlalchemy as sa
from alembic import op

from tenants.rls import enable_rls

# revision identifiers, used by Alembic.
revision = "0018_oidc_sso_providers"
down_revision = "0017_sessions_devices"
branch_labels = None
depends_on = None


def _provider_columns():
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("client_secret_sealed", sa.Text(), nullable=False),
        sa.Column("allowed_domains", sa.String(length=1000), nullable=False),
        sa.Column("authorization_endpoint", sa.String(length=500), nullable=False),
        sa.Column("token_endpoint", sa.String(length=500), nullable=False),
        sa.Column("jwks_uri", sa.String(length=500), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _link_columns():
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade():
    op.create_table(
        "sso_providers",
        *_provider_columns(),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_sso_providers_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_providers")),
        sa.UniqueConstraint("network_id", "id", name=op.f("uq_sso_providers_network_id_id")),
    )
    with op.batch_alter_table("sso_providers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sso_providers_network_id"), ["network_id"], unique=False
        )
    enable_rls(op, "sso_providers")

    op.create_table(
        "sso_links",
        *_link_columns(),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id", "provider_id"],
            ["sso_providers.network_id", "sso_providers.id"],
            name=op.f("fk_sso_links_network_id_provider_id_sso_providers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_sso_links_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sso_links_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_links")),
        sa.UniqueConstraint(
            "network_id",
            "provider_id",
            "subject",
            name=op.f("uq_sso_links_network_id_provider_id_subject"),
        ),
    )
    with op.batch_alter_table("sso_links", schema=None) as batch_op:
        for column in ("network_id", "provider_id", "user_id"):
            batch_op.create_index(batch_op.f(f"ix_sso_links_{column}"), [column], unique=False)
    enable_rls(op, "sso_links")

    op.create_table(
        "platform_sso_providers",
        *_provider_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_sso_providers")),
    )
    op.create_table(
        "platform_sso_links",
        *_link_columns(),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["platform_sso_providers.id"],
            name=op.f("fk_platform_sso_links_provider_id_platform_sso_providers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_platform_sso_links_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_sso_links")),
        sa.UniqueConstraint(
            "provider_id", "subject", name=op.f("uq_platform_sso_links_provider_id_subject")
        ),
    )
    with op.batch_alter_table("platform_sso_links", schema=None) as batch_op:
        for column in ("provider_id", "user_id"):
            batch_op.create_index(
                batch_op.f(f"ix_platform_sso_links_{column}"), [column], unique=False
            )


def downgrade():
    op.drop_table("platform_sso_links")
    op.drop_table("platform_sso_providers")
    op.drop_table("sso_links")
    op.drop_table("sso_providers")
