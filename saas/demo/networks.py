"""Demo networks, their partners and people, and who holds which role (idempotent).

The records are in data/networks.yaml (networks, people and their roles) and data/partners.csv.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from saas.accounts import services as accounts
from saas.accounts.models import User
from saas.demo.datafiles import read_csv, read_yaml, split
from saas.extensions import db
from saas.models_base import utcnow
from saas.onboarding import invitations
from saas.partners.models import Partner, PartnerState, Sector
from tenants.models import Membership, Network, Role

PASSWORD = "dorp-demo"  # the documented demo password, for every demo account

_DATA = read_yaml("networks.yaml")
NETWORKS: dict[str, dict] = _DATA["networks"]
USER_LANGUAGE: str = _DATA["user_language"]

Grant = tuple[str, Role, str | None]  # (network slug, role, partner name or None)

# (email, name, platform admin, [grants]): tests count the memberships from this
PEOPLE: list[tuple[str, str, bool, list[Grant]]] = [
    (
        person["email"],
        person["name"],
        person.get("platform_admin", False),
        [(g["network"], Role(g["role"]), g.get("partner")) for g in person.get("grants", [])],
    )
    for person in _DATA["people"]
]


def people() -> dict[str, User]:
    """Every demo person's account by e-mail, created the first time."""
    users = {email: _user(email, name, admin) for email, name, admin, _grants in PEOPLE}
    db.session.flush()
    return users


def steward_of(slug: str, users: dict[str, User]) -> User | None:
    return next((users[e] for e, _n, _a, g in PEOPLE if (slug, Role.STEWARD, None) in g), None)


def network(slug: str) -> Network:
    """The demo network `slug`, created the first time."""
    found = db.session.execute(select(Network).where(Network.slug == slug)).scalar_one_or_none()
    if found is not None:
        return found
    spec = NETWORKS[slug]
    created = Network(
        slug=slug,
        name=spec["name"],
        municipality=spec["municipality"],
        default_language=spec["default_language"],
        settings=dict(spec["settings"]),
    )
    db.session.add(created)
    db.session.flush()
    return created


def partners(network: Network, steward: User | None) -> int:
    """Add the network's missing partners (inside its scope); invited ones get an invitation."""
    created = 0
    existing = {p.name: p for p in db.session.execute(select(Partner)).scalars()}
    activated = timedelta(days=_DATA["partner_activated_days_ago"])
    suspended = timedelta(days=_DATA["partner_suspended_days_ago"])
    for row in read_csv("partners.csv", network.slug):
        if row["name"] in existing:
            continue
        state = PartnerState(row["state"])
        partner = Partner(
            name=row["name"],
            sector=Sector(row["sector"]),
            contact_email=row["contact_email"],
            state=state,
            description=row["description"],
            languages=split(row["languages"]),
            activated_at=utcnow() - activated if state != PartnerState.INVITED else None,
            suspended_at=utcnow() - suspended if state == PartnerState.SUSPENDED else None,
        )
        db.session.add(partner)
        db.session.flush()
        if state == PartnerState.INVITED:
            invitations.invite(
                network=network,
                email=row["contact_email"],
                role=Role.PARTNER_ADMIN,
                partner=partner,
                invited_by=steward,
            )
        created += 1
    return created


def grant_roles(slug: str, users: dict[str, User]) -> None:
    """Give the people their roles in network `slug` (inside its scope), once."""
    for email, _name, _admin, grants in PEOPLE:
        for grant_slug, role, partner_name in grants:
            if grant_slug == slug:
                _grant(users[email], role, partner_name)
    db.session.flush()


def _user(email: str, name: str, admin: bool) -> User:
    user = accounts.find_user(email)
    if user is None:
        user = accounts.create_user(
            email=email, name=name, password=PASSWORD, language=USER_LANGUAGE
        )
        user.is_platform_admin = admin
    return user


def _grant(user: User, role: Role, partner_name: str | None) -> None:
    partner_id = None
    if partner_name:
        partner_id = db.session.execute(
            select(Partner.id).where(Partner.name == partner_name)
        ).scalar_one()
    found = db.session.execute(
        select(Membership.id).where(
            Membership.user_id == user.id,
            Membership.role == role,
            Membership.partner_id.is_(None)
            if partner_id is None
            else Membership.partner_id == partner_id,
        )
    ).first()
    if found is None:
        db.session.add(Membership(user_id=user.id, role=role, partner_id=partner_id))
