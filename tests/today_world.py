"""A network with a person in every role and something waiting for each of them: the shared
cast of the home page's tests (tests/test_today.py, tests/test_browser_today.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from saas.catalogue.models import (
    ActivitySession,
    Answer,
    Headcount,
    OfferPartner,
    OrganiserRole,
)
from saas.catalogue.schedule import to_local, to_utc
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner, PartnerState, Sector
from saas.referrals.models import Referral, Status
from saas.workforce.cards import save_card
from saas.workforce.models import (
    Assignment,
    FlexibilityCard,
    Roster,
    RosterStatus,
    StaffingNeed,
    WorkerProfile,
)
from tenants.context import network_scope
from tenants.models import Invitation, Role
from tests import catalogue_factories as cf
from tests import factories as f
from tests.snapshots import built_once


def _monday() -> date:
    today = to_local(utcnow()).date()
    return today - timedelta(days=today.weekday())


@dataclass
class Home:
    """One network with a person in every role and something waiting for each of them."""

    slug: str
    people: dict[Role, f.Ref] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    family: str = ""
    question: str = ""


def _session(offer_id: int, starts_at: datetime, minutes: int = 90) -> int:
    session = ActivitySession(
        offer_id=offer_id,
        occurrence=f"x{starts_at:%Y%m%dT%H%M}",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
    )
    db.session.add(session)
    db.session.flush()
    return session.id


@built_once
def build(app, slug: str) -> Home:
    net = f.network(app, slug)
    mine = f.partner(app, net, f"Kind en Gezin {slug}", Sector.HEALTH)
    sender = f.partner(app, net, f"OCMW {slug}")
    team = f.partner(app, net, f"IN-Z {slug}", Sector.SOCIAL_ECONOMY)
    home = Home(slug, family=f"Mama van A. in {slug}", question=f"Zoekt opvang in {slug}")
    for role in Role:
        grant = (net, role, mine) if role.needs_partner else (net, role)
        home.people[role] = f.user(app, f"{role.value}@{slug}.example", grant)
    place = cf.place(app, net, name=f"Buurthuis {slug}")
    today = to_local(utcnow()).date()
    # a thematic salon next week without a speaker who confirmed; this partner is asked
    salon = cf.offer(
        app,
        net,
        team,
        title=f"Oudersalon slapen {slug}",
        location=place,
        code="oudersalon_thematisch",
        start=today + timedelta(days=8),
        rrule="",
    )
    own = cf.offer(app, net, mine, title=f"Babysalon {slug}", location=place, rrule="")
    staffed = cf.offer(app, net, team, title=f"Voorschools klasje {slug}", location=place, rrule="")
    with app.app_context(), network_scope(net.id):
        db.session.add(
            OfferPartner(
                offer_id=salon.id,
                partner_id=mine.id,
                role=OrganiserRole.SPEAKER,
                answer=Answer.INVITED,
            )
        )
        # the partner's session of two days ago was not counted; yesterday's was
        home.ids["uncounted"] = _session(own.id, utcnow() - timedelta(days=2))
        counted = _session(own.id, utcnow() - timedelta(days=1))
        db.session.add(Headcount(session_id=counted, adults=4))
        home.ids["counted"] = counted
        # a referral waiting for this partner, past its response target
        referral = Referral(
            from_partner_id=sender.id,
            to_partner_id=mine.id,
            status=Status.SENT,
            family_label=home.family,
            question=home.question,
            sent_at=utcnow() - timedelta(days=9),
            response_due_at=utcnow() - timedelta(days=2),
        )
        # and one to the social-economy employer, for the coordinator's team to answer
        to_team = Referral(
            from_partner_id=sender.id,
            to_partner_id=team.id,
            status=Status.SENT,
            family_label=f"Papa van M. in {slug}",
            sent_at=utcnow() - timedelta(days=1),
            response_due_at=utcnow() + timedelta(days=4),
        )
        db.session.add_all([referral, to_team])
        # a partner invited ten days ago that has not joined: its invitation has expired
        invited = Partner(
            name=f"Dansatelier {slug}",
            sector=Sector.LEISURE,
            contact_email=f"dans@{slug}.example",
            state=PartnerState.INVITED,
        )
        db.session.add(invited)
        db.session.flush()
        db.session.add(
            Invitation(
                email=invited.contact_email,
                role=Role.PARTNER_ADMIN,
                partner_id=invited.id,
                expires_at=utcnow() - timedelta(days=3),
            )
        )
        db.session.add(
            Invitation(
                email=f"schepen@{slug}.example",
                role=Role.MUNICIPALITY_VIEWER,
                expires_at=utcnow() + timedelta(days=5),
            )
        )
        # the team: a worker with a card from this Monday, a session next week nobody covers,
        # a draft roster for next week, and the worker on a session this Monday
        worker = WorkerProfile(user_id=home.people[Role.SE_WORKER].id)
        db.session.add(worker)
        db.session.flush()
        save_card(worker, "g" * 91, _monday(), "", None)
        db.session.add(StaffingNeed(offer_id=staffed.id, workers=1))
        next_week = _monday() + timedelta(weeks=1)
        uncovered = _session(staffed.id, to_utc(datetime.combine(next_week, time(9))))
        draft = Roster(starts_on=next_week, ends_on=next_week + timedelta(weeks=1))
        published = Roster(
            starts_on=_monday(),
            ends_on=next_week,
            status=RosterStatus.PUBLISHED,
            published_at=utcnow(),
        )
        db.session.add_all([draft, published])
        db.session.flush()
        mine_now = _session(staffed.id, to_utc(datetime.combine(_monday(), time(0, 30))), 60)
        db.session.add(
            Assignment(roster_id=published.id, session_id=mine_now, worker_id=worker.id, minutes=60)
        )
        db.session.commit()
        home.ids.update(
            salon=salon.id,
            referral=referral.id,
            team_referral=to_team.id,
            invited=invited.id,
            worker=worker.id,
            uncovered=uncovered,
            draft=draft.id,
            mine=mine.id,
            sender=sender.id,
            own=own.id,
            staffed=staffed.id,
            published=published.id,
            place=place.id,
        )
    return home


def more(app, home: Home, n: int) -> None:
    """`n` more of everything waiting for each role (the home page must not cost more for it)."""
    net = f.Ref(id=_network_id(app, home.slug), slug=home.slug)
    place = f.Ref(id=home.ids["place"])
    salons = [
        cf.offer(
            app,
            net,
            f.Ref(id=home.ids["sender"]),
            title=f"Thema {i} {home.slug}",
            location=place,
            code="oudersalon_thematisch",
            start=to_local(utcnow()).date() + timedelta(days=9 + i),
            rrule="",
        )
        for i in range(n)
    ]
    next_week = _monday() + timedelta(weeks=1)
    with app.app_context(), network_scope(net.id):
        for i, salon in enumerate(salons):
            db.session.add(
                OfferPartner(
                    offer_id=salon.id,
                    partner_id=home.ids["mine"],
                    role=OrganiserRole.SPEAKER,
                    answer=Answer.INVITED,
                )
            )
            invited = Partner(
                name=f"Club {i} {home.slug}",
                sector=Sector.LEISURE,
                contact_email=f"club{i}@{home.slug}.example",
                state=PartnerState.INVITED,
            )
            db.session.add(invited)
            db.session.flush()
            db.session.add_all(
                [
                    Invitation(
                        email=invited.contact_email,
                        role=Role.PARTNER_ADMIN,
                        partner_id=invited.id,
                        expires_at=utcnow() + timedelta(days=i),
                    ),
                    Invitation(
                        email=f"mens{i}@{home.slug}.example",
                        role=Role.SE_WORKER,
                        expires_at=utcnow() + timedelta(days=1 + i),
                    ),
                    Referral(
                        from_partner_id=home.ids["sender"],
                        to_partner_id=home.ids["mine"],
                        status=Status.RECEIVED,
                        family_label=f"Gezin {i}",
                        sent_at=utcnow() - timedelta(days=8),
                        response_due_at=utcnow() - timedelta(days=1),
                    ),
                    FlexibilityCard(
                        worker_id=home.ids["worker"],
                        valid_from=next_week + timedelta(weeks=1 + i),
                        grid="g" * 91,
                    ),
                    Roster(
                        starts_on=next_week + timedelta(weeks=2 + i),
                        ends_on=next_week + timedelta(weeks=3 + i),
                    ),
                ]
            )
            _session(home.ids["own"], utcnow() - timedelta(days=3, minutes=10 * i))
            _session(home.ids["staffed"], to_utc(datetime.combine(next_week, time(10, 5 * i))))
            shift = _session(
                home.ids["staffed"], to_utc(datetime.combine(_monday(), time(1, 5 * i))), 30
            )
            db.session.add(
                Assignment(
                    roster_id=home.ids["published"],
                    session_id=shift,
                    worker_id=home.ids["worker"],
                    minutes=30,
                )
            )
        db.session.commit()


def _network_id(app, slug: str) -> int:
    from sqlalchemy import select

    from tenants.models import Network

    with app.app_context():
        return db.session.execute(select(Network.id).where(Network.slug == slug)).scalar_one()
