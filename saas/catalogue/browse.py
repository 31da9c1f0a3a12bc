"""The staff catalogue a page at a time, by keyset: (title, id) after the last row shown.

A page link carries the row it starts after (`after`) or ends before (`before`) as a signed
cursor: the network, the title and the id, signed with the app's key so a link cannot be made up
or carried to another network. A cursor that does not read (tampered with, cut short, from
another network) is refused and the first page is shown with a note, never an error.

Reading page N no longer costs skipping N - 1 pages: the database walks the (network, title, id)
index from the cursor. The total is counted once per version of the network's data
(`saas.caching`) and filters, and kept in Redis beside the filter lists (`filter_lists`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import joinedload, load_only

from saas import caching
from saas.catalogue.models import Location, Offer
from saas.catalogue.queries import Filters, catalogue_query, meets_on
from saas.extensions import db
from saas.partners.models import Partner
from tenants.context import current_network_id

# 24 cards a page: a page a person scans at a glance, which also keeps the signed-in page's
# render within 3x the Fortunes page at scale (bench.catalogue); the API pages by its own size.
PAGE_SIZE = 24
SALT = "dorp-catalogue-cursor"


class BadCursor(ValueError):
    """A page link's cursor that does not read: the first page is shown instead."""


@dataclass(frozen=True)
class Key:
    """Where a row stands in the catalogue's order."""

    title: str
    id: int


@dataclass
class KeysetPage:
    """One page of the catalogue: its offers, whether there are more either side, and the
    cursors of the links to them."""

    items: list
    total: int
    has_previous: bool
    has_next: bool

    def cursor(self, direction: str) -> str:
        """The signed cursor of the "previous" (`before` the first row) or "next" (`after`
        the last row) link."""
        row = self.items[0] if direction == "before" else self.items[-1]
        return sign(Key(row.title, row.id))


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def sign(key: Key) -> str:
    return _serializer().dumps([current_network_id(), key.title, key.id])


def read(token: str) -> Key:
    """The key a cursor names in the current network; BadCursor when it does not read."""
    try:
        network_id, title, row_id = _serializer().loads(token)
    except (BadData, TypeError, ValueError) as error:
        raise BadCursor(token) from error
    valid = (
        network_id == current_network_id()
        and isinstance(title, str)
        and len(title) <= 200
        and isinstance(row_id, int)
        and 0 < row_id < 2**31
    )
    if not valid:
        raise BadCursor(token)
    return Key(title, row_id)


def page(
    f: Filters,
    *,
    after: Key | None = None,
    before: Key | None = None,
    size: int | None = None,
    include_hidden: bool = False,
) -> KeysetPage:
    """The page after `after`, before `before`, or the first: a few statements, however far
    into the catalogue it is."""
    size = size or PAGE_SIZE
    if before is not None:
        rows = _rows(f, before, backwards=True, limit=size + 1, include_hidden=include_hidden)
        if len(rows) <= size:  # back at the start: the first page, full
            return page(f, size=size, include_hidden=include_hidden)
        return _page(f, rows[:size][::-1], True, True, include_hidden)
    rows = _rows(f, after, backwards=False, limit=size + 1, include_hidden=include_hidden)
    if after is not None and not rows:  # past the end (rows removed since): the first page
        return page(f, size=size, include_hidden=include_hidden)
    return _page(f, rows[:size], after is not None, len(rows) > size, include_hidden)


# What a card shows, and no more: an offer's description and translations are most of its row.
CARD = (
    load_only(
        Offer.network_id,
        Offer.partner_id,
        Offer.type_id,
        Offer.location_id,
        Offer.title,
        Offer.age_min_months,
        Offer.age_max_months,
        Offer.cost_kind,
        Offer.registration_required,
        Offer.start_date,
        Offer.start_time,
        Offer.end_time,
        Offer.rrule,
        Offer.published_at,
        Offer.hidden_at,
    ),
    joinedload(Offer.partner).load_only(Partner.network_id, Partner.name),
    joinedload(Offer.type),
    joinedload(Offer.location).load_only(
        Location.network_id, Location.name, Location.neighbourhood
    ),
)


def _rows(
    f: Filters, key: Key | None, *, backwards: bool, limit: int, include_hidden: bool
) -> list[Offer]:
    """Up to `limit` offers from `key` on (or back), in the walking order, loaded for their
    cards: without a weekday, one statement."""
    query = catalogue_query(f, include_hidden=include_hidden)
    if key is not None:
        here = tuple_(Offer.title, Offer.id)
        point = tuple_(key.title, key.id)
        query = query.where(here < point if backwards else here > point)
    order = (Offer.title.desc(), Offer.id.desc()) if backwards else (Offer.title, Offer.id)
    if f.weekday is None:
        return _cards(query.order_by(*order).limit(limit))
    # which offers meet on a weekday is read from their rule: walk on until the page is full
    found: list[int] = []
    query = query.add_columns(Offer.rrule, Offer.start_date).order_by(*order)
    for r in db.session.execute(query.execution_options(yield_per=500)):
        if meets_on(r.rrule, r.start_date, f.weekday):
            found.append(r.id)
            if len(found) == limit:
                break
    if not found:
        return []
    return _cards(select(Offer.id).where(Offer.id.in_(found)).order_by(*order))


def _cards(query) -> list[Offer]:
    return list(db.session.execute(query.with_only_columns(Offer).options(*CARD)).scalars())


def _page(
    f: Filters, offers: list[Offer], has_previous: bool, has_next: bool, include_hidden: bool
) -> KeysetPage:
    total = count(f, include_hidden=include_hidden)
    return KeysetPage(offers, total, has_previous, has_next and bool(offers))


def count(f: Filters, *, include_hidden: bool = False) -> int:
    """How many offers match: counted once per version of the network's data and filters."""
    detail = (sorted(f.__dict__.items()), include_hidden)
    return caching.kept(
        "catalogue-count", current_network_id(), detail, int, lambda: _count(f, include_hidden)
    )


def _count(f: Filters, include_hidden: bool) -> int:
    query = catalogue_query(f, include_hidden=include_hidden)
    if f.weekday is not None:
        rows = db.session.execute(query.add_columns(Offer.rrule, Offer.start_date))
        return sum(1 for r in rows if meets_on(r.rrule, r.start_date, f.weekday))
    return db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
