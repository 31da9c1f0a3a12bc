"""A partner's referral inbox (received) and outbox (sent): one page of listed columns and the
counts by status, whatever the filter, in two statements."""

from __future__ import annotations

from collections.abc import Collection
from functools import cache

from sqlalchemy import Select, bindparam, func, select

from saas.audit.services import read_page
from saas.catalogue.queries import Page
from saas.partners.models import Partner
from saas.referrals.models import Referral, Status

PAGE_SIZE = 50
LISTED_COLUMNS = (
    "id",
    "urgent",
    "family_label",
    "from_partner_id",
    "to_partner_id",
    "status",
    "lapsed",
    "response_due_at",
    "responded_at",
)


@cache
def _statements(box: str, filtered: str) -> tuple[Select, Select]:
    """The inbox's counts by status and its page of rows, for a box ("in", "out") and a kind of
    status filter ("", "open", "one"), built once: each page fills in its partners, status and
    page by bound parameters (building and keying new statements on every request cost about
    as much as running them)."""
    mine = bindparam("mine", expanding=True)
    column = Referral.from_partner_id if box == "out" else Referral.to_partner_id
    where = [column.in_(mine)]
    if box == "in":
        where.append(Referral.status != Status.DRAFT)
    counts = select(Referral.status, func.count()).where(*where).group_by(Referral.status)
    if filtered == "one":
        where.append(Referral.status == bindparam("status"))
    elif filtered == "open":
        where.append(Referral.status.in_([s for s in Status if s.is_open]))
    # The listed columns only, as plain rows: a family's question and contact stay unread, and
    # a page of rows costs no ORM objects.
    other = Referral.from_partner_id if box == "in" else Referral.to_partner_id
    # the other side's name: a key lookup per listed row (as a join, PostgreSQL's generic plan
    # read all of the network's partners for each page)
    other_name = select(Partner.name).where(Partner.id == other).scalar_subquery()
    page = (
        select(*(getattr(Referral, name) for name in LISTED_COLUMNS), other_name.label("other"))
        .where(*where)
        .order_by(Referral.urgent.desc(), Referral.id.desc())
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    return counts, page


def inbox_page(
    box: str, status: str, partner_ids: Collection[int], number: int
) -> tuple[Page, dict[str, int]]:
    """Page `number` of the box ("in" or "out") of these partners, filtered on `status` (a status,
    "open", or anything else for all), and the box's counts by status; the listing is audited."""
    if status in {s.value for s in Status}:
        filtered, shown = "one", [Status(status)]
    elif status == "open":
        filtered, shown = "open", [s for s in Status if s.is_open]
    else:
        filtered, shown = "", list(Status)
    counted, listed = _statements(box, filtered)
    values = {
        "mine": sorted(partner_ids),
        "status": status,
        "offset": (number - 1) * PAGE_SIZE,
        "limit": PAGE_SIZE,
    }
    rows, counts = read_page("referral.listed", Referral, listed, values, counts=counted)
    total = sum(counts.get(s, 0) for s in shown)  # the counts, filtered: no second count
    return Page(items=rows, total=total, number=number, size=PAGE_SIZE), counts
