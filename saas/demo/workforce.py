"""Demo workforce for IN-Z in both networks: workers with profiles and flexibility cards (with
history), the team's intervisie, which activities need staff, schools' wishes and fixed contacts,
a published roster for the past two weeks and one for this week and the three after (CP-SAT).

Idempotent: it does nothing in a network that already has worker profiles. Deterministic in what
it seeds; the solved rosters are what CP-SAT finds within a few seconds.
"""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from saas.accounts import services as accounts
from saas.accounts.models import User
from saas.catalogue.models import Offer, OfferType
from saas.catalogue.schedule import to_local
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner
from saas.workforce import services, solver
from saas.workforce.models import (
    FixedContact,
    RosterStatus,
    SchoolWish,
    StaffingNeed,
    TeamSlot,
    WorkerProfile,
)
from tenants.models import Membership, Network, Role

PASSWORD = "dorp-demo"  # the documented demo password

# (e-mail, name, languages, skills, trainings, hours per week, home area, km, card pattern)
TEAMS = {
    "beringen": [
        (
            "werker@in-z.demo",
            "Fatma Yilmaz",
            "nl,tr",
            "reading_aloud,cooking,home_visits",
            "reading_aloud,social_map",
            19,
            "Beringen-Mijn",
            8,
            "school_hours",
        ),
        (
            "hafida@in-z.demo",
            "Hafida Bouzid",
            "nl,ar,fr",
            "reading_aloud,baby_massage,crafts",
            "reading_aloud",
            19,
            "Paal",
            10,
            "mornings",
        ),
        (
            "olga@in-z.demo",
            "Olga Nowak",
            "nl,pl,ru",
            "game_facilitation,tablets,crafts",
            "tablets",
            24,
            "Koersel",
            12,
            "wide",
        ),
        (
            "ilse@in-z.demo",
            "Ilse Vangeel",
            "nl,en",
            "bike_trainer,game_facilitation,home_visits",
            "bike_trainer,father_involvement",
            19,
            "Beverlo",
            15,
            "afternoons",
        ),
        (
            "samira@in-z.demo",
            "Samira Ait Ali",
            "nl,ar,ber",
            "cooking,reading_aloud,home_visits",
            "social_map",
            15,
            "Tervant",
            6,
            "co_parent",
        ),
    ],
    "sint-truiden": [
        (
            "brugfiguur@in-z.demo",
            "Sofie Claes",
            "nl,fr",
            "reading_aloud,game_facilitation,sport_dance",
            "reading_aloud",
            19,
            "Centrum",
            10,
            "school_hours",
        ),
        (
            "yusuf@in-z.demo",
            "Yusuf Demir",
            "nl,tr",
            "sport_dance,game_facilitation,homework_help,crafts",
            "father_involvement",
            19,
            "Brustem",
            12,
            "afternoons",
        ),
        (
            "mira@in-z.demo",
            "Mira Petrova",
            "nl,bg,ru",
            "reading_aloud,crafts,home_visits",
            "reading_aloud,tablets",
            19,
            "Zepperen",
            10,
            "mornings",
        ),
    ],
}

# Which activities need the team, by offer type: (workers, required skills, languages)
NEEDS = {
    "voorschools_klasje": (2, "reading_aloud", ""),
    "onthaalmoment": (1, "", "tr,ar"),
    "oudersalon": (1, "", ""),
    "oudersalon_thematisch": (1, "", ""),
    "fietsles": (1, "bike_trainer", ""),
    "huisbezoek": (1, "home_visits", ""),
    "atelier_taal": (1, "reading_aloud", ""),
    "atelier_sport": (1, "sport_dance", ""),
    "atelier_dans": (1, "sport_dance", ""),
    "tekenacademie": (1, "crafts", ""),
    "verteltassen": (1, "reading_aloud", ""),
}

