"""What needs me today: each role's short list of things waiting for them in the current network,
for the network's home page. Every query goes through the one scoping mechanism (the current
network only); each list is a few rows and its total, in a fixed number of statements however
busy the network is. Nothing here says anything about a family: the steward gets counts of
referrals only, and a partner's referrals are listed by sender and dates, never by family.

- `steward.needs()`: open invitations, referrals past their response target (a count, through
  the suppression rule), the catalogue's gaps, thematic salons without a confirmed speaker;
- `partner.needs(partner_ids)`: referrals waiting for the partner's answer, last week's sessions
  that still need a headcount, requests to speak;
- `team.coordinator_needs()`: changed flexibility cards, sessions nobody covers, rosters not
  published yet, referrals to the social-economy employer waiting for the team's answer; `team.worker_week(user_id)`: the worker's week in short.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from saas.catalogue.schedule import to_local, to_utc
from saas.models_base import utcnow

SHOWN = 5  # rows per list; the total says how many more there are


@dataclass
class Listed:
    """The first rows of a list and how many there are in all."""

    rows: list[Any] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.rows))

    def __bool__(self) -> bool:
        return self.total > 0


def today() -> date:
    """Today in the network's own time zone (Europe/Brussels), not the server's."""
    return to_local(utcnow()).date()


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def local_midnight(day: date) -> datetime:
    """The UTC instant at which a local day starts."""
    return to_utc(datetime.combine(day, time()))
