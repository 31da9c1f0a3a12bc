"""Lock 1, on every backend: the ORM only sees and writes the current network's rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from saas.extensions import db
from saas.partners.models import Partner, Sector
from tenants.context import all_networks, network_scope
from tenants.models import Membership
from tenants.scoping import TenantViolation
from tests.world import build_world


def test_queries_see_only_the_current_network(app):
    beringen, sint_truiden = build_world(app)
    with app.app_context(), network_scope(beringen.network.id):
        names = set(db.session.execute(select(Partner.name)).scalars())
        assert names == {beringen.partner_a.name, beringen.partner_b.name}
        assert (
            db.session.execute(
                select(Partner).where(Partner.id == sint_truiden.partner_a.id)
            ).first()
            is None
        )
        # relationship and join loads are scoped too
        rows = db.session.execute(
            select(Membership).join(Partner, Membership.partner_id == Partner.id)
        ).scalars()
        assert all(m.network_id == beringen.network.id for m in rows)


def test_a_statement_built_once_is_scoped_to_each_network_it_runs_in(app):
    """Prebuilt statements are scoped once per network and the scoped copy kept: running one
    under Beringen, then Sint-Truiden, then with no network must each see their own rows."""
    from sqlalchemy import bindparam

    beringen, sint_truiden = build_world(app)
    names = select(Partner.name).where(Partner.name != bindparam("not_this")).order_by(Partner.id)
    seen = {}
    with app.app_context():
        for _ in range(2):  # the second round runs the kept copies
            for world in (beringen, sint_truiden):
                with network_scope(world.network.id):
                    seen[world.network.id] = set(
                        db.session.execute(names, {"not_this": ""}).scalars()
                    )
                    assert seen[world.network.id] == {world.partner_a.name, world.partner_b.name}
            assert db.session.execute(names, {"not_this": ""}).all() == []
            db.session.rollback()


def test_without_a_network_tenant_queries_see_nothing(app):
    build_world(app)
    with app.app_context():
        assert db.session.execute(select(Partner)).all() == []
        with all_networks():
            assert len(db.session.execute(select(Partner)).all()) == 4


def test_bulk_update_cannot_reach_another_network(app):
    beringen, sint_truiden = build_world(app)
    with app.app_context(), network_scope(beringen.network.id):
        db.session.execute(update(Partner).values(description="changed"))
        db.session.commit()
    with app.app_context(), network_scope(sint_truiden.network.id):
        assert set(db.session.execute(select(Partner.description)).scalars()) == {""}


def test_new_rows_take_the_current_network(app):
    beringen, _st = build_world(app)
    with app.app_context(), network_scope(beringen.network.id):
        p = Partner(name="Nieuwe partner", sector=Sector.HEALTH, contact_email="n@p.example")
        db.session.add(p)
        db.session.commit()
        assert p.network_id == beringen.network.id


def test_writing_a_row_into_another_network_is_refused(app):
    beringen, sint_truiden = build_world(app)
    with app.app_context(), network_scope(beringen.network.id):
        db.session.add(
            Partner(
                name="Indringer",
                sector=Sector.HEALTH,
                contact_email="i@p.example",
                network_id=sint_truiden.network.id,
            )
        )
        with pytest.raises(TenantViolation):
            db.session.flush()
        db.session.rollback()


def test_creating_a_tenant_row_without_a_network_is_refused(app):
    with app.app_context():
        db.session.add(Partner(name="Zwerver", sector=Sector.HEALTH, contact_email="z@p.example"))
        with pytest.raises(TenantViolation):
            db.session.flush()
        db.session.rollback()


def test_leaving_a_network_after_a_failed_write_does_not_raise_again(app):
    """A request whose write failed (the database went away, a constraint) leaves its network in
    the teardown; that must not raise a second error from the spoilt transaction."""
    from sqlalchemy.exc import IntegrityError, PendingRollbackError

    from tenants import context

    beringen, _ = build_world(app)
    with app.app_context():
        context.set_network(beringen.network.id)
        db.session.add(Partner(name=None, sector=Sector.WELFARE, contact_email="x@y.example"))
        with pytest.raises(IntegrityError):
            db.session.flush()
        with pytest.raises(PendingRollbackError):
            db.session.connection()  # the transaction is spoilt
        context.clear()  # the teardown: no second error
        db.session.rollback()
