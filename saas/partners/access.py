"""Which partners the signed-in person acts for in the current network."""

from __future__ import annotations

from sqlalchemy import or_, select

from saas.extensions import db
from saas.partners.models import Partner, PartnerState, Sector
from tenants.access import memberships, roles
from tenants.models import Role


def acting_partners(*, social_economy_roles=(Role.SE_COORDINATOR, Role.SE_WORKER)) -> list:
    """The partners the person acts for: their own, and the social-economy employer for its staff."""
    own = {m.partner.id: m.partner for m in memberships() if m.partner is not None}
    if not roles() & set(social_economy_roles):
        # memberships() already leaves out suspended partners: no query needed
        return sorted(own.values(), key=lambda p: (p.name, p.id))
    query = (
        select(Partner)
        .where(
            Partner.state != PartnerState.SUSPENDED,
            or_(Partner.id.in_(own), Partner.sector == Sector.SOCIAL_ECONOMY),
        )
        .order_by(Partner.name, Partner.id)
    )
    return list(db.session.execute(query).scalars())


def acting_partner_ids() -> set[int]:
    """The ids of `acting_partners()`: whose referrals the person may open."""
    return {p.id for p in acting_partners()}
