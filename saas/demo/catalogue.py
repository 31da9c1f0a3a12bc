"""Demo catalogue: places, holidays, offers, a year of sessions and their headcounts.

Called by `saas.demo.seed` inside `network_scope(network.id)` for each demo network. Everything
goes through the catalogue services, as a coordinator would do it in the interface, so the demo
shows what the product really makes of it. Idempotent: a network that already has a place or an
offer is left alone.

The plans are data: data/catalogue-<network>.yaml (the offers), catalogue.yaml (what they
share), places.csv, closures.csv and cancellations.csv; the headcounts are saas.demo.sessions'.
Dates are relative to today (saas.demo.dates): the offers started about a year ago (so there is
a year of sessions and headcounts) and run until the end of a school year well past the
sessions' horizon.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_

from sqlalchemy import func, select

from saas.accounts.models import User
from saas.catalogue import services
from saas.catalogue.models import (
    ActionLine,
    ActivitySession,
    Answer,
    Closure,
    ClosureKind,
    CostKind,
    Location,
    Offer,
    OrganiserRole,
)
from saas.catalogue.schedule import parse_rule, to_local
from saas.demo.datafiles import DATA_DIR, read_csv, read_yaml
from saas.demo.dates import Calendar, bridge_days, school_day, span
from saas.demo.sessions import coming_session, count, past_session
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner, PartnerState
from tenants.models import Membership, Network, Role

_SHARED = read_yaml("catalogue.yaml")
PLAN_DEFAULTS: dict = _SHARED["plan_defaults"]
SPEAKERS_ANSWERED: list[int] = _SHARED["speakers_answered_days_ago"]  # (low, high)


@dataclass
class Place:
    key: str
    name: str
    address: str
    neighbourhood: str
    accessibility: str


@dataclass
class Plan:
    """One offer as the coordinator would enter it, plus how its past sessions went."""

    key: str
    title: str
    kind: str  # offer type code
    place: str  # Place.key
    owner: str  # partner name
    days: str  # "MO,FR": weekly; "2TH": monthly on the second Thursday; "": once
    hours: tuple[time, time]
    ages: tuple[int, int]  # months, upper bound inclusive ("up to 6 years" is 83)
    lines: ActionLine
    themes: list[str]
    languages: list[str]
    description: str
    translations: dict
    first: date | None  # None: the calendar's first day
    last: date | None  # None: the calendar's last day
    interval: int
    skip_school_holidays: bool
    cost: CostKind
    cost_cents: int | None
    cost_note: str
    registration: str  # a note means registration is needed
    capacity: int | None
    organisers: list[tuple[str, OrganiserRole, Answer]]
    counts: str  # headcount profile of its past sessions; "" counts nothing
    published: bool


@dataclass
class Cancellation:
    offer: str  # Plan.key
    reason: str
    weeks: int  # past: about this many weeks ago; future: the n-th coming session
    future: bool
    winter: bool  # past: the first session in January or February


@dataclass
class Catalogue:
    places: list[Place]
    closures: list[tuple[str, date, date | None]]
    plans: list[Plan]
    cancellations: list[Cancellation]


# ---------------------------------------------------------------------------------------------
# Reading the data


def has_plan(slug: str) -> bool:
    return (DATA_DIR / f"catalogue-{slug}.yaml").is_file()


def load(slug: str, cal: Calendar) -> Catalogue:
    """Network `slug`'s catalogue from the data files, its dates placed in `cal`."""
    closures = [
        (row["label"], school_day(cal, int(row["in_weeks"]), row["school_day"]), None)
        for row in read_csv("closures.csv", slug)
    ]
    # the plans are placed around the team's closure days: a once-only activity "a week from
    # now, on a school Thursday" never lands on the team's training day
    cal = cal.closed_also(day for _label, day, _last in closures)
    records = read_yaml(f"catalogue-{slug}.yaml")["plans"]
    plans = [plan for record in records if (plan := _plan(record, cal)) is not None]
    places = [
        Place(**{k: v for k, v in row.items() if k != "network"})
        for row in read_csv("places.csv", slug)
    ]
    cancellations = [
        Cancellation(
            offer=row["offer"],
            reason=row["reason"],
            weeks=int(row["weeks"]),
            future=row["future"] == "yes",
            winter=row["winter"] == "yes",
        )
        for row in read_csv("cancellations.csv", slug)
    ]
    return Catalogue(places, closures, plans, cancellations)


def _plan(record: dict, cal: Calendar) -> Plan | None:
    """A plan from its record; None when its dates have no place in this calendar."""
    fields = {**PLAN_DEFAULTS, **record}
    dates = span(fields.pop("dates", None), cal)
    if dates is None:
        return None
    start, end = fields["hours"]
    return Plan(
        **{
            **fields,
            "hours": (time.fromisoformat(start), time.fromisoformat(end)),
            "ages": tuple(fields["ages"]),
            "lines": reduce(or_, (ActionLine[n.upper()] for n in fields["lines"]), ActionLine(0)),
            "cost": CostKind(fields["cost"]),
            "organisers": [
                (o["partner"], OrganiserRole(o["role"]), Answer(o["answer"]))
                for o in fields["organisers"]
            ],
            "first": dates[0],
            "last": dates[1],
        }
    )


# ---------------------------------------------------------------------------------------------
# Seeding


