"""Lock 2: PostgreSQL row-level security under the application role."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from saas.extensions import db
from saas.models_base import Base
from tenants.context import all_networks, network_scope
from tenants.scoping import tenant_models
from tests import factories as f
from tests.world import build_world

pytestmark = pytest.mark.postgres


def _owner(environ):
    return create_engine(environ["DATABASE_ADMIN_URL"])


def test_every_tenant_table_has_rls_enabled_and_forced(app, environ):
    tables = {m.__table__.name for m in tenant_models(Base)}
    assert {"partners", "memberships", "invitations", "audit_events"} <= tables
    engine = _owner(environ)
    with engine.connect() as conn:
        rows = dict(
            (name, (enabled, forced))
            for name, enabled, forced in conn.execute(
                text(
                    "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                    "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
                )
            )
        )
        policies = {
            r[0]
            for r in conn.execute(
                text("SELECT tablename FROM pg_policies WHERE schemaname = 'public'")
            )
        }
    engine.dispose()
    for table in tables:
        assert rows[table] == (True, True), f"{table}: RLS enabled/forced = {rows[table]}"
        assert table in policies, f"{table} has no policy"


def test_app_role_is_powerless(app, environ):
    role = make_url(environ["DATABASE_URL"]).username
    engine = _owner(environ)
    with engine.connect() as conn:
        superuser, bypass, createrole, createdb = conn.execute(
            text(
                "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = :r"
            ),
            {"r": role},
        ).one()
        owned = conn.execute(
            text("SELECT count(*) FROM pg_tables WHERE tableowner = :r"), {"r": role}
        ).scalar_one()
    engine.dispose()
    assert (superuser, bypass, createrole, createdb) == (False, False, False, False)
    assert owned == 0
    with app.app_context():
        assert db.session.execute(text("SELECT current_user")).scalar_one() == role


def test_raw_sql_under_one_network_sees_nothing_of_the_other(app):
    beringen, sint_truiden = build_world(app)
    with app.app_context(), network_scope(beringen.network.id):
        for table in ("partners", "memberships", "invitations"):
            other = db.session.execute(
                text(f"SELECT count(*) FROM {table} WHERE network_id = :n"),
                {"n": sint_truiden.network.id},
            ).scalar_one()
            own = db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            assert other == 0, table
            assert own > 0, table


def test_raw_sql_cannot_write_into_another_network(app):
    beringen, sint_truiden = build_world(app)
    with app.app_context(), network_scope(beringen.network.id):
        updated = db.session.execute(
            text("UPDATE partners SET name = 'hacked' WHERE network_id = :n"),
            {"n": sint_truiden.network.id},
        ).rowcount
        assert updated == 0
        with pytest.raises(Exception, match="row-level security"):
            db.session.execute(
                text(
                    "INSERT INTO partners (network_id, name, sector, contact_email, state, description, "
                    "address, phone, website, languages, created_at) VALUES (:n, 'x', 'welfare', "
                    "'x@y.example', 'active', '', '', '', '', '[]', now())"
                ),
                {"n": sint_truiden.network.id},
            )
        db.session.rollback()


def test_no_network_sees_no_tenant_rows(app):
    build_world(app)
    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM partners")).scalar_one() == 0
        with all_networks():
            assert db.session.execute(text("SELECT count(*) FROM partners")).scalar_one() > 0


def test_pooled_connection_forgets_the_network_after_a_request(make_app, app):
    beringen, _st = build_world(app)
    single = make_app({"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0}})
    client = single.test_client()
    f.login(client, beringen.people[f.Role.STEWARD])
    assert client.get("/beringen/network/partners").status_code == 200
    with single.app_context():
        engine = db.engine
        assert engine.pool.size() == 1
        seen = db.session.execute(text("SELECT count(*) FROM partners")).scalar_one()
        setting = db.session.execute(
            text("SELECT current_setting('app.network_id', true)")
        ).scalar_one()
    assert seen == 0
    assert setting in ("", None)
    # and a request without a network, on that same single connection, sees nothing either
    assert client.get("/healthz").status_code in (200, 503)
    with single.app_context():
        assert db.session.execute(text("SELECT count(*) FROM memberships")).scalar_one() == 0


def _raw_partner_count(network_id: int) -> int:
    return db.session.execute(
        text("SELECT count(*) FROM partners WHERE network_id = :n"), {"n": network_id}
    ).scalar_one()


def test_the_network_lookup_sets_the_network_in_the_same_statement(make_app, app):
    """A network page's first statement finds the network and tells PostgreSQL; no separate
    set_config follows, and the request's raw reads see that network and only that one."""
    beringen, sint_truiden = build_world(app)
    seen: dict[str, int] = {}
    probe = make_app()  # a route of its own, on an app that has not served yet

    @probe.get("/<slug>/_rls_probe")
    def _rls_probe():
        seen["own"] = _raw_partner_count(beringen.network.id)
        seen["other"] = _raw_partner_count(sint_truiden.network.id)
        return "ok"

    with f.counting(probe) as statements:
        assert probe.test_client().get("/beringen/_rls_probe").status_code == 200
    assert seen["own"] > 0 and seen["other"] == 0
    lookups = [s for s in statements if "FROM networks" in s]
    assert len(lookups) == 1 and "set_config" in lookups[0]
    assert not [s for s in statements if s.lstrip().startswith("SELECT set_config")]


def test_a_rolled_back_savepoint_does_not_leave_a_stale_network(app):
    """set_config inside a savepoint is undone by its rollback; the next change of network
    must be said to PostgreSQL again, not skipped as already said."""
    from tenants import context

    beringen, sint_truiden = build_world(app)
    with app.app_context(), network_scope(beringen.network.id):
        assert _raw_partner_count(beringen.network.id) > 0  # the transaction is on Beringen
        savepoint = db.session.begin_nested()
        context.set_network(sint_truiden.network.id)
        assert _raw_partner_count(sint_truiden.network.id) > 0
        savepoint.rollback()  # PostgreSQL is back on Beringen here
        context.set_network(sint_truiden.network.id)
        assert _raw_partner_count(sint_truiden.network.id) > 0
        assert _raw_partner_count(beringen.network.id) == 0
        db.session.rollback()
