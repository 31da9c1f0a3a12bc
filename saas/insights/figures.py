"""The network's health in figures: aggregate SQL only, never rows of families loaded into Python.

Every function runs inside the current network's scope (the ORM adds the network to each query;
PostgreSQL's row-level security checks it again) and issues a fixed number of GROUP BY queries,
whatever the size of the network. Counts about families and referrals come back as
`suppression.Table`s that have been through `suppress()`, the one rule.

Definitions (shown on the page too):
- a session is *held* when it was not cancelled and started within the period (and before now);
  its attendance is its newest headcount (corrections add a row);
- a referral belongs to the period in which it was *sent*; its state is today's state;
- an offer *ran* in the period when at least one of its sessions was held in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Float, and_, case, cast, exists, func, or_, select, text
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import aliased

from saas.catalogue.models import (
    AGE_BANDS,
    ActionLine,
    ActivitySession,
    Headcount,
    Location,
    Offer,
    OfferPartner,
    OfferType,
    SessionStatus,
)
from saas.extensions import db
from saas.insights.period import Period
from saas.insights.suppression import Cell, Hidden, Table, rate, suppress, suppressed_count
from saas.models_base import utcnow
from saas.partners.models import Partner, PartnerState, Sector
from saas.referrals.models import DeclineReason, Referral, Status

ATTENDANCE = (
    "adults",
    "children_0_3",
    "children_3_6",
    "children_6_12",
    "children_12_plus",
    "first_time_families",
)


def attendance_labels() -> list[str]:
    return [
        _("Adults"),
        _("Children 0-3"),
        _("Children 3-6"),
        _("Children 6-12"),
        _("Children 12+"),
        _("First-time families"),
    ]


# -- building blocks ---------------------------------------------------------------------------


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _hours(start, end):
    """Hours between two timestamps, in SQL, on PostgreSQL and SQLite alike."""
    if _dialect() == "postgresql":
        return func.extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def _held(period: Period):
    return and_(
        ActivitySession.status == SessionStatus.SCHEDULED,
        ActivitySession.starts_at >= period.start_utc,
        ActivitySession.starts_at < period.held_until,
    )


def _is_latest_headcount():
    """The newest headcount of the session (an index seek on (session_id, id) per session)."""
    newer = aliased(Headcount)
    return Headcount.id == (
        select(func.max(newer.id)).where(newer.session_id == ActivitySession.id).scalar_subquery()
    )


def _held_sessions(period: Period):
    """One row per session held in the period: its offer, place and length, and the attendance
    of its newest headcount (nothing when none was recorded).

    Everything about sessions and headcounts happens inside this subquery, so the aggregate
    queries above it only join small tables (offers, places, types) to it. PostgreSQL keeps the
    newest headcount with `DISTINCT ON (session) … ORDER BY session, headcount DESC`; SQLite with
    an index seek on (session_id, id) per session. (A `row_number() = 1` window joined to the
    sessions was estimated at a handful of rows and planned as a nested loop: 38 s at 25,000
    sessions, against 0.2 s now.)
    """
    columns = [
        ActivitySession.id,
        ActivitySession.offer_id,
        ActivitySession.location_id,
        _hours(ActivitySession.starts_at, ActivitySession.ends_at).label("hours"),
        *(getattr(Headcount, name) for name in (*ATTENDANCE, "kindergarten_on_time")),
    ]
    if _dialect() == "postgresql":
        query = (
            select(*columns)
            .outerjoin(Headcount, Headcount.session_id == ActivitySession.id)
            .where(_held(period))
            .order_by(ActivitySession.id, Headcount.id.desc())
            .ext(distinct_on(ActivitySession.id))
        )
    else:
        query = (
            select(*columns)
            .outerjoin(
                Headcount,
                and_(Headcount.session_id == ActivitySession.id, _is_latest_headcount()),
            )
            .where(_held(period))
        )
    return query.subquery("held")


def _measures(held):
    return [func.count(held.c.id).label("sessions")] + [
        func.coalesce(func.sum(held.c[name]), 0).label(name)
        for name in (*ATTENDANCE, "kindergarten_on_time")
    ]


def _attendance_query(held, *group, columns=_measures):
    """Aggregates over `_held_sessions` joined to their offers; `columns(held)` to aggregate."""
    return select(*group, *columns(held)).select_from(held).join(Offer, Offer.id == held.c.offer_id)


def _reach_table(key: str, title: str, labels: list[str], rows: list[list[int]], totals: bool):
    """Sessions held (not about families) beside the attendance (about families)."""
    table = Table(
        key=key,
        title=title,
        row_labels=labels,
        col_labels=[_("Sessions held"), *attendance_labels()],
        values=rows,
        col_totals=totals,
        sensitive_cols=set(range(1, 1 + len(ATTENDANCE))),
        total_label=_("Total"),
    )
    return suppress(table)


def _by_action_line(period: Period) -> list[list[int]]:
    """Sessions and attendance per action line in one pass (conditional sums, no row fan-out)."""

    def columns(held) -> list:
        out = []
        for line in ActionLine.members():
            serves = Offer.action_lines.op("&")(int(line)) != 0
            out.append(func.count(case((serves, held.c.id))))
            for name in ATTENDANCE:
                out.append(func.coalesce(func.sum(case((serves, held.c[name]), else_=0)), 0))
        return out

    row = db.session.execute(_attendance_query(_held_sessions(period), columns=columns)).one()
    width = 1 + len(ATTENDANCE)
    return [list(row[i * width : (i + 1) * width]) for i in range(len(ActionLine.members()))]


# -- 1. reach ----------------------------------------------------------------------------------


@dataclass
class Reach:
    by_type: Table
    by_line: Table
    by_neighbourhood: Table
    sessions_held: int
    families_reached: Cell  # first-time families: the seed's "families reached"
    kindergarten_on_time: Cell
    neighbourhoods_reached: int


def reach(period: Period) -> Reach:
    types = db.session.execute(
        select(OfferType.id, OfferType.name_nl, OfferType.name_en).order_by(
            OfferType.sort, OfferType.id
        )
    ).all()
    by_type_rows = {
        row.type_id: row
        for row in db.session.execute(
            _attendance_query(_held_sessions(period), Offer.type_id).group_by(Offer.type_id)
        )
    }
    language = _language()
    type_labels, type_values = [], []
    for type_id, name_nl, name_en in types:
        row = by_type_rows.get(type_id)
        if row is None:
            continue
        type_labels.append(name_nl if language == "nl" else name_en)
        type_values.append([row.sessions, *(getattr(row, n) for n in ATTENDANCE)])
    by_type = _reach_table(
        "reach_by_type", _("Reach by type of activity"), type_labels, type_values, True
    )

    line_values = _by_action_line(period)
    # An activity can serve several action lines: the rows overlap, so this table has no totals
    # row to add up (the totals are those of the table by type).
    by_line = _reach_table(
        "reach_by_line",
        _("Reach by action line"),
        [line.label for line in ActionLine.members()],
        line_values,
        False,
    )

    place, held = aliased(Location), _held_sessions(period)
    by_place = db.session.execute(
        _attendance_query(held, place.neighbourhood)
        .join(place, place.id == func.coalesce(held.c.location_id, Offer.location_id))
        .group_by(place.neighbourhood)
        .order_by(place.neighbourhood)
    ).all()
    by_neighbourhood = _reach_table(
        "reach_by_neighbourhood",
        _("Reach by neighbourhood (where the activity took place)"),
        [row.neighbourhood or _("No neighbourhood given") for row in by_place],
        [[row.sessions, *(getattr(row, n) for n in ATTENDANCE)] for row in by_place],
        True,
    )
    kindergarten = sum(row.kindergarten_on_time for row in by_type_rows.values())
    first_time = by_type.total(len(ATTENDANCE))
    return Reach(
        by_type=by_type,
        by_line=by_line,
        by_neighbourhood=by_neighbourhood,
        sessions_held=sum(v[0] for v in type_values),
        families_reached=first_time,
        kindergarten_on_time=suppressed_count(kindergarten),
        neighbourhoods_reached=sum(
            1 for row in by_place if row.neighbourhood and (row.adults or _children(row))
        ),
    )


def _children(row) -> int:
    return row.children_0_3 + row.children_3_6 + row.children_6_12 + row.children_12_plus


def _language() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale is not None else "nl"


# -- 2. referrals ------------------------------------------------------------------------------

STATE_GROUPS = [
    ("waiting", (Status.SENT, Status.RECEIVED)),
    ("accepted", (Status.ACCEPTED, Status.IN_PROGRESS)),
    ("completed", (Status.COMPLETED,)),
    ("closed", (Status.CLOSED,)),
    ("declined", (Status.DECLINED,)),
    ("cancelled", (Status.CANCELLED,)),
]


def _state_labels() -> dict[str, str]:
    return {
        "waiting": _("Waiting for an answer"),
        "accepted": _("Accepted, in progress"),
        "completed": _("Completed"),
        "closed": _("Closed without contact"),
        "declined": _("Declined"),
        "cancelled": _("Cancelled by the sender"),
    }


def _sent_in(period: Period):
    return and_(
        Referral.sent_at.is_not(None),
        Referral.sent_at >= period.start_utc,
        Referral.sent_at < period.end_utc,
    )


@dataclass
class Referrals:
    by_state: Table
    flows: Table
    timeliness: Table
    declines: Table
    sent: Cell
    acceptance_rate: float | None
    completion_rate: float | None
    median_response_hours: float | None
    answered: int


def referral_counts_by_state(period: Period) -> Table:
    counts = dict(
        db.session.execute(
            select(Referral.status, func.count()).where(_sent_in(period)).group_by(Referral.status)
        ).all()
    )
    labels = _state_labels()
    values = [[sum(counts.get(s, 0) for s in statuses)] for _key, statuses in STATE_GROUPS]
    return suppress(
        Table(
            key="referrals_by_state",
            title=_("Referrals sent in the period, by where they stand today"),
            row_labels=[labels[key] for key, _s in STATE_GROUPS],
            col_labels=[_("Referrals")],
            values=values,
            total_label=_("Total"),
        )
    )


def _rates(by_state: Table) -> tuple[float | None, float | None]:
    cells = {key: by_state.body[i][0] for i, (key, _s) in enumerate(STATE_GROUPS)}
    said_yes = [cells["accepted"], cells["completed"], cells["closed"]]
    yes_total = Cell(sum(c.value or 0 for c in said_yes))
    answered = Cell(yes_total.value + (cells["declined"].value or 0))
    acceptance = rate(yes_total, answered, *said_yes, cells["declined"])
    completion = rate(cells["completed"], yes_total, *said_yes)
    return acceptance, completion


def median_response_hours(period: Period | None) -> tuple[float | None, int]:
    """The median time from sending to the first answer (of the referrals sent in `period`, or
    of all when None), without loading the answers.

    Count, then read the middle one or two values in order (ORDER BY … LIMIT … OFFSET …): the
    same two small queries on PostgreSQL and SQLite. Shown only for five answers or more.
    """
    sent = _sent_in(period) if period is not None else Referral.sent_at.is_not(None)
    answered = and_(sent, Referral.responded_at.is_not(None))
    n = db.session.execute(select(func.count()).select_from(Referral).where(answered)).scalar_one()
    hours = _hours(Referral.sent_at, Referral.responded_at)
    middle = (
        db.session.execute(
            select(cast(hours, Float))
            .where(answered)
            .order_by(hours)
            .limit(2 - n % 2)
            .offset(max(n - 1, 0) // 2)
        )
        .scalars()
        .all()
    )  # asked even when it will not be shown: the page's query count never depends on the data
    if n < 5 or not middle:
        return None, n
    return sum(middle) / len(middle), n


def referrals(period: Period) -> Referrals:
    by_state = referral_counts_by_state(period)
    acceptance, completion = _rates(by_state)

    sender, receiver = aliased(Partner), aliased(Partner)
    flows_rows = db.session.execute(
        select(sender.sector, receiver.sector, func.count())
        .select_from(Referral)
        .join(sender, sender.id == Referral.from_partner_id)
        .join(receiver, receiver.id == Referral.to_partner_id)
        .where(_sent_in(period))
        .group_by(sender.sector, receiver.sector)
    ).all()
    sectors = list(Sector)
    grid = [[0] * len(sectors) for _s in sectors]
    for a, b, n in flows_rows:
        grid[sectors.index(Sector(a))][sectors.index(Sector(b))] += n
    flows = suppress(
        Table(
            key="referral_flows",
            title=_("Referrals between sectors (rows send, columns receive)"),
            row_labels=[s.label for s in sectors],
            col_labels=[s.label for s in sectors],
            values=grid,
            row_totals=True,
            col_totals=True,
            total_label=_("Total"),
        )
    )

    answered_expr = Referral.responded_at.is_not(None)
    bucket = case(
        (and_(answered_expr, Referral.lapsed.is_(False)), "in_time"),
        (answered_expr, "late"),
        (Referral.lapsed.is_(True), "lapsed"),
        else_="none",
    )
    buckets = dict(
        db.session.execute(
            select(bucket, func.count()).where(_sent_in(period)).group_by(bucket)
        ).all()
    )
    timeliness = suppress(
        Table(
            key="referral_timeliness",
            title=_("First answers against the network's response target"),
            row_labels=[
                _("Answered within the target"),
                _("Answered after the target"),
                _("Not answered, target passed"),
                _("Not answered yet, or cancelled before an answer"),
            ],
            col_labels=[_("Referrals")],
            values=[[buckets.get(k, 0)] for k in ("in_time", "late", "lapsed", "none")],
            total_label=_("Total"),
        )
    )

    reasons = dict(
        db.session.execute(
            select(Referral.decline_reason, func.count())
            .where(_sent_in(period), Referral.status == Status.DECLINED)
            .group_by(Referral.decline_reason)
        ).all()
    )
    declines = suppress(
        Table(
            key="decline_reasons",
            title=_("Reasons for declining"),
            row_labels=[r.label for r in DeclineReason] + [_("No reason recorded")],
            col_labels=[_("Referrals")],
            values=[[reasons.get(r, 0)] for r in DeclineReason] + [[reasons.get(None, 0)]],
            total_label=_("Total"),
        )
    )
    median, answered = median_response_hours(period)
    return Referrals(
        by_state=by_state,
        flows=flows,
        timeliness=timeliness,
        declines=declines,
        sent=by_state.totals[0],
        acceptance_rate=acceptance,
        completion_rate=completion,
        median_response_hours=median,
        answered=answered,
    )


# -- 3. catalogue coverage and partners --------------------------------------------------------


def _ran_in(period: Period):
    """Offers with a session held in the period (one uncorrelated subquery, not one per offer)."""
    return Offer.id.in_(select(ActivitySession.offer_id).where(_held(period)))


def coverage(period: Period) -> Table:
    """Offers that ran in the period by action line × age band; empty cells are the gaps."""
    columns = []
    for line in ActionLine.members():
        for code, low, high, _label in AGE_BANDS:
            hit = and_(
                Offer.action_lines.op("&")(int(line)) != 0,
                Offer.age_min_months < high,
                Offer.age_max_months >= low,
            )
            columns.append(
                func.coalesce(func.sum(case((hit, 1), else_=0)), 0).label(f"c{int(line)}_{code}")
            )
    row = db.session.execute(select(*columns).where(_ran_in(period))).one()
    bands = len(AGE_BANDS)
    values = [[row[i * bands + j] for j in range(bands)] for i in range(len(ActionLine.members()))]
    return Table(
        key="coverage",
        title=_("Activities that ran, by action line and age band"),
        row_labels=[line.label for line in ActionLine.members()],
        col_labels=[str(label) for _c, _l, _h, label in AGE_BANDS],
        values=values,
        col_totals=False,
        sensitive_cols=set(),  # offers, not families
    )


def gaps(table: Table) -> list[tuple[str, str]]:
    return [
        (table.row_labels[i], table.col_labels[j])
        for i, row in enumerate(table.body)
        for j, cell in enumerate(row)
        if not cell.value
    ]


@dataclass
class Partners:
    table: Table
    last_activity: dict[str, datetime | None]
    active: int
    total: int


def partners(period: Period) -> Partners:
    listed = db.session.execute(
        select(Partner.id, Partner.name)
        .where(Partner.state != PartnerState.INVITED)
        .order_by(Partner.name)
    ).all()
    offers = {
        pid: (n, last)
        for pid, n, last in db.session.execute(
            select(
                Offer.partner_id,
                func.count(),
                func.max(func.coalesce(Offer.updated_at, Offer.created_at)),
            )
            .where(_ran_in(period))
            .group_by(Offer.partner_id)
        )
    }
    sessions = dict(
        db.session.execute(
            select(Offer.partner_id, func.count(ActivitySession.id))
            .join(ActivitySession, ActivitySession.offer_id == Offer.id)
            .where(_held(period))
            .group_by(Offer.partner_id)
        ).all()
    )
    sent = {
        pid: (n, last)
        for pid, n, last in db.session.execute(
            select(Referral.from_partner_id, func.count(), func.max(Referral.sent_at))
            .where(_sent_in(period))
            .group_by(Referral.from_partner_id)
        )
    }
    received = {
        pid: (n, last)
        for pid, n, last in db.session.execute(
            select(Referral.to_partner_id, func.count(), func.max(Referral.responded_at))
            .where(_sent_in(period))
            .group_by(Referral.to_partner_id)
        )
    }
    labels, values, last_activity = [], [], {}
    for pid, name in listed:
        row = [
            offers.get(pid, (0, None))[0],
            sessions.get(pid, 0),
            sent.get(pid, (0, None))[0],
            received.get(pid, (0, None))[0],
        ]
        labels.append(name)
        values.append(row)
        moments = [
            m
            for m in (
                offers.get(pid, (0, None))[1],
                sent.get(pid, (0, None))[1],
                received.get(pid, (0, None))[1],
            )
            if m is not None
        ]
        last_activity[name] = max(moments) if moments else None
    table = suppress(
        Table(
            key="partners",
            title=_("Partners: activities and referrals in the period"),
            row_labels=labels,
            col_labels=[
                _("Activities that ran"),
                _("Sessions held"),
                _("Referrals sent"),
                _("Referrals received"),
            ],
            values=values,
            sensitive_cols={2, 3},
            total_label=_("Total"),
        )
    )
    return Partners(
        table=table,
        last_activity=last_activity,
        active=sum(1 for row in values if any(row)),
        total=len(listed),
    )


# -- 4. social economy -------------------------------------------------------------------------


@dataclass
class SocialEconomy:
    table: Table
    sessions_staffed: int
    activity_hours: float
    salons: int
    roster_hours: float | None = None  # hours the team was rostered on sessions held (published)
    orange_hours: float | None = None  # of which in orange (occasionally possible) time
    notes: list[str] = field(default_factory=list)


def _roster_minutes(period: Period) -> tuple[int | None, int]:
    """Minutes rostered (and of those, orange) on sessions held, from published rosters only."""
    from saas.workforce.models import Assignment, Roster, RosterStatus

    row = db.session.execute(
        select(
            func.count(Assignment.id),
            func.coalesce(func.sum(Assignment.minutes), 0),
            func.coalesce(func.sum(case((Assignment.orange, Assignment.minutes), else_=0)), 0),
        )
        .join(Roster, Roster.id == Assignment.roster_id)
        .join(ActivitySession, ActivitySession.id == Assignment.session_id)
        .where(Roster.status == RosterStatus.PUBLISHED, _held(period))
    ).one()
    if not row[0]:
        return None, 0
    return int(row[1]), int(row[2])


def social_economy_figures(period: Period) -> SocialEconomy:
    """What the social economy delivered: sessions of activities its partners organise, and the
    hours its team was rostered on sessions held in the period.

    The catalogue gives the sessions held of offers owned or co-organised by a partner of the
    social-economy sector (salons included), their length and attendance. Published rosters give
    `roster_hours` and `orange_hours` as team totals: never per worker, never a worker's name.
    Both stay None when no published roster covers a session of the period.
    """
    se_partner = select(Partner.id).where(Partner.sector == Sector.SOCIAL_ECONOMY)
    se_offer = or_(
        Offer.partner_id.in_(se_partner),
        exists().where(OfferPartner.offer_id == Offer.id, OfferPartner.partner_id.in_(se_partner)),
    )
    held = _held_sessions(period)
    rows = db.session.execute(
        _attendance_query(
            held,
            OfferType.id,
            OfferType.name_nl,
            OfferType.name_en,
            OfferType.is_salon,
            func.coalesce(func.sum(held.c.hours), 0.0).label("hours"),
        )
        .join(OfferType, OfferType.id == Offer.type_id)
        .where(se_offer)
        .group_by(OfferType.id, OfferType.name_nl, OfferType.name_en, OfferType.is_salon)
        .order_by(OfferType.id)
    ).all()
    language = _language()
    table = suppress(
        Table(
            key="social_economy",
            title=_("Activities of the social economy, by type"),
            row_labels=[r.name_nl if language == "nl" else r.name_en for r in rows],
            col_labels=[
                _("Sessions held"),
                _("Hours of activity"),
                _("Adults"),
                _("Children"),
                _("First-time families"),
            ],
            values=[
                [
                    r.sessions,
                    round(float(r.hours), 1),
                    r.adults,
                    _children(r),
                    r.first_time_families,
                ]
                for r in rows
            ],
            sensitive_cols={2, 3, 4},
            total_label=_("Total"),
        )
    )
    rostered, orange = _roster_minutes(period)
    return SocialEconomy(
        table=table,
        roster_hours=None if rostered is None else round(rostered / 60, 1),
        orange_hours=None if rostered is None else round(orange / 60, 1),
        sessions_staffed=sum(r.sessions for r in rows),
        activity_hours=round(sum(float(r.hours) for r in rows), 1),
        salons=sum(r.sessions for r in rows if r.is_salon),
    )


# -- 5. the whole dashboard and its trends -----------------------------------------------------


@dataclass
class Trend:
    label: str
    now: Cell
    before: Cell
    unit: str = ""

    @property
    def change(self) -> float | None:
        if not (self.now.shown and self.before.shown):
            return None
        if self.now.value is None or self.before.value is None:
            return None
        return self.now.value - self.before.value


def _headline(period: Period) -> dict[str, Cell]:
    """The few figures compared with the previous period (three small queries)."""
    row = db.session.execute(_attendance_query(_held_sessions(period))).one()
    by_state = referral_counts_by_state(period)
    acceptance, _completion = _rates(by_state)
    median, _n = median_response_hours(period)
    return {
        "sessions": Cell(row.sessions, sensitive=False),
        "adults": suppressed_count(row.adults),
        "children": suppressed_count(_children(row)),
        "first_time": suppressed_count(row.first_time_families),
        "referrals": by_state.totals[0],
        "acceptance": Cell(round(acceptance, 1) if acceptance is not None else None, False),
        "median": Cell(round(median, 1) if median is not None else None, False),
    }


def _headline_from(reach_: Reach, referrals_: Referrals) -> dict[str, Cell]:
    """This period's headline, read from its tables so each figure is hidden exactly as there."""
    totals = reach_.by_type.totals
    bands = totals[2:6]
    children = (
        suppressed_count(sum(c.value for c in bands))
        if all(c.shown for c in bands)
        else Cell(None, hidden=Hidden.COMPLEMENT)
    )
    median = referrals_.median_response_hours
    acceptance = referrals_.acceptance_rate
    return {
        "sessions": Cell(reach_.sessions_held, sensitive=False),
        "adults": totals[1],
        "children": children,
        "first_time": totals[6],
        "referrals": referrals_.sent,
        "acceptance": Cell(round(acceptance, 1) if acceptance is not None else None, False),
        "median": Cell(round(median, 1) if median is not None else None, False),
    }


