"""open data: when what each HSDS object shows last changed; language codes as ISO 639

Revision ID: 0016_hsds_last_modified
Revises: 0015_card_changed_at
Create Date: 2026-12-03 06:10:00

`updated_at` on partners, locations and offer types (set on every change of the row) and on
sessions (set when one is cancelled, restored or moved, not when the daily job makes it),
and `offers.changed_at` (every change of the row, and a closure period added or removed when the
offer skips such periods): the open data's `last_modified` is the latest of these, so a reader
asking `modified_after` misses nothing. Existing rows start at their creation (or now).

`ber` (Berber, an ISO 639-5 group code) is not a language code HSDS accepts: stored choices
become `rif` (Tarifit, ISO 639-3), the Tamazight most families from Morocco speak here.
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_hsds_last_modified"
down_revision = "0015_card_changed_at"
branch_labels = None
depends_on = None

STAMPED = ("partners", "locations", "offer_types", "sessions")
# comma-separated language codes
CODE_LISTS = {
    "offers": "languages",
    "referrals": "languages",
    "worker_profiles": "languages",
    "staffing_needs": "languages",
    "school_wishes": "languages",
}


def _swap(codes: list[str], old: str, new: str) -> list[str]:
    return list(dict.fromkeys(new if code == old else code for code in codes))


def _recode(bind, old: str, new: str) -> None:
    for table, column in CODE_LISTS.items():
        t = sa.table(table, sa.column("id", sa.Integer), sa.column(column, sa.String))
        for row_id, value in bind.execute(sa.select(t.c.id, t.c[column])).all():
            codes = [c for c in (value or "").split(",") if c]
            if old in codes:
                value = ",".join(_swap(codes, old, new))
                bind.execute(t.update().where(t.c.id == row_id).values({column: value}))
    partners = sa.table("partners", sa.column("id", sa.Integer), sa.column("languages", sa.JSON))
    for row_id, value in bind.execute(sa.select(partners.c.id, partners.c.languages)).all():
        codes = json.loads(value) if isinstance(value, str) else list(value or [])
        if old in codes:
            bind.execute(
                partners.update()
                .where(partners.c.id == row_id)
                .values(languages=_swap(codes, old, new))
            )


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":  # row-level security is forced, even for the owner
        bind.execute(sa.text("SELECT set_config('app.all_networks', 'on', true)"))
    for table in STAMPED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True))
    now = datetime.now(UTC)
    for table in ("partners", "locations"):
        bind.execute(sa.text(f"UPDATE {table} SET updated_at = created_at"))  # noqa: S608
    # sessions keep none: set from now on, when one is cancelled, restored or moved
    bind.execute(sa.text("UPDATE offer_types SET updated_at = :now"), {"now": now})
    bind.execute(sa.text("UPDATE offers SET changed_at = COALESCE(updated_at, created_at)"))
    _recode(bind, "ber", "rif")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("SELECT set_config('app.all_networks', 'on', true)"))
    _recode(bind, "rif", "ber")
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_column("changed_at")
    for table in STAMPED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("updated_at")
