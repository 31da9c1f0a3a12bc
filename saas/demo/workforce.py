"""Demo workforce for IN-Z in both networks: workers with profiles and flexibility cards (with
history), the team's intervisie, which activities need staff, schools' wishes and fixed contacts,
a published roster for the past two weeks and one for this week and the three after (CP-SAT),
and a solved draft for the weeks from the week after next, which replaces the published one's
last two weeks when the coordinator publishes it.

The team, the needs and the wishes are data (data/team.csv, needs.csv, wishes.csv and
workforce.yaml). Idempotent: it does nothing in a network that already has worker profiles.
Deterministic in what it seeds; the solved rosters are what CP-SAT finds within a few seconds.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from saas.accounts import services as accounts
from saas.accounts.models import User
from saas.catalogue.models import ActivitySession, Offer, OfferType
from saas.catalogue.schedule import to_local, to_utc
from saas.demo.datafiles import read_csv, read_yaml
from saas.demo.dates import weekday
from saas.demo.networks import PASSWORD, USER_LANGUAGE
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner, Sector
from saas.workforce import solver
from saas.workforce.assignments import remove
from saas.workforce.cards import change_card, edit_card, save_card
from saas.workforce.models import (
    Assignment,
    FixedContact,
    FlexibilityCard,
    Roster,
    RosterStatus,
    SchoolWish,
    StaffingNeed,
    TeamSlot,
    WorkerProfile,
)
from saas.workforce.rostered import rostered
from saas.workforce.rosters import apply_result, build_instance, create_roster, monday
from saas.workforce.staff import new_feed_token
from tenants.models import Membership, Network, Role

DATA: dict = read_yaml("workforce.yaml")
# CP-SAT's limits per roster: the first `make run` seeds the demo and waits for it
SOLVER_SECONDS = 3.0
SOLVER_WORKERS = 8


def pattern(kind: str) -> str:
    """A realistic week: red and orange where life happens, green for the rest of the work week."""
    hours = range(solver.FIRST_HOUR, solver.LAST_HOUR)
    cells = []
    for day in range(7):
        for h in hours:
            if day >= 5 or h < 8 or h >= 18:
                cell = "r"
            elif kind == "school_hours":  # school run: red before 8:30, orange after school
                cell = "o" if h >= 16 else "g"
            elif kind == "mornings":  # afternoons caring for a parent (orange), Wednesday red
                cell = "g" if h < 12 else ("r" if day == 2 else "o")
            elif kind == "afternoons":  # mornings a training, green after
                cell = "o" if h < 12 else "g"
            elif kind == "co_parent":  # every other day the children: Tue, Thu red after 15:00
                cell = "r" if day in (1, 3) and h >= 15 else ("o" if day == 4 else "g")
            else:  # wide
                cell = "o" if h >= 17 else "g"
            cells.append(cell)
    return "".join(cells)


def seed_workforce(network: Network) -> dict:
    if db.session.execute(select(WorkerProfile.id).limit(1)).first() is not None:
        return {}
    today = to_local(utcnow()).date()
    this_monday = monday(today)
    workers = {}
    for row in read_csv("team.csv", network.slug):
        workers[row["email"]] = _worker(row, this_monday)
    slot = DATA["team_slots"][network.slug]
    db.session.add(
        TeamSlot(
            label=slot["label"],
            weekday=weekday(slot["weekday"]),
            start_time=time.fromisoformat(slot["start"]),
            end_time=time.fromisoformat(slot["end"]),
        )
    )
    needs = _needs()
    _wishes(network, workers)
    db.session.flush()
    rosters = 0
    _coming_card(network, workers, this_monday, today)
    for plan in DATA["rosters"]:
        start = this_monday + timedelta(weeks=plan["from_weeks"])
        roster = create_roster(start, start + timedelta(weeks=plan["weeks"], days=-1), None)
        built = build_instance(roster, time_limit=SOLVER_SECONDS, num_workers=SOLVER_WORKERS)
        result = solver.solve(built.instance)
        apply_result(roster, built, result)
        if plan["publish"] and roster.status == RosterStatus.SOLVED:
            roster.status = RosterStatus.PUBLISHED
            roster.published_at = utcnow()
        rosters += 1
    db.session.flush()
    _changed_card(network, workers, this_monday)
    _take_off(this_monday + timedelta(weeks=DATA["taken_off"]["from_weeks"]))
    return {"workers": len(workers), "staffed activities": needs, "rosters": rosters}


def _made(card: FlexibilityCard, days_ago: int | None = None) -> None:
    """When the card was made: a few days before it starts, or `days_ago`."""
    if days_ago is not None:
        card.created_at = utcnow() - timedelta(days=days_ago)
    else:
        start = to_utc(datetime.combine(card.valid_from, time(10)))
        card.created_at = min(start - timedelta(days=DATA["card_made_days_before"]), utcnow())


def _changed_card(network: Network, workers: dict[str, WorkerProfile], this_monday: date) -> None:
    """One worker's new card from next week, made a few days ago (after the rosters)."""
    plan = DATA["changed_card"]
    worker = workers.get(plan["workers"].get(network.slug, ""))
    if worker is None:
        return
    current = db.session.execute(
        select(FlexibilityCard)
        .where(FlexibilityCard.worker_id == worker.id)
        .order_by(FlexibilityCard.valid_from.desc())
        .limit(1)
    ).scalar_one()
    red = {weekday(day) for day in plan["red_mornings"]}
    hours = solver.HOURS
    grid = "".join(
        "r" if i // hours in red and solver.FIRST_HOUR + i % hours < 12 else colour
        for i, colour in enumerate(current.grid)
    )
    start = this_monday + timedelta(weeks=plan["weeks_from_now"])
    _made(save_card(worker, grid, start, plan["reason"], None), plan["made_days_ago"])


