"""rosters: when the last solve was asked for (the relay's sweep re-hands a lost solve)

Revision ID: 0011_roster_solve_requested
Revises: 0010_rls_initplan
Create Date: 2026-12-02 20:30:00

A solve is now handed to RQ after the request commits, by a relay; a roster still "solving" a
minute after it was asked for, whose job Redis does not know, is handed over again by the sweep.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_roster_solve_requested"
down_revision = "0010_rls_initplan"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rosters") as batch:
        batch.add_column(sa.Column("solve_requested_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("rosters") as batch:
        batch.drop_column("solve_requested_at")
