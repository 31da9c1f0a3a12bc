"""A process remembers a slug's network for a few seconds (tenants.access), so a calendar client's
conditional GET answers without the database; what this process commits about a network shows at
once, what another process commits within NETWORK_MEMORY_SECONDS, and a write always reads the
database."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, text

from saas.extensions import db
from saas.models_base import utcnow
from tenants import access
from tenants.models import Network, Role
from tests import factories as f
from tests.world import build_world


@pytest.fixture
def world(app):
    return build_world(app)


def _commit_here(app, which: str, **values) -> None:
    """A change committed by this process, through the ORM (as every Dorp write is)."""
    with app.app_context():
        network = db.session.query(Network).filter_by(slug=which).one()
        for key, value in values.items():
            setattr(network, key, value)
        db.session.commit()


def _commit_elsewhere(environ, sql: str) -> None:
    """A change another process committed: this process hears nothing of it."""
    engine = create_engine(environ["DATABASE_ADMIN_URL"])
    with engine.begin() as conn:
        conn.execute(text(sql))
    engine.dispose()


def test_a_closed_networks_page_answers_410_at_once(app, client, world):
    assert client.get("/beringen/").status_code == 200
    assert client.get("/beringen/agenda.ics").status_code == 200  # remembered now
    _commit_here(app, "beringen", closed_at=utcnow())
    assert client.get("/beringen/").status_code == 410
    assert client.get("/beringen/agenda.ics").status_code == 410
    assert client.get("/sint-truiden/").status_code == 200


def test_a_new_network_is_found_at_once(app, client, world):
    assert client.get("/nieuwdorp/").status_code == 404  # an unknown slug is never remembered
    f.network(app, "nieuwdorp")
    assert client.get("/nieuwdorp/").status_code == 200


def test_a_changed_slug_moves_at_once(app, client, world):
    assert client.get("/beringen/").status_code == 200
    _commit_here(app, "beringen", slug="beringen-noord")
    assert client.get("/beringen/").status_code == 404
    assert client.get("/beringen-noord/").status_code == 200


def test_another_process_change_shows_once_the_memory_lapses(app, environ, client, world):
    monkey = pytest.MonkeyPatch()
    try:
        assert client.get("/beringen/").status_code == 200
        _commit_elsewhere(
            environ, "UPDATE networks SET closed_at = CURRENT_TIMESTAMP WHERE slug = 'beringen'"
        )
        assert client.get("/beringen/").status_code == 200  # remembered: up to a few seconds
        monkey.setattr(access, "NETWORK_MEMORY_SECONDS", 0.0)
        access.forget_networks()  # what the clock does after NETWORK_MEMORY_SECONDS
        assert client.get("/beringen/").status_code == 410
        assert client.get("/beringen/").status_code == 410
    finally:
        monkey.undo()


def test_a_write_reads_the_network_from_the_database(app, environ, world):
    beringen, _ = world
    steward = app.test_client()
    f.login(steward, beringen.people[Role.STEWARD])
    assert steward.get("/beringen/network/settings").status_code == 200  # remembered as open
    _commit_elsewhere(
        environ, "UPDATE networks SET closed_at = CURRENT_TIMESTAMP WHERE slug = 'beringen'"
    )
    refused = steward.post(
        "/beringen/network/settings", data={"name": "Nieuw", "municipality": "X"}
    )
    assert refused.status_code == 403  # closed: read-only at once, whatever this process recalls


def test_a_remembered_network_costs_no_statement(app, client, world):
    first = client.get("/beringen/agenda.ics")
    tag = first.headers["ETag"]
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        again = client.get("/beringen/agenda.ics", headers={"If-None-Match": tag})
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert again.status_code == 304
    assert seen == []


def test_a_remembered_network_is_the_requests_own_copy(app, client, world):
    """Each request gets its own instance: what one request does to it reaches no other."""
    client.get("/beringen/")
    with app.test_request_context("/beringen/"):
        access.resolve_network("public.home", {"slug": "beringen"})
        from flask import g

        first = g.network
        first.settings["scribbled"] = True  # never committed: the settings are reassigned
    with app.test_request_context("/beringen/"):
        access.resolve_network("public.home", {"slug": "beringen"})
        from flask import g

        assert g.network is not first and "scribbled" not in (g.network.settings or {})
