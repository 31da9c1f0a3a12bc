"""Who speaks for a partner: its people, and for a social-economy partner its coordinators too."""

from __future__ import annotations

from sqlalchemy import select

from saas.accounts.models import User
from saas.extensions import db
from saas.partners.models import Sector
from tenants.models import Membership, Role


def partner_people(partner_ids: set[int]) -> list[User]:
    if not partner_ids:
        return []
    return list(
        db.session.execute(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.partner_id.in_(partner_ids),
                Membership.role.in_([Role.PARTNER_ADMIN, Role.PARTNER_MEMBER]),
            )
            .distinct()
        ).scalars()
    )


def social_economy_staff(partner, roles=(Role.SE_COORDINATOR,)) -> list[User]:
    """Social-economy staff act in the name of their employer: they hear its news."""

    if partner is None or partner.sector != Sector.SOCIAL_ECONOMY:
        return []
    return list(
        db.session.execute(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.role.in_(roles))
            .distinct()
        ).scalars()
    )


def stewards() -> list[User]:
    """The current network's stewards, in a steady order."""
    return list(
        db.session.execute(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.role == Role.STEWARD)
            .distinct()
            .order_by(User.id)
        ).scalars()
    )


def speakers_for(partner, *, roles=(Role.SE_COORDINATOR,)) -> list[User]:
    return partner_people({partner.id}) + social_economy_staff(partner, roles)
