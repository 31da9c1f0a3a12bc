"""flexibility_cards.changed_at: when a coming card was last changed

Revision ID: 0015_card_changed_at
Revises: 0014_security_events
Create Date: 2026-12-03 07:10:00

A card that has not started yet can be changed in place (its grid, date or reason). The
coordinator's "what needs me today" lists cards changed in the past week: a card's creation is
no longer its only change. Empty for every card never changed.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_card_changed_at"
down_revision = "0014_security_events"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("flexibility_cards") as batch:
        batch.add_column(sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("flexibility_cards") as batch:
        batch.drop_column("changed_at")