def _take_off(week: date) -> None:
    """A worker called in sick: off her first session of `week` in the roster in force."""
    first = db.session.execute(
        rostered(select(Assignment, Roster))
        .where(
            ActivitySession.starts_at >= to_utc(datetime.combine(week, time())),
            ActivitySession.starts_at < to_utc(datetime.combine(week + timedelta(weeks=1), time())),
        )
        .order_by(ActivitySession.starts_at, Assignment.id)
        .limit(1)
    ).first()
    if first is not None:
        remove(first[1], first[0])


def _worker(row: dict[str, str], this_monday: date) -> WorkerProfile:
    """A team member's account, role, profile, card history and calendar feed."""
    user = accounts.find_user(row["email"]) or accounts.create_user(
        email=row["email"], name=row["name"], password=PASSWORD, language=USER_LANGUAGE
    )
    db.session.flush()
    member = db.session.execute(
        select(Membership.id).where(
            Membership.user_id == user.id, Membership.role == Role.SE_WORKER
        )
    ).first()
    if member is None:
        db.session.add(Membership(user_id=user.id, role=Role.SE_WORKER))
    worker = WorkerProfile(
        user_id=user.id,
        languages=row["languages"],
        skills=row["skills"],
        trainings=row["trainings"],
        contract_minutes=int(row["hours_per_week"]) * 60,
        home_area=row["home_area"],
        max_travel_km=int(row["max_travel_km"]),
    )
    db.session.add(worker)
    db.session.flush()
    coordinator = _coordinator()
    card = pattern(row["card"])
    previous, current = DATA["previous_card"], DATA["current_card"]
    _made(
        save_card(
            worker,
            card.replace("g", "o", previous["stricter_hours"]),
            this_monday - timedelta(weeks=previous["weeks_ago"]),
            "",
            None,
        )
    )
    _made(
        save_card(
            worker,
            card,
            this_monday - timedelta(weeks=current["weeks_ago"]),
            DATA["card_reasons"].get(row["card"], ""),
            coordinator.id if coordinator else None,
        )
    )
    new_feed_token(worker)
    return worker


def _coming_card(
    network: Network, workers: dict[str, WorkerProfile], this_monday: date, today: date
) -> None:
    """A card the coordinator saved for a worker from a coming week and then corrected: the
    worker's two notices say so (through the cards service, as on the card page)."""
    plan = DATA["coming_card"]
    row = plan[network.slug]
    worker = workers[row["email"]]
    coordinator = _coordinator()
    if coordinator is None:
        return
    start = this_monday + timedelta(weeks=plan["weeks_ahead"])
    base = pattern(_pattern_of(row["email"]))
    card, _existed = change_card(
        worker, _red_on(base, row["red_days"]), start, row["reason"], coordinator.id, today
    )
    edit_card(
        worker,
        card,
        _red_on(base, row["corrected_red_days"]),
        start,
        None,
        coordinator.id,
        today,
    )


def _pattern_of(email: str) -> str:
    return next(row["card"] for row in read_csv("team.csv") if row["email"] == email)


def _red_on(grid: str, days: list[int]) -> str:
    """`grid` with every hour of these weekdays red."""
    return "".join(solver.RED if i // solver.HOURS in days else cell for i, cell in enumerate(grid))


def _coordinator() -> User | None:
    return db.session.execute(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role == Role.SE_COORDINATOR)
        .limit(1)
    ).scalar_one_or_none()


def _needs() -> int:
    """Staffing needs for the social economy's published offers of the types in needs.csv."""
    needs = {row["offer_type"]: row for row in read_csv("needs.csv")}
    rows = db.session.execute(
        select(Offer, OfferType.code)
        .join(OfferType, OfferType.id == Offer.type_id)
        .where(Offer.published_at.is_not(None))
        .order_by(Offer.id)
    ).all()
    count = 0
    for offer, code in rows:
        if code not in needs or offer.partner.sector != Sector.SOCIAL_ECONOMY:
            continue
        need = needs[code]
        db.session.add(
            StaffingNeed(
                offer_id=offer.id,
                workers=int(need["workers"]),
                skills=need["skills"],
                languages=need["languages"],
            )
        )
        count += 1
    return count


def _wishes(network: Network, workers: dict[str, WorkerProfile]) -> None:
    partners = {p.name: p for p in db.session.execute(select(Partner)).scalars()}
    for row in read_csv("wishes.csv", network.slug):
        partner = partners.get(row["school"])
        if partner is None:
            continue
        db.session.add(
            SchoolWish(
                partner_id=partner.id,
                tasks=row["tasks"],
                languages=row["languages"],
                profile=row["profile"],
                neighbourhood=row["neighbourhood"],
                weekdays=row["weekdays"],
                start_time=time.fromisoformat(row["start_time"]),
                end_time=time.fromisoformat(row["end_time"]),
                hours_per_week=int(row["hours_per_week"]),
            )
        )
        if row["fixed_contact"]:
            db.session.add(
                FixedContact(partner_id=partner.id, worker_id=workers[row["fixed_contact"]].id)
            )
