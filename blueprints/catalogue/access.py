"""Who may act on an offer, and for which partners: shared by the catalogue's view modules."""

from __future__ import annotations

from flask import abort

from saas.catalogue import permissions as perm
from saas.catalogue.models import Offer
from saas.partners.access import acting_partners
from saas.partners.models import Partner
from tenants.access import memberships
from tenants.models import Role

ANY_MEMBER = ()
PUBLISHERS = (Role.PARTNER_ADMIN, Role.PARTNER_MEMBER, Role.SE_COORDINATOR)


def require(offer: Offer, right: str) -> set[str]:
    """The person's rights on the offer: 404 when they may not see it, 403 without `right`."""
    rights = perm.rights(offer, memberships())
    if perm.VIEW not in rights:
        abort(404)
    if right not in rights:
        abort(403)
    return rights


def publishable_partners() -> list[Partner]:
    """Partners this person may publish for: their own, and the social-economy employer for its
    coordinator (not its workers)."""
    return acting_partners(social_economy_roles=(Role.SE_COORDINATOR,))


def own_partner_ids() -> set[int]:
    """The partners the person is a member of (not the employer of social-economy staff)."""
    return {m.partner_id for m in memberships() if m.partner_id}
