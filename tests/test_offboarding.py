"""Offboarding (issue #22.5): the platform admin closes a network: read-only at once, a final
export for its stewards, the families' pages gone (410), and every row deleted after the grace
period by the periodic job, unless it is reopened first. The other network is untouched."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, text

from saas.extensions import db
from saas.models_base import utcnow
from saas.portability.tables import tenant_tables
from tenants.models import Network, Role
from tests import factories as f
from tests.confirm_support import ask, confirmed
from tests.mail import links_in_mailbox
from tests.world import build_world


def _admin(app):
    admin = f.user(app, "platform@dorp.example", admin=True, name="Platformbeheer")
    client = app.test_client()
    f.login(client, admin)
    return client


def _network(app, slug: str) -> Network:
    with app.app_context():
        network = db.session.execute(select(Network).where(Network.slug == slug)).scalar_one()
        db.session.expunge(network)
        return network


def _rows_per_table(environ, network_id: int) -> dict[str, int]:
    """As the table owner, past row-level security: what is really left."""
    engine = create_engine(environ["DATABASE_ADMIN_URL"])
    with engine.connect() as conn:
        counts = {
            t.name: conn.execute(
                text(f"SELECT count(*) FROM {t.name} WHERE network_id = :n"), {"n": network_id}
            ).scalar_one()
            for t in tenant_tables()
        }
    engine.dispose()
    return counts


def test_closing_asks_first_then_makes_the_network_read_only_and_gone_for_families(
    app, environ, run_jobs
):
    beringen, _ = build_world(app)
    admin = _admin(app)
    url = f"/admin/networks/{beringen.network.id}/close"
    first = ask(admin, url)
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and "confirm_token" in page
    assert "alleen-lezen" in page and "30 dagen" in page and "heropenen" in page
    assert _network(app, "beringen").closed_at is None  # nothing before the second step

    assert confirmed(admin, url).status_code == 302
    network = _network(app, "beringen")
    assert network.closed_at is not None
    assert network.delete_after - network.closed_at == timedelta(days=30)

    families = app.test_client()
    gone = families.get("/beringen/")
    assert gone.status_code == 410
    assert "staat niet meer op Dorp" in gone.get_data(as_text=True)
    assert families.get("/beringen/agenda.ics").status_code == 410
    assert families.get("/sint-truiden/").status_code == 200  # the other network is untouched

    steward = app.test_client()
    f.login(steward, beringen.people[Role.STEWARD])
    refused = steward.post(
        "/beringen/network/settings", data={"name": "Nieuw", "municipality": "X"}
    )
    assert refused.status_code == 403 and "Dit netwerk is gesloten" in refused.get_data(
        as_text=True
    )
    assert _network(app, "beringen").name != "Nieuw"
    assert "Dit netwerk is gesloten" in steward.get("/beringen/dashboard").get_data(as_text=True)

    run_jobs()  # the final export, e-mailed to its stewards
    links = links_in_mailbox(environ, beringen.people[Role.STEWARD].email, "/download/")
    assert len(links) == 1
    assert steward.get(links[0].removeprefix("http://localhost")).status_code == 200
    # a steward can still take the data along while the network is closed
    assert steward.post("/beringen/network/export", data={}).status_code == 303


def test_the_last_open_network_cannot_be_closed(app):
    beringen, sint_truiden = build_world(app)
    admin = _admin(app)
    assert confirmed(admin, f"/admin/networks/{sint_truiden.network.id}/close").status_code == 302
    refused = admin.post(f"/admin/networks/{beringen.network.id}/close", follow_redirects=True)
    assert "laatste open netwerk" in refused.get_data(as_text=True)
    assert _network(app, "beringen").closed_at is None


def test_reopening_during_the_grace_period_gives_everything_back(app):
    beringen, _ = build_world(app)
    admin = _admin(app)
    confirmed(admin, f"/admin/networks/{beringen.network.id}/close")
    assert app.test_client().get("/beringen/").status_code == 410
    assert admin.post(f"/admin/networks/{beringen.network.id}/reopen").status_code == 302
    assert _network(app, "beringen").closed_at is None
    assert app.test_client().get("/beringen/").status_code == 200
    with app.app_context():
        from saas.audit.models import AuditEvent
        from tenants.context import network_scope

        with network_scope(beringen.network.id):
            actions = db.session.execute(select(AuditEvent.action)).scalars().all()
    assert {"network.closed", "network.reopened"} <= set(actions)


def test_after_the_grace_period_no_row_of_the_network_remains(app, environ, run_jobs):
    """On both backends; on PostgreSQL the job runs as the application role under row-level
    security, and the check reads as the owner."""
    from workers.export_jobs import delete_closed_networks

    beringen, sint_truiden = build_world(app)
    admin = _admin(app)
    confirmed(admin, f"/admin/networks/{beringen.network.id}/close")
    run_jobs()  # the final export is built: its file and row exist too
    before = _rows_per_table(environ, beringen.network.id)
    other_before = _rows_per_table(environ, sint_truiden.network.id)
    assert sum(1 for n in before.values() if n) >= 15, before  # a network with real content

    with app.app_context():
        assert delete_closed_networks() == {}  # still in its grace period
    assert _rows_per_table(environ, beringen.network.id) == before

    with app.app_context():
        network = db.session.get(Network, beringen.network.id)
        network.delete_after = utcnow() - timedelta(minutes=1)
        db.session.commit()
        deleted = delete_closed_networks()
    assert deleted[beringen.network.id] == sum(before.values())
    assert set(_rows_per_table(environ, beringen.network.id).values()) == {0}
    assert _rows_per_table(environ, sint_truiden.network.id) == other_before
    gone = _network(app, "beringen")
    assert gone.purged_at is not None and not gone.is_active
    assert app.test_client().get("/beringen/").status_code == 404
    assert app.test_client().get("/sint-truiden/").status_code == 200
    assert admin.post(f"/admin/networks/{beringen.network.id}/reopen").status_code == 302
    assert _network(app, "beringen").closed_at is not None  # too late to reopen
    with app.app_context():
        assert delete_closed_networks() == {}  # running it again does nothing


def test_only_the_platform_admin_closes_or_reopens(app):
    beringen, sint_truiden = build_world(app)
    for role in Role:
        client = app.test_client()
        f.login(client, beringen.people[role])
        for action in ("close", "reopen"):
            response = client.post(f"/admin/networks/{beringen.network.id}/{action}")
            assert response.status_code == 404, (role, action)
    assert app.test_client().post(
        f"/admin/networks/{sint_truiden.network.id}/close"
    ).status_code in (302, 401)
    assert _network(app, "beringen").closed_at is None
    assert _network(app, "sint-truiden").closed_at is None


@pytest.mark.parametrize("network_id", [0, 999999, 2**31 - 1])
def test_closing_a_network_that_does_not_exist_is_a_404(app, network_id):
    build_world(app)
    assert _admin(app).post(f"/admin/networks/{network_id}/close").status_code == 404


def test_a_forged_confirmation_closes_nothing(app):
    beringen, _ = build_world(app)
    admin = _admin(app)
    response = admin.post(
        f"/admin/networks/{beringen.network.id}/close", data={"confirm_token": "forged"}
    )
    assert response.status_code == 400
    assert _network(app, "beringen").closed_at is None
