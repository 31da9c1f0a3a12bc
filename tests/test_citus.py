"""A schema Citus can distribute by network: every tenant table's keys include network_id, the
values found before the network is known live in global_keys, infra/citus/distribute.sql names
every table, and migration 0021 takes a database there and back without losing a row."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from saas.extensions import db
from saas.models_base import Base
from tenants import lookups
from tenants.context import network_scope
from tenants.lookups import GlobalKey
from tenants.models import Role
from tenants.scoping import tenant_models
from tests import factories as f

DISTRIBUTE_SQL = Path(__file__).parent.parent / "infra" / "citus" / "distribute.sql"
BEFORE = "0020_export_network_exports"


def _tenant_tables() -> set[str]:
    return {m.__table__.name for m in tenant_models(Base)}


# ---- infra/citus/distribute.sql --------------------------------------------------------------


def _calls(sql: str) -> list[tuple[str, str, str]]:
    """(function, table, rest of the arguments) of every SELECT in the file, in order."""
    found = re.findall(r"^SELECT (\w+)\('(\w+)'(.*?)\);", sql, flags=re.MULTILINE)
    return [(fn, table, rest) for fn, table, rest in found]


def test_distribute_sql_distributes_every_tenant_table_and_references_the_rest(app):
    calls = _calls(DISTRIBUTE_SQL.read_text(encoding="utf-8"))
    named = [table for _fn, table, _rest in calls]
    assert len(named) == len(set(named)), "a table is named twice"
    distributed = [t for fn, t, _r in calls if fn == "create_distributed_table"]
    reference = {t for fn, t, _r in calls if fn == "create_reference_table"}
    local = {t for fn, t, _r in calls if fn == "citus_add_local_table_to_metadata"}
    assert set(named) == {t.name for t in db.metadata.sorted_tables}, "every table, no other"
    assert set(distributed) == _tenant_tables()
    assert not _tenant_tables() & (reference | local)
    first = distributed[0]
    for fn, table, rest in calls:
        if fn == "create_distributed_table":
            assert rest.startswith(", 'network_id'"), table
            if table != first:
                assert f"colocate_with => '{first}'" in rest, f"{table} is not co-located"
    # a table is distributed after the tenant tables it points at; it points at no local table
    position = {table: i for i, table in enumerate(distributed)}
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_key_constraints:
            referred = fk.referred_table.name
            if table.name in position and referred in position and referred != table.name:
                assert position[referred] < position[table.name], f"{table.name} → {referred}"
            if table.name in position:
                assert referred not in local, f"{table.name} points at the local {referred}"
            if table.name in reference:
                assert referred in reference, f"reference {table.name} → {referred}"


# ---- the rule on the migrated PostgreSQL schema ------------------------------------------------

_WITHOUT_NETWORK = text(
    """
    SELECT con.contype, rel.relname, con.conname, pg_get_constraintdef(con.oid)
    FROM pg_constraint con
    JOIN pg_class rel ON rel.oid = con.conrelid
    LEFT JOIN pg_class ref ON ref.oid = con.confrelid
    WHERE rel.relnamespace = current_schema()::regnamespace
      AND rel.relname = ANY(:tenants)
      AND (con.contype IN ('p', 'u') OR (con.contype = 'f' AND ref.relname = ANY(:tenants)))
      AND NOT (
        SELECT attnum FROM pg_attribute WHERE attrelid = con.conrelid AND attname = 'network_id'
      ) = ANY(con.conkey)
    UNION ALL
    SELECT 'i', rel.relname, idx.relname, pg_get_indexdef(i.indexrelid)
    FROM pg_index i
    JOIN pg_class rel ON rel.oid = i.indrelid
    JOIN pg_class idx ON idx.oid = i.indexrelid
    WHERE i.indisunique AND rel.relnamespace = current_schema()::regnamespace
      AND rel.relname = ANY(:tenants)
      AND NOT (
        SELECT attnum FROM pg_attribute WHERE attrelid = i.indrelid AND attname = 'network_id'
      ) = ANY(i.indkey)
    """
)

# A tenant-to-tenant foreign key must match network_id with network_id, not just mention it.
_FOREIGN_KEYS = text(
    """
    SELECT rel.relname, con.conname,
           array_position(con.conkey, (SELECT attnum FROM pg_attribute
               WHERE attrelid = con.conrelid AND attname = 'network_id')),
           array_position(con.confkey, (SELECT attnum FROM pg_attribute
               WHERE attrelid = con.confrelid AND attname = 'network_id'))
    FROM pg_constraint con
    JOIN pg_class rel ON rel.oid = con.conrelid
    JOIN pg_class ref ON ref.oid = con.confrelid
    WHERE con.contype = 'f' AND rel.relname = ANY(:tenants) AND ref.relname = ANY(:tenants)
    """
)


def _violations(conn, tenants: list[str]) -> list[str]:
    found = [
        f"{table}: {name} {definition}"
        for _kind, table, name, definition in conn.execute(_WITHOUT_NETWORK, {"tenants": tenants})
    ]
    for table, name, own, referred in conn.execute(_FOREIGN_KEYS, {"tenants": tenants}):
        if own is None or own != referred:
            found.append(f"{table}: {name} does not match network_id with network_id")
    return found


def _primary_keys(conn, tenants: list[str]) -> dict[str, str]:
    rows = conn.execute(
        text(
            "SELECT rel.relname, pg_get_constraintdef(con.oid) FROM pg_constraint con "
            "JOIN pg_class rel ON rel.oid = con.conrelid "
            "WHERE con.contype = 'p' AND rel.relname = ANY(:tenants)"
        ),
        {"tenants": tenants},
    )
    return dict(rows.all())


def test_the_models_keep_the_network_in_every_unique_and_tenant_foreign_key(app):
    """The same rule on the models, so SQLite's schema (made from the same migrations) keeps it
    too, except the primary key, which SQLite must keep to (id) to number rows."""
    from sqlalchemy import UniqueConstraint

    tenants = _tenant_tables()
    missing = []
    for table in db.metadata.sorted_tables:
        if table.name not in tenants:
            continue
        uniques = [c for c in table.constraints if isinstance(c, UniqueConstraint)]
        uniques += [i for i in table.indexes if i.unique]
        for unique in uniques:
            if "network_id" not in unique.columns:
                missing.append(f"{table.name}: unique {list(unique.columns.keys())}")
        for fk in table.foreign_key_constraints:
            if fk.referred_table.name in tenants and "network_id" not in fk.column_keys:
                missing.append(f"{table.name}: foreign key {fk.column_keys}")
    assert missing == []


@pytest.mark.postgres
def test_every_tenant_key_unique_and_foreign_key_includes_the_network(app, environ):
    tenants = sorted(_tenant_tables())
    engine = create_engine(environ["DATABASE_ADMIN_URL"])
    try:
        with engine.connect() as conn:
            violations = _violations(conn, tenants)
            keys = _primary_keys(conn, tenants)
    finally:
        engine.dispose()
    assert violations == [], "Citus cannot distribute these:\n" + "\n".join(violations)
    assert keys == dict.fromkeys(tenants, "PRIMARY KEY (network_id, id)")


# ---- the global keys --------------------------------------------------------------------------


def _keys(app) -> set[tuple[str, str, int, int]]:
    with app.app_context():
        return set(
            db.session.execute(
                select(GlobalKey.kind, GlobalKey.value, GlobalKey.network_id, GlobalKey.row_id)
            ).all()
        )


def test_a_feed_token_is_a_global_key_while_it_exists(app):
    from saas.workforce import staff

    net = f.network(app, "beringen")
    other = f.network(app, "sint-truiden")
    worker_user = f.user(app, "werker@beringen.example", (net, Role.SE_WORKER))
    with app.app_context(), network_scope(net.id):
        worker = staff.add_worker(worker_user.id)
        first = staff.new_feed_token(worker)
        db.session.commit()
        worker_id = worker.id
    assert _keys(app) == {("feed_token", first, net.id, worker_id)}
    with app.app_context(), network_scope(net.id):
        worker = db.session.get(type(worker), worker_id)
        second = staff.renew_feed_token(worker)
        db.session.commit()
        assert staff.worker_by_feed_token(second).id == worker_id
        assert staff.worker_by_feed_token(first) is None
    assert _keys(app) == {("feed_token", second, net.id, worker_id)}
    with app.app_context(), network_scope(other.id):  # another network's address finds nothing
        assert staff.worker_by_feed_token(second) is None
        assert lookups.find("feed_token", second) == (net.id, worker_id)
    with app.app_context(), network_scope(net.id):
        db.session.delete(db.session.get(type(worker), worker_id))
        db.session.commit()
    assert _keys(app) == set()


def test_a_value_unique_on_the_platform_stays_unique_across_networks(app):
    from sqlalchemy.exc import IntegrityError

    from saas.workforce.models import WorkerProfile

    beringen = f.network(app, "beringen")
    sint_truiden = f.network(app, "sint-truiden")
    one = f.user(app, "een@beringen.example", (beringen, Role.SE_WORKER))
    two = f.user(app, "twee@sint-truiden.example", (sint_truiden, Role.SE_WORKER))
    with app.app_context(), network_scope(beringen.id):
        db.session.add(WorkerProfile(user_id=one.id, feed_token="same-token"))
        db.session.commit()
    with app.app_context(), network_scope(sint_truiden.id):
        db.session.add(WorkerProfile(user_id=two.id, feed_token="same-token"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


# ---- migration 0021 on the demo data -----------------------------------------------------------


def _snapshot(engine) -> dict[str, str]:
    """Every table's rows (as text, sorted, hashed) and a few joins on the composite keys."""
    with engine.connect() as conn:
        tables = [
            t
            for t in inspect(conn).get_table_names()
            if t not in ("alembic_version", "global_keys")
        ]
        found = {
            table: conn.exec_driver_sql(
                f"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') "
                f"FROM {table} t"
            ).scalar_one()
            for table in tables
        }
        joins = {
            "sessions of offers": "SELECT count(*) FROM sessions s JOIN offers o "
            "ON o.network_id = s.network_id AND o.id = s.offer_id",
            "referrals to partners": "SELECT count(*) FROM referrals r JOIN partners p "
            "ON p.network_id = r.network_id AND p.id = r.to_partner_id",
            "assignments": "SELECT count(*) FROM roster_assignments a "
            "JOIN sessions s ON s.network_id = a.network_id AND s.id = a.session_id "
            "JOIN worker_profiles w ON w.network_id = a.network_id AND w.id = a.worker_id",
            "memberships of people": "SELECT count(*) FROM memberships m "
            "JOIN users u ON u.id = m.user_id JOIN networks n ON n.id = m.network_id",
        }
        for name, sql in joins.items():
            found[name] = str(conn.exec_driver_sql(sql).scalar_one())
    return found


