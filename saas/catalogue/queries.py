"""Finding offers and sessions: the catalogue's filters, this week's sessions, coverage gaps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, false, func, literal, or_, select
from sqlalchemy.orm import joinedload, selectinload

from saas.catalogue.models import (
    AGE_BANDS,
    ActionLine,
    ActivitySession,
    CostKind,
    Location,
    Offer,
    OfferPartner,
)
from saas.catalogue.schedule import WEEKDAYS, Rule, ScheduleError, to_utc
from saas.extensions import db

TIMES_OF_DAY = {"morning": (0, 12), "afternoon": (12, 17), "evening": (17, 24)}


@dataclass
class Filters:
    q: str = ""
    age_months: int | None = None
    weekday: int | None = None  # 0 = Monday
    time_of_day: str = ""
    neighbourhood: str = ""
    language: str = ""
    action_line: int | None = None
    type_id: int | None = None
    partner_id: int | None = None
    free_only: bool = False
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_args(cls, args) -> Filters:
        """Read filters from a query string; anything unreadable is simply not applied."""

        def number(name, low, high):
            try:
                value = int(args.get(name, ""))
            except ValueError:
                return None
            return value if low <= value <= high else None

        age_years = number("age", 0, 25)
        weekday = number("day", 0, 6)
        line = number("line", 1, 16)
        return cls(
            q=(args.get("q") or "").strip()[:100],
            age_months=age_years * 12 if age_years is not None else None,
            weekday=weekday,
            time_of_day=args.get("time") if args.get("time") in TIMES_OF_DAY else "",
            neighbourhood=(args.get("neighbourhood") or "")[:100],
            language=(args.get("language") or "")[:5],
            action_line=line if line in {int(a) for a in ActionLine.members()} else None,
            type_id=number("type", 1, 2**31 - 1),
            partner_id=number("partner", 1, 2**31 - 1),
            free_only=args.get("free") in {"1", "on", "true"},
        )

    def to_args(self) -> dict[str, str]:
        """The query string that reads back as these filters, the ones not chosen left out:
        what a page link carries (never whatever else the address held)."""
        chosen = {
            "q": self.q,
            "age": self.age_months // 12 if self.age_months is not None else None,
            "day": self.weekday,
            "time": self.time_of_day,
            "neighbourhood": self.neighbourhood,
            "language": self.language,
            "line": self.action_line,
            "type": self.type_id,
            "partner": self.partner_id,
            "free": "1" if self.free_only else "",
        }
        return {k: str(v) for k, v in chosen.items() if v is not None and v != ""}


def _apply_sql_filters(query, f: Filters):
    if f.q:
        text = f.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{text}%"
        query = query.where(
            or_(
                func.lower(Offer.title).like(like, escape="\\"),
                func.lower(Offer.description).like(like, escape="\\"),
                Offer.themes.like(like, escape="\\"),
            )
        )
    if f.age_months is not None:
        query = query.where(
            Offer.age_min_months <= f.age_months + 11, Offer.age_max_months >= f.age_months
        )
    if f.neighbourhood:
        query = query.where(Location.neighbourhood == f.neighbourhood)
    if f.language:
        query = query.where(
            (literal(",") + Offer.languages + literal(",")).like(f"%,{f.language},%")
        )
    if f.action_line:
        query = query.where(Offer.action_lines.op("&")(f.action_line) != 0)
    if f.type_id:
        query = query.where(Offer.type_id == f.type_id)
    if f.partner_id:
        co = select(OfferPartner.offer_id).where(OfferPartner.partner_id == f.partner_id)
        query = query.where(or_(Offer.partner_id == f.partner_id, Offer.id.in_(co)))
    if f.free_only:
        query = query.where(Offer.cost_kind == CostKind.FREE)
    return query


def _offer_days(rrule: str, start_date: date) -> set[int]:
    try:
        days = Rule.parse(rrule).weekdays(start_date) if rrule else {WEEKDAYS[start_date.weekday()]}
    except ScheduleError:
        return set()
    return {WEEKDAYS.index(d) for d in days}


PAGE_SIZE = 48


@dataclass
class Page:
    """One page of a longer list: the items, and enough to draw "previous / next"."""

    items: list
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_number(args) -> int:
    """The `page` query argument; anything unreadable is the first page."""
    try:
        return min(max(1, int(args.get("page", "1"))), 100_000)
    except ValueError:
        return 1


def meets_on(rrule: str, start_date: date, weekday: int) -> bool:
    """Whether an offer with this rule meets on a weekday (0 = Monday)."""
    return weekday in _offer_days(rrule, start_date)


def catalogue_query(f: Filters, *, include_hidden: bool = False):
    """The ids of the published offers that match every filter but the weekday (read from
    each offer's rule: `meets_on`), unordered."""
    return _catalogue_query(f, False, include_hidden)


def _catalogue_query(f: Filters, include_unpublished: bool, include_hidden: bool):
    query = select(Offer.id)
    if f.neighbourhood:  # the only filter on the place: without it the offers alone are read
        query = query.join(Location, Location.id == Offer.location_id)
    if not include_unpublished:
        query = query.where(Offer.published_at.is_not(None))
    if not include_hidden:
        query = query.where(Offer.hidden_at.is_(None))
    if f.time_of_day:
        low, high = TIMES_OF_DAY[f.time_of_day]
        query = query.where(Offer.start_time >= time(low, 0))
        if high < 24:
            query = query.where(Offer.start_time < time(high, 0))
    return _apply_sql_filters(query, f)


def _ids_on_weekday(query, weekday: int) -> list[int]:
    """Which offers meet on a weekday is read from their rule: a light pass over id and rule."""
    rows = db.session.execute(
        query.add_columns(Offer.rrule, Offer.start_date).order_by(Offer.title, Offer.id)
    ).all()
    return [row.id for row in rows if weekday in _offer_days(row.rrule, row.start_date)]


def count_offers(f: Filters, *, include_hidden: bool = False) -> int:
    query = _catalogue_query(f, False, include_hidden)
    if f.weekday is not None:
        return len(_ids_on_weekday(query, f.weekday))
    return db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()


def catalogue_page(
    f: Filters,
    number: int = 1,
    *,
    size: int = PAGE_SIZE,
    include_unpublished: bool = False,
    include_hidden: bool = False,
) -> Page:
    """A page of the catalogue, by title: the same few statements however long the list is."""
    query = _catalogue_query(f, include_unpublished, include_hidden)
    start = (number - 1) * size
    if f.weekday is not None:
        all_ids = _ids_on_weekday(query, f.weekday)
        total, ids = len(all_ids), all_ids[start : start + size]
    else:
        total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        ids = list(
            db.session.execute(query.order_by(Offer.title, Offer.id).offset(start).limit(size))
            .scalars()
            .all()
        )
    if not ids:
        return Page(items=[], total=total, number=number, size=size)
    offers = (
        db.session.execute(
            select(Offer)
            .where(Offer.id.in_(ids))
            .options(
                selectinload(Offer.partner), selectinload(Offer.type), selectinload(Offer.location)
            )
            .order_by(Offer.title, Offer.id)
        )
        .scalars()
        .all()
    )
    return Page(items=list(offers), total=total, number=number, size=size)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _sessions_query(
    start: date,
    end: date,
    f: Filters,
    *,
    partner_id: int | None = None,
    location_id: int | None = None,
    offer_id: int | None = None,
):
    """The ids of the published sessions from `start` up to (not including) `end` (local
    dates), cancelled ones too, every filter in SQL, and the window they are read from (to
    order by its `starts_at` and `id`). A weekday and a time of day become ranges of UTC instants,
    one per local day of the window, so daylight saving time is right on SQLite and PostgreSQL
    alike.

    The window's sessions are read first, on their own (a materialised CTE on the (network,
    starts_at) index, four columns), then joined to their offers: a fortnight is a few hundred
    sessions, however many the network has. Left to itself PostgreSQL started from the offers, as
    row-level security's condition makes it guess every tenant table twenty times too small, and
    read every session of every offer (60,000 index rows for 743 sessions at scale). The rows
    themselves are loaded afterwards for the ids wanted (`_load`)."""
    window = (
        select(
            ActivitySession.id,
            ActivitySession.offer_id,
            ActivitySession.starts_at,
            ActivitySession.location_id,
        )
        .where(*_local_ranges(start, end, f.weekday, f.time_of_day))
        .cte("window")
        .prefix_with("MATERIALIZED")
    )
    query = (
        select(window.c.id)
        .join(Offer, Offer.id == window.c.offer_id)
        .join(Location, Location.id == Offer.location_id)
        .where(Offer.published_at.is_not(None), Offer.hidden_at.is_(None))
    )
    if offer_id is not None:
        query = query.where(Offer.id == offer_id)
    if location_id is not None:
        query = query.where(
            or_(Offer.location_id == location_id, window.c.location_id == location_id)
        )
    f_partner = partner_id or f.partner_id
    if f_partner:
        f = Filters(**{**f.__dict__, "partner_id": f_partner})
    return _apply_sql_filters(query, f), window


def _local_ranges(start: date, end: date, weekday: int | None, time_of_day: str) -> list:
    """The condition on `starts_at` for local days [start, end), a weekday and a time of day."""
    starts_at = ActivitySession.starts_at

    def instant(day: date, hour: int):
        return to_utc(datetime.combine(day, time()) + timedelta(hours=hour))

    if weekday is None and not time_of_day:
        return [starts_at >= instant(start, 0), starts_at < instant(end, 0)]
    low, high = TIMES_OF_DAY.get(time_of_day, (0, 24))
    days = [start + timedelta(days=n) for n in range((end - start).days)]
    ranges = [
        and_(starts_at >= instant(day, low), starts_at < instant(day, high))
        for day in days
        if weekday is None or day.weekday() == weekday
    ]
    return [or_(*ranges)] if ranges else [false()]


def _load(ids: list[int]) -> list[ActivitySession]:
    """The sessions with these ids, in time order, with their offers, places, partners and types
    (many-to-one, joined), and the places of those moved elsewhere, if any, in one more."""
    if not ids:
        return []
    offer = joinedload(ActivitySession.offer)
    query = (
        select(ActivitySession)
        .where(ActivitySession.id.in_(ids))
        .options(
            offer.joinedload(Offer.location),
            offer.joinedload(Offer.partner),
            offer.joinedload(Offer.type),
            selectinload(ActivitySession.moved_location),
        )
        .order_by(ActivitySession.starts_at, ActivitySession.id)
    )
    return list(db.session.execute(query).scalars().all())


def sessions_between(
    start: date,
    end: date,
    f: Filters,
    *,
    partner_id: int | None = None,
    location_id: int | None = None,
    offer_id: int | None = None,
) -> list[ActivitySession]:
    """Every published session from `start` up to `end` (feeds and flyers: bounded by them)."""
    query, _window = _sessions_query(
        start, end, f, partner_id=partner_id, location_id=location_id, offer_id=offer_id
    )
    return _load(list(db.session.execute(query).scalars()))


SESSIONS_PAGE_SIZE = 60


def sessions_page(
    start: date, end: date, f: Filters, number: int = 1, *, size: int = SESSIONS_PAGE_SIZE
) -> Page:
    """One page of the published sessions from `start` up to `end`, in time order: the page's
    ids with the total beside them, then the rows, however busy the network is."""
    query, window = _sessions_query(start, end, f)
    rows = db.session.execute(
        query.add_columns(func.count().over().label("total"))
        .order_by(window.c.starts_at, window.c.id)
        .offset((number - 1) * size)
        .limit(size)
    ).all()
    if rows:
        total = rows[0].total
    elif number == 1:
        total = 0
    else:  # past the last page: count what there is
        total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    items = _load([row.id for row in rows])
    return Page(items=items, total=total, number=number, size=size)


def coverage() -> dict[ActionLine, dict[str, int]]:
    """Published offers per action line and age band: the empty cells are the network's gaps."""
    rows = db.session.execute(
        select(Offer.action_lines, Offer.age_min_months, Offer.age_max_months).where(
            Offer.published_at.is_not(None), Offer.hidden_at.is_(None)
        )
    ).all()
    table = {line: {code: 0 for code, *_ in AGE_BANDS} for line in ActionLine.members()}
    for lines, low, high in rows:
        for line in ActionLine.members():
            if not lines & line:
                continue
            for code, band_low, band_high, _label in AGE_BANDS:
                if low < band_high and high >= band_low:
                    table[line][code] += 1
    return table
