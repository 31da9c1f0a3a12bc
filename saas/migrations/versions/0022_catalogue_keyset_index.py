"""the staff catalogue's keyset order: an index on offers (network_id, title, id)

Revision ID: 0022_catalogue_keyset_index
Revises: 0021_citus_network_keys
Create Date: 2026-12-03 12:10:00

The staff catalogue reads a page from its cursor on in (title, id) order
(saas.catalogue.browse): with this index that is an index scan of one page's rows, wherever the
page is, instead of sorting every offer of the network.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0022_catalogue_keyset_index"
down_revision = "0021_citus_network_keys"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_offers_network_title_id", "offers", ["network_id", "title", "id"], unique=False
    )


def downgrade():
    op.drop_index("ix_offers_network_title_id", table_name="offers")