def seed_catalogue(network: Network, steward_user: User | None) -> dict:
    """Give a demo network its catalogue (inside its `network_scope`); nothing if it has one."""
    counts = dict.fromkeys(
        ("locations", "closures", "offers", "sessions", "headcounts", "cancelled"), 0
    )
    if not has_plan(network.slug) or _has_catalogue():
        return counts
    services.seed_offer_types()
    today = to_local(utcnow()).date()
    cal = Calendar.around(today)
    catalogue = load(network.slug, cal)
    counts["closures"] = _closures(catalogue, cal)
    places = _places(catalogue)
    counts["locations"] = len(places)

    partners = {p.name: p for p in db.session.execute(select(Partner)).scalars()}
    types = {t.code: t.id for t in services.offer_types()}
    author = _person(Role.SE_COORDINATOR) or steward_user
    counter = _person(Role.SE_WORKER) or author
    for plan in catalogue.plans:
        rng = random.Random(f"{network.slug}:{plan.key}")
        offer = services.save_offer(
            None,
            _data(plan, cal, types, places),
            partner=partners[plan.owner],
            user=author,
        )
        counts["offers"] += 1
        _organisers(offer, plan, partners, rng)
        # what happened before the offer went public: cancellations and headcounts of the past
        counts["cancelled"] += _cancel(offer, plan, catalogue, future=False)
        if plan.counts:
            counts["headcounts"] += count(offer, plan.counts, rng, getattr(counter, "id", None))
        if plan.published:
            services.publish(offer)
        counts["cancelled"] += _cancel(offer, plan, catalogue, future=True)
        counts["sessions"] += db.session.execute(
            select(func.count(ActivitySession.id)).where(ActivitySession.offer_id == offer.id)
        ).scalar_one()
    db.session.flush()
    return counts


def _has_catalogue() -> bool:
    return any(
        db.session.execute(select(model.id).limit(1)).first() is not None
        for model in (Location, Offer)
    )


def _closures(catalogue: Catalogue, cal: Calendar) -> int:
    """The school holidays, then the team's closure days and bridge days in date order."""
    for _code, label, first, last in cal.holidays:
        db.session.add(
            Closure(kind=ClosureKind.SCHOOL_HOLIDAY, label=label, starts_on=first, ends_on=last)
        )
    closures = sorted([*catalogue.closures, *bridge_days(cal)], key=lambda c: c[1])
    for label, first, last in closures:
        db.session.add(
            Closure(kind=ClosureKind.CLOSURE, label=label, starts_on=first, ends_on=last or first)
        )
    return len(cal.holidays) + len(closures)


def _places(catalogue: Catalogue) -> dict[str, Location]:
    places = {}
    for place in catalogue.places:
        places[place.key] = Location(
            name=place.name,
            address=place.address,
            neighbourhood=place.neighbourhood,
            accessibility=place.accessibility,
        )
        db.session.add(places[place.key])
    db.session.flush()
    return places


def _organisers(offer: Offer, plan: Plan, partners: dict, rng: random.Random) -> None:
    for name, role, answer in plan.organisers:
        if partners[name].state != PartnerState.ACTIVE:
            continue  # only active partners take part (an invited school joins later)
        link = services.set_organiser(offer, partners[name], role)
        if role == OrganiserRole.SPEAKER and answer != Answer.INVITED:
            link.answer = answer
            link.answered_at = utcnow() - timedelta(days=rng.randint(*SPEAKERS_ANSWERED))


def _cancel(offer: Offer, plan: Plan, catalogue: Catalogue, *, future: bool) -> int:
    """Cancel the plan's past (or coming) sessions the data says were (or will be) cancelled."""
    cancelled = 0
    for cancel in catalogue.cancellations:
        if cancel.offer != plan.key or cancel.future != future:
            continue
        session = (
            coming_session(offer, cancel.weeks)
            if future
            else past_session(offer, cancel.weeks, cancel.winter)
        )
        if session is None:
            continue
        if future:
            services.cancel_session(session, cancel.reason)
        else:  # cancelled at the time; set down afterwards as a correction of the record
            services.correct_past_session(session, held=False, reason=cancel.reason)
        cancelled += 1
    return cancelled


def _person(role: Role) -> User | None:
    return db.session.execute(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role == role)
        .order_by(Membership.id)
        .limit(1)
    ).scalar_one_or_none()


def _rule(plan: Plan, first: date, last: date) -> str:
    if not plan.days:
        return ""
    until = f"UNTIL={last:%Y%m%d}"
    if plan.days[0].isdigit() or plan.days[0] == "-":
        return f"FREQ=MONTHLY;BYDAY={plan.days};{until}"
    step = f"INTERVAL={plan.interval};" if plan.interval > 1 else ""
    return f"FREQ=WEEKLY;{step}BYDAY={plan.days};{until}"


def _data(plan: Plan, cal: Calendar, types: dict, places: dict) -> services.OfferData:
    first = plan.first or cal.first
    last = plan.last or cal.last
    rule = _rule(plan, first, last)
    if rule:  # start on the first date of the rule, as the form would show it
        start = datetime.combine(first, plan.hours[0])
        first = parse_rule(rule, start)[0].date()
    return services.OfferData(
        title=plan.title,
        type_id=types[plan.kind],
        location_id=places[plan.place].id,
        start_date=first,
        start_time=plan.hours[0],
        end_time=plan.hours[1],
        rrule=rule,
        description=plan.description,
        translations=plan.translations,
        action_lines=int(plan.lines),
        age_min_months=plan.ages[0],
        age_max_months=plan.ages[1],
        themes=list(plan.themes),
        languages=list(plan.languages),
        cost_kind=plan.cost,
        cost_cents=plan.cost_cents,
        cost_note=plan.cost_note,
        registration_required=bool(plan.registration),
        registration_note=plan.registration,
        capacity=plan.capacity,
        skip_school_holidays=plan.skip_school_holidays,
    )
