"""Callable factories: each opens its own app context, commits, and returns plain ids."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pyotp
from sqlalchemy import event, select

from saas.accounts import services as accounts
from saas.accounts import totp
from saas.accounts.models import SecondFactor
from saas.extensions import db
from saas.partners.models import Partner, PartnerState, Sector
from tenants.context import network_scope
from tenants.models import Membership, Network, Role

PASSWORD = "correct horse battery"
# The authenticator app every test platform admin has (the admin always needs two factors).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@dataclass
class Ref:
    id: int
    email: str = ""
    slug: str = ""
    name: str = ""


def network(app, slug: str, name: str | None = None) -> Ref:
    with app.app_context():
        n = Network(
            slug=slug, name=name or f"Huis van het Kind {slug.title()}", municipality=slug.title()
        )
        db.session.add(n)
        db.session.commit()
        return Ref(id=n.id, slug=slug, name=n.name)


def partner(
    app, net: Ref, name: str, sector: Sector = Sector.WELFARE, state=PartnerState.ACTIVE
) -> Ref:
    with app.app_context(), network_scope(net.id):
        p = Partner(
            name=name,
            sector=sector,
            contact_email=f"contact@{name.lower().replace(' ', '-')}.example",
            state=state,
        )
        db.session.add(p)
        db.session.commit()
        return Ref(id=p.id, name=name, email=p.contact_email)


def user(
    app,
    email: str,
    *grants: tuple,
    name: str = "Test Person",
    admin: bool = False,
    authenticator: bool | None = None,
) -> Ref:
    """grants: (network Ref, Role[, partner Ref]). `authenticator`: give the person an
    authenticator app with TOTP_SECRET (a platform admin has one unless told otherwise)."""
    with app.app_context():
        u = accounts.find_user(email) or accounts.create_user(
            email=email, name=name, password=PASSWORD
        )
        u.is_platform_admin = admin
        if authenticator if authenticator is not None else admin:
            db.session.add(
                SecondFactor(
                    user_id=u.id, kind="totp", label="Test app", totp_secret=totp.seal(TOTP_SECRET)
                )
            )
        db.session.commit()
        for grant in grants:
            net, role = grant[0], grant[1]
            part = grant[2] if len(grant) > 2 else None
            with network_scope(net.id):
                db.session.add(
                    Membership(user_id=u.id, role=role, partner_id=part.id if part else None)
                )
                db.session.commit()
        return Ref(id=u.id, email=email, name=name)


def login(client, who: Ref, password: str = PASSWORD):
    """Sign in; through the second step too when the person has an authenticator app."""
    response = client.post("/auth/login", data={"email": who.email, "password": password})
    assert response.status_code == 302, response.status_code
    if response.headers["Location"].endswith("/auth/second-factor"):
        response = client.post("/auth/second-factor", data={"code": fresh_code(client, who)})
        assert response.status_code == 302, response.status_code
    return response


def fresh_code(client, who: Ref) -> str:
    """The person's current TOTP code, made usable again: tests sign in more often than once
    per 30-second step, which the replay rule would refuse (tests/test_two_factor.py tests it)."""
    with client.application.app_context():
        factor = db.session.execute(
            select(SecondFactor).where(SecondFactor.user_id == who.id, SecondFactor.kind == "totp")
        ).scalar_one()
        factor.totp_last_step = None
        db.session.commit()
        return pyotp.TOTP(totp.unseal(factor.totp_secret)).now()


@contextmanager
def counting(app) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


__all__ = ["PASSWORD", "Ref", "Role", "counting", "login", "network", "partner", "user"]
