"""Public pages, feeds and HSDS are cheap to serve again: a strong ETag and Last-Modified from the
network's public data version, 304 on a match, the body kept in Redis, and a change shows at once."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime as http_date

import pytest
from sqlalchemy import event

from saas.catalogue.models import Location, Offer
from saas.extensions import db
from saas.partners.models import Partner
from tenants.context import network_scope
from tenants.models import Network, Role
from tests import factories as f
from tests.world import build_world


@pytest.fixture
def world(app):
    return build_world(app)


def _rename(app, model, row_id: int, network_id: int, attribute: str, value: str) -> None:
    with app.app_context(), network_scope(network_id):
        setattr(db.session.get(model, row_id), attribute, value)
        db.session.commit()


# (url, what to change: model, which row, attribute, new text that must then show)
def _routes(beringen):
    offer, partner, place = beringen.offer_id, beringen.partner_b.id, beringen.location_id
    net = beringen.network.id
    title = (Offer, offer, "title", "Zwemles")
    return {
        "home": ("/beringen/", (Network, net, "name", "Dorp Beringen-Noord")),
        "activity": (f"/beringen/activity/{offer}", title),
        "agenda": ("/beringen/agenda.ics", title),
        "activity_feed": (f"/beringen/activity/{offer}.ics", title),
        "partner_feed": (f"/beringen/partners/{partner}/agenda.ics", title),
        "flyer": ("/beringen/flyer?period=month&from=2027-03-01", title),
        "hsds_root": ("/beringen/hsds/", (Network, net, "name", "Dorp Beringen-Noord")),
        "hsds_services": ("/beringen/hsds/services", title),
        "hsds_service_at_locations": ("/beringen/hsds/service_at_locations", title),
        "hsds_organizations": (
            "/beringen/hsds/organizations",
            (Partner, partner, "name", "Basisschool De Klimop"),
        ),
        "hsds_locations": ("/beringen/hsds/locations", (Location, place, "name", "Het Dorpshuis")),
    }


ROUTES = [
    "home",
    "activity",
    "agenda",
    "activity_feed",
    "partner_feed",
    "flyer",
    "hsds_root",
    "hsds_services",
    "hsds_service_at_locations",
    "hsds_organizations",
    "hsds_locations",
]


class Statements:
    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.seen: list[str] = []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, conn, cursor, statement, *args):
        self.seen.append(statement)


def _catalogue_sql(statements: list[str]) -> list[str]:
    return [s for s in statements if "FROM sessions" in s or "FROM offers" in s]


@pytest.mark.parametrize("name", ROUTES)
def test_a_repeat_is_304_and_a_change_shows_at_once(app, client, world, name):
    beringen, _ = world
    url, (model, row_id, attribute, value) = _routes(beringen)[name]
    first = client.get(url)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert tag.startswith('"') and not tag.startswith("W/")  # strong
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert {"Accept-Language", "Cookie"} <= set(first.vary)
    assert first.last_modified is not None
    assert value not in first.get_data(as_text=True)

    with Statements(app) as sql:
        again = client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == tag
    assert not _catalogue_sql(sql.seen)  # nothing rendered again

    with Statements(app) as sql:
        repeat = client.get(url)  # no validator: the kept body, byte for byte
    assert repeat.status_code == 200 and repeat.get_data() == first.get_data()
    assert repeat.headers["Content-Type"] == first.headers["Content-Type"]
    assert not _catalogue_sql(sql.seen)

    _rename(app, model, row_id, beringen.network.id, attribute, value)
    changed = client.get(url, headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != tag
    assert value in changed.get_data(as_text=True)
    assert client.get(url, headers={"If-None-Match": changed.headers["ETag"]}).status_code == 304


def test_feeds_keep_their_type_and_name_from_the_cache(client, world):
    first = client.get("/beringen/agenda.ics")
    again = client.get("/beringen/agenda.ics")
    for response in (first, again):
        assert response.mimetype == "text/calendar"
        assert response.headers["Content-Disposition"] == 'inline; filename="beringen.ics"'


def test_hsds_stays_open_to_everyone_on_a_304(client, world):
    first = client.get("/beringen/hsds/services")
    again = client.get("/beringen/hsds/services", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "header",
    [
        lambda tag: f"W/{tag}",  # a weak tag matches weakly
        lambda tag: f'"other", {tag}',  # a list
        lambda tag: f'W/"x",W/{tag} , "y"',
        lambda tag: "*",
    ],
)
def test_if_none_match_is_compared_weakly_with_lists(client, world, header):
    first = client.get("/beringen/")
    assert client.get("/beringen/", headers={"If-None-Match": header(first.headers["ETag"])}) \
        .status_code == 304  # fmt: skip


@pytest.mark.parametrize(
    "headers",
    [
        {"If-None-Match": "garbage"},
        {"If-None-Match": '"unterminated'},
        {"If-None-Match": ",,, W/"},
        {"If-None-Match": "\x00\x01"},
        {"If-None-Match": '"' + "a" * 10_000 + '"'},
        {"If-Modified-Since": "yesterday"},
        {"If-Modified-Since": "Thu, 99 Foo 2026 99:99:99 GMT"},
        {"If-Modified-Since": "Sat, 01 Jan 10000 00:00:00 GMT"},
        {"If-Modified-Since": ""},
        {"If-None-Match": "", "If-Modified-Since": "garbage"},
    ],
)
@pytest.mark.parametrize("url", ["/beringen/", "/beringen/agenda.ics", "/beringen/hsds/services"])
def test_malformed_conditional_headers_get_the_page(client, world, headers, url):
    response = client.get(url, headers=headers)
    assert response.status_code == 200 and response.get_data()


def test_if_modified_since_gives_304_only_without_if_none_match(client, world):
    first = client.get("/beringen/flyer")
    later = http_date(first.last_modified + timedelta(seconds=1), usegmt=True)
    earlier = http_date(first.last_modified - timedelta(days=1), usegmt=True)
    assert client.get("/beringen/flyer", headers={"If-Modified-Since": later}).status_code == 304
    assert client.get("/beringen/flyer", headers={"If-Modified-Since": earlier}).status_code == 200
    both = {"If-Modified-Since": later, "If-None-Match": '"not-this-one"'}
    assert client.get("/beringen/flyer", headers=both).status_code == 200


def test_last_modified_follows_the_change(app, client, world):
    beringen, _ = world
    first = client.get("/beringen/hsds/locations")
    before = datetime.now(UTC).replace(microsecond=0)
    _rename(app, Location, beringen.location_id, beringen.network.id, "name", "Het Dorpshuis")
    after = client.get("/beringen/hsds/locations")
    assert after.last_modified >= before >= first.last_modified - timedelta(seconds=1)


def test_each_language_and_query_has_its_own_tag_and_body(client, world):
    nl = client.get("/beringen/?lang=nl")
    en = client.get("/beringen/?lang=en")
    assert nl.headers["ETag"] != en.headers["ETag"] and nl.get_data() != en.get_data()
    plain = client.get("/beringen/")
    assert "What is on" not in plain.text
    by_header = client.get("/beringen/", headers={"Accept-Language": "en"})
    assert "What is on" in by_header.text and by_header.headers["ETag"] != plain.headers["ETag"]
    client.set_cookie("dorp_lang", "en")
    by_cookie = client.get("/beringen/", headers={"If-None-Match": plain.headers["ETag"]})
    assert by_cookie.status_code == 200 and "What is on" in by_cookie.text
    filtered = client.get("/beringen/?day=1")
    assert filtered.headers["ETag"] != client.get("/beringen/?day=2").headers["ETag"]


def test_a_change_in_another_network_keeps_this_ones_tag(app, client, world):
    _, sint_truiden = world
    first = client.get("/beringen/agenda.ics")
    _rename(app, Offer, sint_truiden.offer_id, sint_truiden.network.id, "title", "Zwemles")
    again = client.get("/beringen/agenda.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    theirs = client.get(
        "/sint-truiden/agenda.ics", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert theirs.status_code == 200 and "Zwemles" in theirs.text
    assert "Zwemles" not in client.get("/beringen/agenda.ics").text


def test_a_rolled_back_change_keeps_the_tag(app, client, world):
    beringen, _ = world
    first = client.get("/beringen/agenda.ics")
    with app.app_context(), network_scope(beringen.network.id):
        db.session.get(Offer, beringen.offer_id).title = "Zwemles"
        db.session.flush()
        db.session.rollback()
    assert client.get("/beringen/agenda.ics", headers={"If-None-Match": first.headers["ETag"]}) \
        .status_code == 304  # fmt: skip


def test_a_signed_in_person_gets_a_private_page(app, client, world):
    beringen, _ = world
    f.login(client, beringen.people[Role.STEWARD])
    page = client.get("/beringen/")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-cache"
    assert "ETag" not in page.headers
    assert beringen.people[Role.STEWARD].name in page.text
    anonymous = app.test_client().get("/beringen/")
    assert beringen.people[Role.STEWARD].name not in anonymous.text


def test_errors_are_not_kept(client, world):
    missing = client.get("/beringen/activity/999999")
    assert missing.status_code == 404 and "ETag" not in missing.headers
    star = client.get("/beringen/activity/999999", headers={"If-None-Match": "*"})
    assert star.status_code == 404
    bad = client.get("/beringen/hsds/services?nonsense=1", headers={"If-None-Match": "*"})
    assert bad.status_code == 400


def test_a_lost_redis_version_comes_back_larger(app, client, world):
    from redis import Redis

    first = client.get("/beringen/agenda.ics")
    Redis.from_url(app.config["REDIS_URL"]).flushdb()
    again = client.get("/beringen/agenda.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]


def test_without_redis_the_pages_are_rendered(app, client, world, monkeypatch):
    from redis import Redis

    from saas.extensions import cache

    with app.app_context():
        backend = cache.cache
        gone = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
        monkeypatch.setattr(backend, "_read_client", gone)
        monkeypatch.setattr(backend, "_write_client", gone)
    response = client.get("/beringen/agenda.ics", headers={"If-None-Match": "*"})
    assert response.status_code == 200 and "ETag" not in response.headers


def test_a_flood_of_changes_shows_each_one(app, client, world):
    beringen, _ = world
    tag = client.get("/beringen/agenda.ics").headers["ETag"]
    for n in range(15):
        _rename(app, Offer, beringen.offer_id, beringen.network.id, "title", f"Zwemles {n}")
        response = client.get("/beringen/agenda.ics", headers={"If-None-Match": tag})
        assert response.status_code == 200 and f"Zwemles {n}" in response.text
        tag = response.headers["ETag"]
        assert client.get("/beringen/agenda.ics", headers={"If-None-Match": tag}).status_code == 304


def _a_step_later(monkeypatch) -> None:
    import blueprints.conditional as conditional

    now = time.time

    class Later:
        @staticmethod
        def time() -> float:
            return now() + conditional.STEP_SECONDS

    monkeypatch.setattr(conditional, "time", Later)


def test_while_a_new_step_is_worked_out_the_others_get_the_last_one(
    app, client, world, monkeypatch
):
    import blueprints.conditional as conditional

    beringen, _ = world
    url = "/beringen/agenda.ics"
    first = client.get(url)
    tag = first.headers["ETag"]
    _a_step_later(monkeypatch)
    monkeypatch.setattr(conditional.caching, "claim", lambda key, seconds: False)  # taken

    with Statements(app) as sql:
        during = client.get(url)
    assert during.status_code == 200 and during.headers["ETag"] == tag
    assert during.get_data() == first.get_data() and not _catalogue_sql(sql.seen)
    assert during.headers["Content-Type"] == first.headers["Content-Type"]
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 304

    # a change to the data is never hidden behind the last step's answer
    _rename(app, Offer, beringen.offer_id, beringen.network.id, "title", "Zwemles")
    changed = client.get(url)
    assert changed.status_code == 200 and "Zwemles" in changed.text
    assert changed.headers["ETag"] != tag


def test_a_new_step_is_worked_out_by_the_request_that_claims_it_and_then_let_go(
    app, client, world, monkeypatch
):
    from saas import caching

    beringen, _ = world
    url = "/beringen/agenda.ics"
    tag = client.get(url).headers["ETag"]
    _a_step_later(monkeypatch)
    claimed = []
    claim = caching.claim
    monkeypatch.setattr(caching, "claim", lambda key, s: claimed.append(key) or claim(key, s))
    with Statements(app) as sql:
        later = client.get(url)
    assert later.status_code == 200 and later.headers["ETag"] != tag and _catalogue_sql(sql.seen)
    assert claimed == [f"public-rendering:{beringen.network.id}:{later.headers['ETag'][1:-1]}"]
    with app.app_context():
        assert claim(claimed[0], 5)  # let go once the answer was kept
    assert client.get(url).headers["ETag"] == later.headers["ETag"]
