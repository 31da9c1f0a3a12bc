"""Creating a network (the platform admin's explicitly cross-network path, and the public
sign-up's): its offer types, its trial, and the invitation of its first steward."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import func, select

from saas.accounts.factors import REQUIRE_SETTING as REQUIRE_TWO_FACTORS
from saas.accounts.models import User
from saas.audit.services import record
from saas.billing.services import start_trial
from saas.catalogue.services import seed_offer_types
from saas.extensions import db
from saas.onboarding import invitations
from saas.text import single_line
from tenants.context import all_networks, network_scope
from tenants.models import Membership, Network, Role

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
RESERVED = {
    "admin",
    "hsds-profile",
    "auth",
    "account",
    "api",
    "billing",
    "dev",
    "healthz",
    "language",
    "metrics",
    "static",
    "start",
}


class NetworkError(ValueError):
    pass


def checked_slug(slug: str) -> str:
    """The slug a new network may take (normalised); NetworkError says why not."""
    slug = slug.strip().lower()
    if not SLUG.match(slug) or len(slug) > 60:
        raise NetworkError(_("Use lower-case letters, digits and dashes."))
    if slug in RESERVED:
        raise NetworkError(_("This web address is reserved."))
    if db.session.execute(select(Network.id).where(Network.slug == slug)).first():
        raise NetworkError(_("This web address is already taken."))
    return slug


def create_network(
    *,
    slug: str,
    name: str,
    municipality: str,
    default_language: str = "nl",
    steward_email: str | None = None,
    invited_by: User | None = None,
) -> Network:
    slug = checked_slug(slug)
    network = Network(
        slug=slug,
        name=single_line(name),
        municipality=single_line(municipality),
        default_language=default_language,
        settings={"response_target_working_days": 5},
    )
    db.session.add(network)
    db.session.flush()
    with network_scope(network.id):
        seed_offer_types()
        start_trial(network)  # a 30-day trial while billing is on; nothing otherwise
    if steward_email:
        with network_scope(network.id):
            invitations.invite(
                network=network, email=steward_email, role=Role.STEWARD, invited_by=invited_by
            )
    return network


def active_networks() -> list[Network]:
    """The networks the front door lists, by name."""
    return list(
        db.session.execute(
            select(Network)
            .where(Network.is_active.is_(True), Network.closed_at.is_(None))
            .order_by(Network.name)
        ).scalars()
    )


def networks_with_member_counts() -> list[tuple[Network, int]]:
    """Every network by name with its number of memberships (the platform admin's overview)."""
    with all_networks():
        return list(
            db.session.execute(
                select(Network, func.count(Membership.id))
                .outerjoin(Membership, Membership.network_id == Network.id)
                .group_by(Network.id)
                .order_by(Network.name)
            ).all()
        )


def change_settings(
    network: Network,
    *,
    name: str,
    municipality: str,
    default_language: str,
    require_two_factors: bool | None = None,
) -> None:
    """The steward renames the network, changes its municipality or default language, or asks
    two factors of every role that can open referrals or roster reasons (saas.accounts.factors)."""
    network.name = single_line(name)
    network.municipality = single_line(municipality)
    network.default_language = default_language
    if require_two_factors is not None:
        # a new dict: the JSON column only notices a change of the value itself
        before = bool((network.settings or {}).get(REQUIRE_TWO_FACTORS))
        network.settings = {**(network.settings or {}), REQUIRE_TWO_FACTORS: require_two_factors}
        if before != require_two_factors:
            record("network.two_factors_required", network, required=require_two_factors)
    record("network.settings_changed", network)
