"""Who may do what with an offer, from the person's roles in the network.

- the owner partner's people, and the social-economy coordinator for offers of a social-economy
  partner: everything (edit, publish, co-organisers, sessions, headcounts);
- a co-organiser: edit the offer and its sessions, record headcounts; not publish or invite;
- a host: record headcounts; a speaker: answer the invitation;
- social-economy workers: record headcounts of the social economy's offers;
- the steward: hide or show any offer.
"""

from __future__ import annotations

from saas.catalogue.models import Answer, Offer, OrganiserRole
from saas.partners.models import Sector
from tenants.models import Membership, Role

VIEW, EDIT, PUBLISH, ORGANISERS, SESSIONS, HEADCOUNT, ANSWER, HIDE = (
    "view",
    "edit",
    "publish",
    "organisers",
    "sessions",
    "headcount",
    "answer",
    "hide",
)
OWNER_RIGHTS = {VIEW, EDIT, PUBLISH, ORGANISERS, SESSIONS, HEADCOUNT}


def rights(offer: Offer, memberships: list[Membership]) -> set[str]:
    granted: set[str] = set()
    partner_ids = {m.partner_id for m in memberships if m.partner_id is not None}
    roles = {Role(m.role) for m in memberships}
    involved = offer.partner_id in partner_ids or any(
        link.partner_id in partner_ids for link in offer.organisers
    )
    # drafts and hidden offers are seen by those involved and the steward only
    if memberships and (
        offer.is_published or involved or roles & {Role.STEWARD, Role.SE_COORDINATOR}
    ):
        granted.add(VIEW)
    if offer.partner_id in partner_ids:
        granted |= OWNER_RIGHTS
    social_economy = offer.partner is not None and offer.partner.sector == Sector.SOCIAL_ECONOMY
    if social_economy and Role.SE_COORDINATOR in roles:
        granted |= OWNER_RIGHTS
    if social_economy and Role.SE_WORKER in roles:
        granted.add(HEADCOUNT)
    for link in offer.organisers:
        if link.partner_id not in partner_ids:
            continue
        if link.role == OrganiserRole.ORGANISER and link.answer != Answer.DECLINED:
            granted |= {EDIT, SESSIONS, HEADCOUNT}
        elif link.role == OrganiserRole.HOST:
            granted.add(HEADCOUNT)
        elif link.role == OrganiserRole.SPEAKER:
            granted.add(ANSWER)
    if Role.STEWARD in roles:
        granted.add(HIDE)
    return granted