@pytest.fixture
def fresh_database(environ):
    """A database of its own (the migration changes the schema under every other test's feet)."""
    admin = make_url(environ["DATABASE_ADMIN_URL"])
    name = f"dorp_citus_{os.getpid()}"
    server = create_engine(admin.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield admin.set(database=name).render_as_string(hide_password=False)
    with server.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server.dispose()


@pytest.mark.postgres
def test_migration_takes_the_demo_data_there_and_back_without_losing_a_row(
    make_app, fresh_database
):
    """Migration 0021 on the demo networks: down to 0020 and up again, every row of every table
    the same, the composite keys in place and global_keys filled as the application fills it."""
    from flask_migrate import downgrade, upgrade

    from saas.demo import seed

    app = make_app(env={"DATABASE_URL": fresh_database, "DATABASE_ADMIN_URL": fresh_database})
    directory = app.extensions["migrate"].directory
    engine = create_engine(fresh_database)
    tenants = sorted(_tenant_tables())
    try:
        with app.app_context():
            upgrade(directory=directory, revision="heads")
            seed()
            db.session.commit()
        written = _keys(app)
        kinds = {kind for kind, *_ in written}
        assert kinds == {
            "api_token_prefix",
            "api_token_secret",
            "stripe_customer",
            "stripe_subscription",
            "feed_token",
        }
        with app.app_context():
            downgrade(directory=directory, revision=BEFORE)
            db.session.remove()
        before = _snapshot(engine)
        assert int(before["sessions"].split(":")[0]) > 100  # the demo is no toy
        with engine.connect() as conn:
            assert "global_keys" not in inspect(conn).get_table_names()
            assert set(_primary_keys(conn, tenants).values()) == {"PRIMARY KEY (id)"}
        with app.app_context():
            upgrade(directory=directory, revision="heads")
        assert _snapshot(engine) == before
        assert _keys(app) == written  # the migration fills them exactly as the rows do
        with engine.connect() as conn:
            assert _violations(conn, tenants) == []
            assert set(_primary_keys(conn, tenants).values()) == {"PRIMARY KEY (network_id, id)"}
    finally:
        engine.dispose()
        with app.app_context():
            db.engine.dispose()
