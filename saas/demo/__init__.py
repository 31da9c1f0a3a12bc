"""Demo data: Beringen and Sint-Truiden as the publication describes them (idempotent).

Each feature adds its own part here, so a newcomer's first look shows a living network. The
records themselves are data files in saas/demo/data; the modules read them, place them in time
relative to today and insert them through the features' services.
"""

from __future__ import annotations

from saas.demo.api import seed_api_tokens
from saas.demo.billing import seed_billing
from saas.demo.catalogue import seed_catalogue
from saas.demo.exports import seed_exports
from saas.demo.insights import seed_insights
from saas.demo.networks import (
    NETWORKS,
    PASSWORD,
    PEOPLE,
    grant_roles,
    network,
    partners,
    people,
    steward_of,
)
from saas.demo.notices import high_water, settle
from saas.demo.operations import seed_operations
from saas.demo.referrals import seed_referrals
from saas.demo.security import seed_login_sessions, seed_security_events
from saas.demo.workforce import seed_workforce
from saas.extensions import db
from tenants.context import network_scope

__all__ = ["PASSWORD", "PEOPLE", "seed"]


def seed() -> dict:
    """Seed both demo networks and commit; returns how many of each thing were added."""
    users = people()
    summary = {"networks": 0, "partners": 0, "people": len(users)}
    for slug in NETWORKS:
        demo_network = network(slug)
        summary["networks"] += 1
        steward = steward_of(slug, users)
        with network_scope(demo_network.id):
            before = high_water()
            summary["partners"] += partners(demo_network, steward)
            grant_roles(slug, users)
            # in this order: referrals and insights draw on the catalogue's partners and
            # headcounts, the workforce staffs the catalogue's published offers
            parts = (
                seed_catalogue(demo_network, steward),
                seed_referrals(demo_network, steward),
                seed_workforce(demo_network),
                seed_billing(demo_network),
                seed_api_tokens(demo_network),
                seed_insights(demo_network, steward),
                seed_operations(demo_network),
                seed_exports(demo_network, steward),
            )
            for counts in (*parts, settle(demo_network, before)):
                for key, value in counts.items():
                    summary[key] = summary.get(key, 0) + value
    summary.update(seed_security_events())  # platform-wide, not one network's
    summary.update(seed_login_sessions())  # people's, not one network's
    db.session.commit()
    return summary
