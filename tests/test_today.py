"""The network's home page answers "what needs me today?" for each role the person holds, every
item linking to the page where it is done; the steward never sees a family or a partner's
referral, another network's items never show, and an empty list says nothing waits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytest

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
    Roster,
    RosterStatus,
    StaffingNeed,
    WorkerProfile,
)
from tenants.context import network_scope
from tenants.models import Invitation, Role
from tests import catalogue_factories as cf
from tests import factories as f

NOTHING = "Nothing waits for you today."


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
        db.session.add(referral)
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
        mine_now = _session(own.id, to_utc(datetime.combine(_monday(), time(0, 30))), 60)
        db.session.add(
            Assignment(roster_id=published.id, session_id=mine_now, worker_id=worker.id, minutes=60)
        )
        db.session.commit()
        home.ids.update(
            salon=salon.id,
            referral=referral.id,
            invited=invited.id,
            worker=worker.id,
            uncovered=uncovered,
            draft=draft.id,
        )
    return home


@pytest.fixture
def homes(app):
    return build(app, "beringen"), build(app, "sint-truiden")


def _home(app, who: f.Ref, slug: str = "beringen") -> str:
    client = app.test_client()
    f.login(client, who)
    response = client.get(f"/{slug}/dashboard?lang=en")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _section(page: str, role: str) -> str:
    start = page.index(f'id="today-{role}-section"')
    return page[start : page.index("</section>", start)]


def test_steward_sees_invitations_late_referrals_gaps_and_salons_each_with_its_link(app, homes):
    home, _other = homes
    page = _section(_home(app, home.people[Role.STEWARD]), "steward")
    assert (
        f'href="/beringen/network/partners/{home.ids["invited"]}">Dansatelier beringen</a>' in page
    )
    assert "the invitation expired on" in page
    assert 'href="/beringen/network/people">schepen@beringen.example</a>' in page
    assert 'href="/beringen/referrals/overview">Fewer than 5 referrals wait' in page
    assert 'href="/beringen/catalogue/gaps">' in page and "gaps: action lines" in page
    assert (
        f'href="/beringen/catalogue/offers/{home.ids["salon"]}">Oudersalon slapen beringen' in page
    )
    assert "a speaker has been asked and has not answered yet" in page


def test_the_steward_never_sees_a_family_or_a_partners_referral(app, homes):
    home, _other = homes
    page = _home(app, home.people[Role.STEWARD])
    assert home.family not in page and home.question not in page
    assert f"/beringen/referrals/{home.ids['referral']}" not in page
    assert "Referral from" not in page


def test_partner_sees_referrals_to_answer_sessions_to_count_and_requests_to_speak(app, homes):
    home, _other = homes
    page = _section(_home(app, home.people[Role.PARTNER_ADMIN]), "partner")
    assert (
        f'href="/beringen/referrals/{home.ids["referral"]}">Referral from OCMW beringen</a>' in page
    )
    assert "answer was due on" in page
    assert (
        f'href="/beringen/catalogue/sessions/{home.ids["uncounted"]}">Babysalon beringen</a>'
        in page
    )
    assert f"/catalogue/sessions/{home.ids['counted']}" not in page  # counted already
    assert (
        f'href="/beringen/catalogue/offers/{home.ids["salon"]}">Oudersalon slapen beringen</a>'
        in page
    )
    assert home.family not in page  # the family stays on the referral's own, audited page


def test_coordinator_sees_changed_cards_uncovered_sessions_and_unpublished_rosters(app, homes):
    home, _other = homes
    page = _section(_home(app, home.people[Role.SE_COORDINATOR]), "coordinator")
    worker = home.people[Role.SE_WORKER]
    assert f'href="/beringen/team/workers/{home.ids["worker"]}/card">{worker.name}</a>' in page
    draft = f'href="/beringen/team/rosters/{home.ids["draft"]}"'
    assert f"{draft}>Voorschools klasje beringen</a>" in page  # fixed on the draft for its week
    assert "1 worker missing" in page
    assert page.count(draft) == 2  # and the draft itself, not yet published


def test_worker_sees_this_week_in_short_and_the_way_to_my_week(app, homes):
    home, _other = homes
    page = _section(_home(app, home.people[Role.SE_WORKER]), "worker")
    assert "1 session this week" in page
    assert 'href="/beringen/team/my-week"' in page


def test_a_person_with_two_roles_sees_both_lists(app, homes):
    home, _other = homes
    both = f.user(
        app,
        "regie-en-partner@beringen.example",
        (_net(app, "beringen"), Role.STEWARD),
        (_net(app, "beringen"), Role.PARTNER_ADMIN, _partner(app, "beringen")),
    )
    page = _home(app, both)
    assert 'id="today-steward-section"' in page and 'id="today-partner-section"' in page
    assert f"/beringen/referrals/{home.ids['referral']}" in _section(page, "partner")
    assert "Referral from" not in _section(page, "steward")


def test_another_networks_items_never_appear(app, homes):
    home, other = homes
    for role in (Role.STEWARD, Role.PARTNER_ADMIN, Role.SE_COORDINATOR, Role.SE_WORKER):
        page = _home(app, home.people[role])
        assert "sint-truiden" not in page.replace("/sint-truiden/dashboard", ""), role
        # every item of the other network carries its name: its titles, partners, e-mails
        assert "Sint-Truiden" not in page and other.family not in page
    # and the other network's people see their own, not Beringen's
    page = _home(app, other.people[Role.PARTNER_ADMIN], "sint-truiden")
    assert "Babysalon sint-truiden" in page and "Babysalon beringen" not in page


def _net(app, slug: str) -> f.Ref:
    from sqlalchemy import select

    from tenants.models import Network

    with app.app_context():
        network = db.session.execute(select(Network).where(Network.slug == slug)).scalar_one()
        return f.Ref(id=network.id, slug=slug)


def _partner(app, slug: str) -> f.Ref:
    from sqlalchemy import select

    net = _net(app, slug)
    with app.app_context(), network_scope(net.id):
        partner_id = db.session.execute(
            select(Partner.id).where(Partner.name == f"Kind en Gezin {slug}")
        ).scalar_one()
        return f.Ref(id=partner_id)


def test_empty_lists_say_that_nothing_waits(app):
    net = f.network(app, "genk")
    partner = f.partner(app, net, "Kind en Gezin Genk", Sector.HEALTH)
    people = {
        role: f.user(
            app,
            f"{role.value}@genk.example",
            (net, role, partner) if role.needs_partner else (net, role),
        )
        for role in (Role.PARTNER_ADMIN, Role.SE_COORDINATOR, Role.SE_WORKER)
    }
    for role, section in (
        (Role.PARTNER_ADMIN, "partner"),
        (Role.SE_COORDINATOR, "coordinator"),
    ):
        assert NOTHING in _section(_home(app, people[role], "genk"), section)
    worker = _section(_home(app, people[Role.SE_WORKER], "genk"), "worker")
    assert "You are not in the team's planning yet" in worker


def test_a_steward_of_a_network_without_gaps_or_open_work_is_told_nothing_waits(app):
    from saas.catalogue import services
    from saas.catalogue.models import ActionLine

    net = f.network(app, "genk")
    partner = f.partner(app, net, "Stad Genk", Sector.LOCAL_GOVERNMENT)
    steward = f.user(app, "regie@genk.example", (net, Role.STEWARD))
    place = cf.place(app, net, name="Stadhuis Genk")
    type_id = cf.type_id(app, net, "onthaalmoment")
    with app.test_request_context(), network_scope(net.id):
        every_line = 0
        for line in ActionLine.members():
            every_line |= int(line)
        data = services.OfferData(
            title="Onthaal voor iedereen",
            type_id=type_id,
            location_id=place.id,
            start_date=date(2027, 3, 1),
            start_time=time(9),
            end_time=time(11),
            rrule="",
            action_lines=every_line,
            age_min_months=0,
            age_max_months=216,
        )
        offer = services.save_offer(None, data, partner=db.session.get(Partner, partner.id))
        services.publish(offer)
        db.session.commit()
    assert NOTHING in _section(_home(app, steward, "genk"), "steward")
