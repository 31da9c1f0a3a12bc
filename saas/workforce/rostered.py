"""Who works when: the ONE rule every reader of assignments shares.

An assignment counts (a worker's week and calendar feed, a roster's coverage, the network's
figures) when its roster is published and no roster published after it has taken over the day
of its session (`RosterRetirement`). Drafts, solved-but-unpublished and retired rosters never
count; an old roster's assignments on days a replacement took over stay as history only.

A published roster that is being solved again (or whose new solve failed) is still published:
its workers keep seeing what was published meanwhile.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, exists, or_

from saas.catalogue.models import ActivitySession
from saas.workforce.models import Assignment, Roster, RosterRetirement, RosterStatus


def taken_over(roster_id, starts_at) -> ColumnElement[bool]:
    """True when a newer roster has taken over the day of a session starting at `starts_at` from
    the roster `roster_id` (each a column or a value)."""
    return exists().where(
        RosterRetirement.roster_id == roster_id,
        RosterRetirement.starts_at <= starts_at,
        RosterRetirement.ends_at > starts_at,
    )


def published() -> ColumnElement[bool]:
    """The roster is published (and not wholly retired), even while it is being solved again."""
    return or_(
        Roster.status == RosterStatus.PUBLISHED,
        and_(Roster.published_at.is_not(None), Roster.status != RosterStatus.RETIRED),
    )


def is_published(roster: Roster) -> bool:
    """`published()` for a roster in hand."""
    return roster.status == RosterStatus.PUBLISHED or (
        roster.published_at is not None and roster.status != RosterStatus.RETIRED
    )


def in_force() -> ColumnElement[bool]:
    """The condition itself, for a statement that already joins Roster and ActivitySession to
    Assignment (`rostered` does both)."""
    return and_(
        published(),
        ~taken_over(Assignment.roster_id, ActivitySession.starts_at),
    )


def rostered(statement: Select) -> Select:
    """`statement` (selecting from Assignment) narrowed to the assignments that count."""
    return (
        statement.join(Roster, Roster.id == Assignment.roster_id)
        .join(ActivitySession, ActivitySession.id == Assignment.session_id)
        .where(in_force())
    )
