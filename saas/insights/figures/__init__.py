"""The network's health in figures: aggregate SQL only, never rows of families loaded into Python.

Every function runs inside the current network's scope (the ORM adds the network to each query;
PostgreSQL's row-level security checks it again) and issues a fixed number of GROUP BY queries,
whatever the size of the network. Counts about families and referrals come back as
`suppression.Table`s that have been through `suppress()`, the one rule.

One module per part of the dashboard: `reach`, `referrals`, `coverage` (the catalogue's gaps),
`partners` (their engagement), `social_economy` and `trends` (this period against the previous
one), on the definitions and SQL building blocks of `blocks`. `health()` puts them together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text

from saas.extensions import db
from saas.insights.figures import coverage, partners, reach, referrals, social_economy, trends
from saas.insights.figures.partners import Partners
from saas.insights.figures.reach import Reach
from saas.insights.figures.referrals import Referrals
from saas.insights.figures.social_economy import SocialEconomy
from saas.insights.figures.trends import Trend
from saas.insights.period import Period
from saas.insights.suppression import Table
from saas.models_base import utcnow


@dataclass
class Health:
    period: Period
    reach: Reach
    referrals: Referrals
    coverage: Table
    gaps: list[tuple[str, str]]
    partners: Partners
    social_economy: SocialEconomy
    trends: list[Trend]
    computed_at: datetime = field(default_factory=utcnow)  # figures may be served from a cache

    def tables(self) -> dict[str, Table]:
        """Every table of the dashboard by its key: the CSV exports and the PDF use these."""
        tables = [
            self.reach.by_type,
            self.reach.by_line,
            self.reach.by_neighbourhood,
            self.referrals.by_state,
            self.referrals.flows,
            self.referrals.timeliness,
            self.referrals.declines,
            self.coverage,
            self.partners.table,
            self.social_economy.table,
        ]
        return {t.key: t for t in tables}


def _planned_for_their_values() -> None:
    """Have PostgreSQL plan the figures' queries for the values of each run (this transaction
    only). psycopg prepares a statement on its fifth run, and from the tenth PostgreSQL may keep
    one generic plan for it: for these aggregates that plan took 2.1 s instead of 0.8 s. The
    figures are worked out a few times an hour, so planning them each time costs nothing."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def health(period: Period) -> Health:
    _planned_for_their_values()
    table = coverage.coverage(period)
    reach_, referrals_ = reach.reach(period), referrals.referrals(period)
    return Health(
        period=period,
        reach=reach_,
        referrals=referrals_,
        coverage=table,
        gaps=coverage.gaps(table),
        partners=partners.partners(period),
        social_economy=social_economy.social_economy_figures(period),
        trends=trends.trends(period, trends._headline_from(reach_, referrals_)),
    )
