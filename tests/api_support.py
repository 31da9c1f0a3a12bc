"""Creating API tokens for tests, through the same service as the partner admin's page."""

from __future__ import annotations

from datetime import datetime

from saas.accounts.models import User
from saas.api import services as tokens
from saas.extensions import db
from saas.partners.models import Partner
from tenants.context import network_scope
from tenants.models import Role
from tests.world import NetworkCast

ALL_READ = ["offers:read", "sessions:read", "partners:read", "referrals:read", "notifications:read"]
ALL = tokens.all_scopes()


def token_for(
    app,
    cast: NetworkCast,
    scopes: list[str] | None = None,
    *,
    side: str = "a",
    days: int = 30,
    now: datetime | None = None,
) -> tuple[str, int]:
    """(secret, token id) for partner A's admin (side "a") or partner B's admin (side "b")."""
    person = cast.people[Role.PARTNER_ADMIN] if side == "a" else cast.colleague_b
    partner = cast.partner_a if side == "a" else cast.partner_b
    with app.test_request_context(), network_scope(cast.network.id):
        created = tokens.create(
            partner=db.session.get(Partner, partner.id),
            user=db.session.get(User, person.id),
            name=f"Systeem {side}",
            scopes=scopes if scopes is not None else ALL,
            days=days,
            now=now,
        )
        db.session.commit()
        return created.secret, created.token.id


def bearer(secret: str, **extra) -> dict:
    return {"Authorization": f"Bearer {secret}", **extra}
