"""The network's home page answers "what needs me today?" for each role the person holds, every
item linking to the page where it is done; the steward never sees a family or a partner's
referral, another network's items never show, and an empty list says nothing waits."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest

from saas.catalogue.models import ActionLine
from saas.extensions import db
from saas.partners.models import Partner, Sector
from saas.workforce.grid import week_key
from tenants.context import network_scope
from tenants.models import Role
from tests import catalogue_factories as cf
from tests import factories as f
from tests.today_world import build, more

NOTHING = "Nothing waits for you today."


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
    assert f"/referrals/{home.ids['team_referral']}" not in page  # sent to another partner
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
    draft = f"/beringen/team/rosters/{home.ids['draft']}"
    # fixed on the draft, whose grid opens at the session's own week (this week or the next)
    fixed = re.search(
        rf'href="{draft}\?week=(\d{{4}}-W\d\d)">Voorschools klasje beringen</a>', page
    )
    assert fixed, page
    this_week = date.today()
    assert fixed.group(1) in {
        week_key(this_week),
        week_key(this_week + timedelta(weeks=1)),
    }
    assert "1 worker missing" in page
    assert f'href="{draft}"' in page  # and the draft itself, not yet published
    team = f'href="/beringen/referrals/{home.ids["team_referral"]}">Referral from OCMW beringen'
    assert team in page  # sent to the team's employer: the team answers it
    assert f"/beringen/referrals/{home.ids['referral']}" not in page  # Kind en Gezin's own


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


@pytest.mark.parametrize(
    "role", [Role.STEWARD, Role.PARTNER_ADMIN, Role.SE_COORDINATOR, Role.SE_WORKER]
)
def test_the_home_page_costs_as_many_statements_with_many_things_waiting_as_with_one(app, role):
    home = build(app, "beringen")
    client = app.test_client()
    f.login(client, home.people[role])

    def statements() -> int:
        client.get("/beringen/dashboard")  # warm
        with f.counting(app) as sent:
            assert client.get("/beringen/dashboard").status_code == 200
        return len(sent)

    few = statements()
    more(app, home, 8)
    page = client.get("/beringen/dashboard?lang=en").get_data(as_text=True)
    assert "and 4 more" in page or role == Role.SE_WORKER  # five shown, the rest counted
    assert statements() == few


def test_a_coming_card_changed_today_is_among_the_changed_cards(app):
    from datetime import timedelta

    import time_machine

    from saas.today.team import changed_cards
    from saas.workforce.cards import edit_card, save_card
    from saas.workforce.models import WorkerProfile

    net = f.network(app, "beringen")
    worker_user = f.user(app, "fatma@team.example", (net, Role.SE_WORKER), name="Fatma")
    start = date.today() + timedelta(weeks=5)
    with app.app_context(), network_scope(net.id):
        worker = WorkerProfile(user_id=worker_user.id, skills="")
        db.session.add(worker)
        db.session.flush()
        with time_machine.travel(date.today() - timedelta(days=20)):
            card = save_card(worker, "g" * 91, start, "", None)
        db.session.commit()
        assert changed_cards().rows == []  # made weeks ago, starting in weeks: nothing new
        edit_card(worker, card, "o" * 91, start, None, None)
        db.session.commit()
        (changed,) = changed_cards().rows
        assert changed.worker == "Fatma" and changed.valid_from == start
