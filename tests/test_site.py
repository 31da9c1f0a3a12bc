"""Health, language, demo data, the platform admin, and the families' page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from saas.catalogue.models import ActivitySession, Headcount, Location, Offer
from saas.extensions import db
from saas.partners.models import Partner
from tenants.context import all_networks, network_scope
from tenants.models import Membership, Network, Role
from tests import factories as f
from tests.conftest import free_port
from tests.demo_world import seeded_twice


def test_healthz_reports_database_redis_and_worker(app, client):
    report = client.get("/healthz")
    assert report.status_code == 200
    data = report.get_json()
    assert data["database"] == "ok" and data["redis"] == "ok"
    assert data["worker"] == "none running" and data["status"] == "degraded"


def test_healthz_with_redis_down_is_503(make_app, app):
    broken = make_app(env={"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["redis"].startswith("error")


def test_interface_is_dutch_by_default_and_english_on_request(app, client):
    assert "Aanmelden" in client.get("/auth/login").get_data(as_text=True)
    english = client.get("/auth/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Log in" in english
    client.get("/language/en")
    assert "Log in" in client.get("/auth/login").get_data(as_text=True)
    assert 'lang="en"' in client.get("/auth/login").get_data(as_text=True)


def test_users_language_preference_wins(app, client):
    net = f.network(app, "beringen")
    person = f.user(app, "en@beringen.example", (net, Role.STEWARD))
    with app.app_context():
        from saas.accounts.models import User

        db.session.get(User, person.id).language = "en"
        db.session.commit()
    f.login(client, person)
    assert "Partners of the network" in client.get("/beringen/network/partners").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    "today",
    [
        date(2027, 5, 10),  # the last school day before it is the bridge day after Ascension
        date(2027, 7, 1),  # the first school Thursday after the summer is the team's training day
        date(2026, 12, 24),
        date(2027, 2, 28),
    ],
    ids=str,
)
def test_the_demo_catalogue_fits_the_calendar_on_any_day(app, today):
    """Seeding the demo on any day of the year: every plan keeps a date, and nothing once-only
    lands on a day the team is closed (the seed then failed: "no dates left")."""
    from collections import defaultdict
    from types import SimpleNamespace

    from saas.catalogue.schedule import Exclusions, expand
    from saas.demo.catalogue import _data, load
    from saas.demo.dates import Calendar, bridge_days

    cal = Calendar.around(today)
    no_types, no_places = defaultdict(int), defaultdict(lambda: SimpleNamespace(id=0))
    holidays = tuple((first, last) for _code, _label, first, last in cal.holidays)
    for slug in ("beringen", "sint-truiden"):
        catalogue = load(slug, cal)
        closed = tuple(
            (first, last or first)
            for _label, first, last in [*catalogue.closures, *bridge_days(cal)]
        )
        for plan in catalogue.plans:
            data = _data(plan, cal, no_types, no_places)  # the offer the seed would save
            skipped = closed + (holidays if data.skip_school_holidays else ())
            with app.test_request_context():
                dates = expand(
                    start_date=data.start_date,
                    start_time=data.start_time,
                    end_time=data.end_time,
                    rule=data.rrule,
                    exclusions=Exclusions(public_holidays=True, periods=skipped),
                )
            assert dates, f"{slug}: {plan.key} has no date when seeded on {today}"


@pytest.mark.demo_world
def test_demo_seed_is_idempotent_and_complete(app):
    from saas.demo import PEOPLE

    first, second = seeded_twice(app)
    with app.app_context():
        assert first["networks"] == second["networks"] == 2
        assert second["partners"] == 0
        with all_networks():
            assert db.session.execute(select(func.count()).select_from(Network)).scalar_one() == 2
            partners = db.session.execute(select(func.count()).select_from(Partner)).scalar_one()
            assert partners == first["partners"] >= 30
            memberships = db.session.execute(
                select(func.count()).select_from(Membership)
            ).scalar_one()
            assert memberships == sum(len(grants) for *_rest, grants in PEOPLE)
            network_ids = db.session.execute(select(Network.id)).scalars().all()
        assert first["offers"] >= 20 and first["headcounts"] > first["offers"]
        assert second["offers"] == second["sessions"] == second["headcounts"] == 0
        for network_id in network_ids:  # each network's own catalogue, through its scope
            with network_scope(network_id):
                for model in (Location, Offer, ActivitySession, Headcount):
                    count = db.session.execute(
                        select(func.count(model.id)).where(model.network_id == network_id)
                    ).scalar_one()
                    assert count > 0, model.__name__
                from saas.referrals.models import Referral, Status

                states = set(db.session.execute(select(Referral.status).distinct()).scalars())
                assert states == set(Status), "demo referrals cover every state"
        assert second["referrals"] == 0
        assert first["notices"] > 0 and second["notices"] == 0
        with all_networks():
            from saas.notifications.models import Notification, OutboxMessage, OutboxState

            # a year of history is read and not e-mailed; a few notices are new, stewards
            # among them learn that a partner joined
            unread = db.session.execute(
                select(Notification.user_id, func.count())
                .where(Notification.read_at.is_(None))
                .group_by(Notification.user_id)
            ).all()
            assert unread and max(n for _user, n in unread) <= 10
            joined = db.session.execute(
                select(func.count()).where(
                    Notification.kind == "partner_joined", Notification.read_at.is_(None)
                )
            ).scalar_one()
            assert joined >= 2
            queued = select(func.count(OutboxMessage.id)).where(
                OutboxMessage.state != OutboxState.FAILED  # the job page's demo backlog
            )
            assert db.session.execute(queued).scalar_one() == 0
    client = app.test_client()
    client.post("/auth/login", data={"email": "coordinator@in-z.demo", "password": "dorp-demo"})
    home = client.get("/").get_data(as_text=True)
    assert "Huis van het Kind Beringen" in home and "Huis van het Kind Sint-Truiden" in home
    assert client.get("/sint-truiden/team/").status_code == 200
    catalogue = client.get("/beringen/catalogue/").get_data(as_text=True)
    assert "Voorschools klasje" in catalogue


def test_platform_admin_creates_a_network_with_a_steward(app, client, run_jobs, environ):
    admin = f.user(app, "admin@dorp.example", admin=True)
    f.login(client, admin)
    response = client.post(
        "/admin/networks",
        data={
            "name": "Huis van het Kind Genk",
            "slug": "genk",
            "municipality": "Genk",
            "default_language": "nl",
            "steward_email": "regie@genk.example",
        },
    )
    assert response.status_code == 302
    run_jobs()
    from tests.mail import links_in_mailbox

    assert links_in_mailbox(environ, "regie@genk.example", "/genk/invitation/")
    bad = client.post(
        "/admin/networks",
        data={
            "name": "X",
            "slug": "Genk!",
            "municipality": "Genk",
            "default_language": "nl",
            "steward_email": "a@b.example",
        },
    )
    assert bad.status_code == 422
    taken = client.post(
        "/admin/networks",
        data={
            "name": "Genk 2",
            "slug": "genk",
            "municipality": "Genk",
            "default_language": "nl",
            "steward_email": "a@b.example",
        },
    )
    assert taken.status_code == 422


def test_admin_pages_are_for_platform_admins_only(app, client):
    net = f.network(app, "beringen")
    steward = f.user(app, "regie@beringen.example", (net, Role.STEWARD))
    f.login(client, steward)
    assert client.get("/admin/networks").status_code == 404


def test_public_page_shows_active_partners_without_cookies(app, client):
    net = f.network(app, "beringen")
    f.partner(app, net, "Opvoedingswinkel")
    from saas.partners.models import PartnerState

    f.partner(app, net, "Nog niet actief", state=PartnerState.INVITED)
    response = client.get("/beringen/")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Opvoedingswinkel" in body and "Nog niet actief" not in body
    assert "Set-Cookie" not in response.headers
    assert "<script" not in body


def test_network_switcher_lists_every_network_of_the_person(app, client):
    a, b = f.network(app, "beringen"), f.network(app, "sint-truiden")
    person = f.user(
        app, "coordinator@in-z.example", (a, Role.SE_COORDINATOR), (b, Role.SE_COORDINATOR)
    )
    f.login(client, person)
    page = client.get("/beringen/dashboard").get_data(as_text=True)
    assert "/sint-truiden/dashboard" in page and "/beringen/dashboard" in page


def _switcher(client) -> list[str]:
    page = client.get("/beringen/dashboard").get_data(as_text=True)
    menu = (
        page.split('class="dorp-switcher"', 1)[1].split("</details>", 1)[0]
        if ('class="dorp-switcher"' in page)
        else ""
    )
    return re.findall(r'<a href="/([^/"]+)/dashboard"[^>]*>([^<]+)</a>', menu)


def test_the_switcher_is_kept_and_shows_a_change_on_the_next_page(app, client):
    a, b = f.network(app, "beringen"), f.network(app, "sint-truiden")
    c = f.network(app, "genk", name="Huis van het Kind Genk")
    person = f.user(app, "coordinator@in-z.example", (a, Role.STEWARD), (b, Role.STEWARD))
    f.login(client, person)
    assert [slug for slug, _name in _switcher(client)] == ["beringen", "sint-truiden"]
    with f.counting(app) as seen:
        _switcher(client)
    assert any("memberships" in s for s in seen)  # the page's own roles: always read
    assert not any("FROM networks JOIN memberships" in s for s in seen)  # from the cache
    f.user(app, "coordinator@in-z.example", (c, Role.STEWARD))  # a role in a third network
    assert [slug for slug, _n in _switcher(client)] == ["beringen", "genk", "sint-truiden"]
    with app.app_context():
        network = db.session.get(Network, c.id)
        network.name = "Huis van het Kind Genk-Centrum"
        db.session.commit()
    assert ("genk", "Huis van het Kind Genk-Centrum") in _switcher(client)
    with app.app_context(), network_scope(b.id):
        for membership in db.session.execute(select(Membership)).scalars():
            db.session.delete(membership)
        db.session.commit()
    assert [slug for slug, _n in _switcher(client)] == ["beringen", "genk"]
    with app.app_context():
        db.session.get(Network, c.id).is_active = False
        db.session.commit()
    assert _switcher(client) == []  # one network left: no switcher


def test_the_switcher_works_without_redis(app, client, monkeypatch):
    from redis import Redis

    from saas.extensions import cache

    a, b = f.network(app, "beringen"), f.network(app, "sint-truiden")
    person = f.user(app, "coordinator@in-z.example", (a, Role.STEWARD), (b, Role.STEWARD))
    f.login(client, person)
    with app.app_context():
        gone = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
        monkeypatch.setattr(cache.cache, "_read_client", gone)
        monkeypatch.setattr(cache.cache, "_write_client", gone)
    assert [slug for slug, _n in _switcher(client)] == ["beringen", "sint-truiden"]
    f.user(app, "coordinator@in-z.example", (f.network(app, "genk"), Role.STEWARD))
    assert [slug for slug, _n in _switcher(client)] == ["beringen", "genk", "sint-truiden"]


def _notice(app, network, person, subject="Nieuwe doorverwijzing") -> None:
    from saas.notifications.models import Notification

    with app.app_context(), network_scope(network.id):
        db.session.add(
            Notification(user_id=person.id, kind="referral_status", subject=subject, link="/")
        )
        db.session.commit()


def _badge(client, slug="beringen") -> str:
    page = client.get(f"/{slug}/dashboard?lang=en").get_data(as_text=True)
    return re.search(r">(Notifications[^<]*)</a>", page).group(1)


def test_the_unread_count_is_kept_and_shows_a_change_on_the_next_page(app, client):
    a, b = f.network(app, "beringen"), f.network(app, "sint-truiden")
    person = f.user(app, "regie@beringen.example", (a, Role.STEWARD), (b, Role.STEWARD))
    f.login(client, person)
    assert _badge(client) == "Notifications"
    _notice(app, a, person)
    _notice(app, a, person)
    assert _badge(client) == "Notifications (2)"
    with f.counting(app) as seen:
        assert _badge(client) == "Notifications (2)"
    assert not any("FROM notifications" in s for s in seen)  # read from the cache
    _notice(app, b, person)  # another network: its own count
    assert _badge(client) == "Notifications (2)"
    assert _badge(client, "sint-truiden") == "Notifications (1)"
    client.post("/beringen/notifications")  # one UPDATE marks them all read
    assert _badge(client) == "Notifications"
    assert _badge(client, "sint-truiden") == "Notifications (1)"


def test_roles_loaded_with_the_login_session_are_the_networks_own(app, client):
    a, b = f.network(app, "beringen"), f.network(app, "sint-truiden")
    person = f.user(app, "regie@beringen.example", (a, Role.STEWARD), (b, Role.MUNICIPALITY_VIEWER))
    f.login(client, person)
    with f.counting(app) as seen:
        assert client.get("/beringen/network/partners").status_code == 200
    assert not any(s.lstrip().startswith("SELECT memberships.") for s in seen)  # one statement
    assert client.get("/sint-truiden/network/partners").status_code == 403  # a viewer there
    assert client.get("/sint-truiden/municipality/").status_code == 200
    assert client.get("/beringen/municipality/").status_code == 200  # stewards see figures too
