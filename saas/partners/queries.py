"""Reading the network's partners: the active ones for pages and choices, counts for dashboards."""

from __future__ import annotations

from sqlalchemy import func, select

from saas.extensions import db
from saas.partners.models import Partner, PartnerState, Sector


def active_partners(*, excluding: int | None = None, by_sector: bool = False) -> list[Partner]:
    """The active partners by name (by sector first for the families' page), maybe but one."""
    query = select(Partner).where(Partner.state == PartnerState.ACTIVE)
    if excluding is not None:
        query = query.where(Partner.id != excluding)
    order = (Partner.sector, Partner.name) if by_sector else (Partner.name,)
    return list(db.session.execute(query.order_by(*order)).scalars())


def active_partner_names(*, excluding: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of the active partners by name, maybe but one: what a list of choices needs,
    read as two columns (a whole partner row is ten times the work)."""
    query = select(Partner.id, Partner.name).where(Partner.state == PartnerState.ACTIVE)
    if excluding is not None:
        query = query.where(Partner.id != excluding)
    return [(row.id, row.name) for row in db.session.execute(query.order_by(Partner.name))]


def active_partner(partner_id: int) -> Partner | None:
    return db.session.execute(
        select(Partner).where(Partner.id == partner_id, Partner.state == PartnerState.ACTIVE)
    ).scalar_one_or_none()


def partners_in_state(state: str) -> list[Partner]:
    """Every partner by name, or only those in `state` when it names a state."""
    query = select(Partner).order_by(Partner.name)
    if state in {s.value for s in PartnerState}:
        query = query.where(Partner.state == state)
    return list(db.session.execute(query).scalars())


def count_by_state() -> dict[PartnerState, int]:
    return dict(
        db.session.execute(select(Partner.state, func.count()).group_by(Partner.state)).all()
    )


def composition() -> tuple[dict[Sector, dict[PartnerState, int]], list[PartnerState]]:
    """How many partners each sector has in each state, and the states in their order."""
    rows = db.session.execute(
        select(Partner.sector, Partner.state, func.count()).group_by(Partner.sector, Partner.state)
    ).all()
    table = {sector: dict.fromkeys(PartnerState, 0) for sector in Sector}
    for sector, state, count in rows:
        table[Sector(sector)][PartnerState(state)] = count
    return table, list(PartnerState)