# (school, tasks, languages, profile, neighbourhood, weekdays, from, until, hours, contact e-mail)
WISHES = {
    "beringen": [
        (
            "Basisschool De Mijnlamp",
            "reading_aloud",
            "tr,ar",
            "Iemand die de ouders aan de schoolpoort kent en rustig voorleest aan peuters.",
            "Beringen-Mijn",
            "0,4",
            time(8, 30),
            time(11, 30),
            6,
            "werker@in-z.demo",
        ),
    ],
    "sint-truiden": [
        (
            "Basisschool De Regenboog (GOK)",
            "reading_aloud,homework_help",
            "fr",
            "Een brugfiguur die elke week op vaste momenten in de kleuterklas voorleest.",
            "Centrum",
            "1,3",
            time(12, 0),
            time(13, 0),
            4,
            "brugfiguur@in-z.demo",
        ),
        (
            "Freinetschool De Kersenpit",
            "reading_aloud,crafts",
            "",
            "Iemand die met poppen en verhalen werkt en graag knutselt.",
            "Centrum",
            "3",
            time(12, 0),
            time(13, 0),
            2,
            "mira@in-z.demo",
        ),
        (
            "Vrije Basisschool Brustem",
            "sport_dance,game_facilitation",
            "tr",
            "Een sportieve begeleider voor de middagpauze.",
            "Brustem",
            "1,3",
            time(12, 0),
            time(13, 0),
            2,
            None,
        ),
    ],
}


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
    this_monday = services.monday(today)
    workers = {}
    for email, name, langs, skills, trainings, hours, area, km, card in TEAMS[network.slug]:
        user = accounts.find_user(email) or accounts.create_user(
            email=email, name=name, password=PASSWORD, language="nl"
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
            languages=langs,
            skills=skills,
            trainings=trainings,
            contract_minutes=hours * 60,
            home_area=area,
            max_travel_km=km,
        )
        db.session.add(worker)
        db.session.flush()
        coordinator = _coordinator()
        # history: an older, stricter card, then today's one (with a private reason)
        services.save_card(
            worker, pattern(card).replace("g", "o", 10), this_monday - timedelta(weeks=20), "", None
        )
        services.save_card(
            worker,
            pattern(card),
            this_monday - timedelta(weeks=4),
            _REASONS.get(card, ""),
            coordinator.id if coordinator else None,
        )
        services.new_feed_token(worker)
        workers[email] = worker
    db.session.add(
        TeamSlot(label="Intervisie", weekday=2, start_time=time(13), end_time=time(14, 30))
        if network.slug == "beringen"
        else TeamSlot(label="Intervisie", weekday=4, start_time=time(9), end_time=time(10, 30))
    )
    needs = _needs()
    _wishes(network, workers)
    db.session.flush()
    rosters = 0
    for start, weeks, publish in (
        (this_monday - timedelta(weeks=2), 2, True),
        (this_monday, 4, True),
    ):
        roster = services.create_roster(start, weeks, None)
        built = services.build_instance(roster, time_limit=3.0, num_workers=8)
        result = solver.solve(built.instance)
        services.apply_result(roster, built, result)
        if publish and roster.status == RosterStatus.SOLVED:
            roster.status = RosterStatus.PUBLISHED
            roster.published_at = utcnow()
        rosters += 1
    db.session.flush()
    return {"workers": len(workers), "staffed activities": needs, "rosters": rosters}


_REASONS = {
    "mornings": "Zorgt in de namiddag voor haar moeder (mantelzorg).",
    "co_parent": "Co-ouderschap: dinsdag en donderdag na 15 uur de kinderen.",
    "afternoons": "Volgt in de voormiddag een opleiding (tweedekansonderwijs).",
}


def _coordinator() -> User | None:
    return db.session.execute(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role == Role.SE_COORDINATOR)
        .limit(1)
    ).scalar_one_or_none()


def _needs() -> int:
    rows = db.session.execute(
        select(Offer, OfferType.code)
        .join(OfferType, OfferType.id == Offer.type_id)
        .where(Offer.published_at.is_not(None))
        .order_by(Offer.id)
    ).all()
    count = 0
    for offer, code in rows:
        if code not in NEEDS or offer.partner.sector != "social_economy":
            continue
        workers, skills, languages = NEEDS[code]
        db.session.add(
            StaffingNeed(offer_id=offer.id, workers=workers, skills=skills, languages=languages)
        )
        count += 1
    return count


def _wishes(network: Network, workers: dict[str, WorkerProfile]) -> None:
    partners = {p.name: p for p in db.session.execute(select(Partner)).scalars()}
    for name, tasks, langs, profile, area, days, start, end, hours, contact in WISHES[network.slug]:
        partner = partners.get(name)
        if partner is None:
            continue
        db.session.add(
            SchoolWish(
                partner_id=partner.id,
                tasks=tasks,
                languages=langs,
                profile=profile,
                neighbourhood=area,
                weekdays=days,
                start_time=start,
                end_time=end,
                hours_per_week=hours,
            )
        )
        if contact:
            db.session.add(FixedContact(partner_id=partner.id, worker_id=workers[contact].id))