def trends(period: Period, now: dict[str, Cell] | None = None) -> list[Trend]:
    now, before = now or _headline(period), _headline(period.previous())
    labels = {
        "sessions": (_("Sessions held"), ""),
        "adults": (_("Adults present"), ""),
        "children": (_("Children present"), ""),
        "first_time": (_("First-time families"), ""),
        "referrals": (_("Referrals sent"), ""),
        "acceptance": (_("Referrals accepted"), "%"),
        "median": (_("Median hours to a first answer"), "h"),
    }
    return [Trend(label, now[k], before[k], unit) for k, (label, unit) in labels.items()]


@dataclass
class Health:
    period: Period
    reach: Reach
    referrals: Referrals
    coverage: Table
    gaps: list[tuple[str, str]]
    partners: Partners
    social_economy: SocialEconomy
    trends: list[Trend]
    computed_at: datetime = field(default_factory=utcnow)  # figures may be served from a cache

    def tables(self) -> dict[str, Table]:
        """Every table of the dashboard by its key: the CSV exports and the PDF use these."""
        tables = [
            self.reach.by_type,
            self.reach.by_line,
            self.reach.by_neighbourhood,
            self.referrals.by_state,
            self.referrals.flows,
            self.referrals.timeliness,
            self.referrals.declines,
            self.coverage,
            self.partners.table,
            self.social_economy.table,
        ]
        return {t.key: t for t in tables}


def _planned_for_their_values() -> None:
    """Have PostgreSQL plan the figures' queries for the values of each run (this transaction
    only). psycopg prepares a statement on its fifth run, and from the tenth PostgreSQL may keep
    one generic plan for it: for these aggregates that plan took 2.1 s instead of 0.8 s. The
    figures are worked out a few times an hour, so planning them each time costs nothing."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def health(period: Period) -> Health:
    _planned_for_their_values()
    table = coverage(period)
    reach_, referrals_ = reach(period), referrals(period)
    return Health(
        period=period,
        reach=reach_,
        referrals=referrals_,
        coverage=table,
        gaps=gaps(table),
        partners=partners(period),
        social_economy=social_economy_figures(period),
        trends=trends(period, _headline_from(reach_, referrals_)),
    )
