"""offers: every stored repetition rule checked against the bounded grammar

Revision ID: 0012_offer_rules_checked
Revises: 0011_roster_solve_requested
Create Date: 2026-12-03 03:30:00

Rules typed before the grammar of `saas.catalogue.schedule.Rule` existed may loop `dateutil`
for good (INTERVAL=0), multiply sessions (BYHOUR, BYMINUTE) or fail to read back (a dashed
UNTIL). Each stored rule is read again: one that reads is kept in its one normal form (a dashed
UNTIL becomes 20270630); one that does not is taken offline, and the partner's people get a
notice asking them to correct it. The rule text itself is left as it was, so they can see what
they typed. This reads the rule with today's grammar; later changes to the grammar come with
their own migration.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from saas.catalogue.schedule import Rule, ScheduleError

# revision identifiers, used by Alembic.
revision = "0012_offer_rules_checked"
down_revision = "0011_roster_solve_requested"
branch_labels = None
depends_on = None

offers = sa.table(
    "offers",
    sa.column("id", sa.Integer),
    sa.column("network_id", sa.Integer),
    sa.column("partner_id", sa.Integer),
    sa.column("title", sa.String),
    sa.column("rrule", sa.String),
    sa.column("start_date", sa.Date),
    sa.column("start_time", sa.Time),
    sa.column("published_at", sa.DateTime),
)
networks = sa.table("networks", sa.column("id", sa.Integer), sa.column("slug", sa.String))
memberships = sa.table(
    "memberships",
    sa.column("network_id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("partner_id", sa.Integer),
)
users = sa.table("users", sa.column("id", sa.Integer), sa.column("language", sa.String))
notifications = sa.table(
    "notifications",
    sa.column("network_id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("subject", sa.String),
    sa.column("link", sa.String),
    sa.column("digest_due", sa.Boolean),
    sa.column("created_at", sa.DateTime),
)
SUBJECT = {
    "nl": "Het schema van ‘{title}’ kon niet gelezen worden: het aanbod staat offline. "
    "Pas het schema aan en publiceer het opnieuw.",
    "en": "The schedule of ‘{title}’ could not be read, so the offer is offline. "
    "Correct the schedule and publish it again.",
}


def _problem(row) -> tuple[str | None, str]:
    """(the rule's normal form or None when it cannot be kept, the reason)."""
    try:
        rule = Rule.parse(row.rrule)
        rule.starts(datetime.combine(row.start_date, row.start_time))
    except ScheduleError as exc:
        return None, str(exc)
    return rule.text, ""


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":  # row-level security is forced, even for the owner
        bind.execute(sa.text("SELECT set_config('app.all_networks', 'on', true)"))
    rows = bind.execute(
        sa.select(offers, networks.c.slug)
        .join(networks, networks.c.id == offers.c.network_id)
        .where(offers.c.rrule != "")
    ).all()
    now = datetime.now(UTC)
    for row in rows:
        normal, _reason = _problem(row)
        if normal is not None:
            if normal != row.rrule:
                bind.execute(offers.update().where(offers.c.id == row.id).values(rrule=normal))
            continue
        bind.execute(offers.update().where(offers.c.id == row.id).values(published_at=None))
        people = bind.execute(
            sa.select(users.c.id, users.c.language)
            .join(memberships, memberships.c.user_id == users.c.id)
            .where(
                memberships.c.network_id == row.network_id,
                memberships.c.partner_id == row.partner_id,
            )
            .distinct()
        ).all()
        for person in people:
            subject = SUBJECT.get(person.language, SUBJECT["nl"]).format(title=row.title)
            bind.execute(
                notifications.insert().values(
                    network_id=row.network_id,
                    user_id=person.id,
                    kind="offer_schedule_invalid",
                    subject=subject[:300],
                    link=f"/{row.slug}/catalogue/offers/{row.id}/edit",
                    digest_due=False,
                    created_at=now,
                )
            )


def downgrade():
    pass  # the normal form reads the same; offers taken offline stay offline
