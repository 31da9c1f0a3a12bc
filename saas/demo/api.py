"""Demo API tokens: each demo partner admin's organisation has one token in use, one expired and
one revoked, so the token page shows every state. The secrets are generated and thrown away:
they are shown nowhere (create your own token on the page to try the API)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from saas.accounts.models import User
from saas.api import services as tokens
from saas.api.models import ApiToken
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner, PartnerState
from tenants.models import Membership, Role

# (name, scopes, created days ago, valid days, last used days ago, revoked days ago)
PLAN = [
    (
        "Registratiesysteem (koppeling doorverwijzingen)",
        ["referrals:write", "offers:read", "partners:read", "notifications:read"],
        40,
        365,
        1,
        None,
    ),
    (
        "Sociale kaart van de stad",
        ["offers:read", "sessions:read", "partners:read"],
        200,
        90,
        115,
        None,
    ),
    ("Testkoppeling leverancier", ["offers:read"], 60, 365, 50, 45),
]


def seed_api_tokens(network) -> dict:
    if db.session.execute(select(ApiToken.id)).first() is not None:
        return {"api_tokens": 0}
    admins = db.session.execute(
        select(Membership)
        .join(Partner, Partner.id == Membership.partner_id)
        .where(Membership.role == Role.PARTNER_ADMIN, Partner.state == PartnerState.ACTIVE)
        .order_by(Membership.id)
    ).scalars()
    now = utcnow()
    created = 0
    for membership in admins:
        user = db.session.get(User, membership.user_id)
        if not user.email.endswith(".demo"):
            continue
        for name, scopes, days_ago, valid, used_ago, revoked_ago in PLAN:
            made = tokens.create(
                partner=membership.partner,
                user=user,
                name=name,
                scopes=scopes,
                days=valid,
                now=now - timedelta(days=days_ago),
            )
            token = made.token
            token.created_at = now - timedelta(days=days_ago)
            token.last_used_at = now - timedelta(days=used_ago, hours=3)
            if revoked_ago is not None:
                token.revoked_at = now - timedelta(days=revoked_ago)
            created += 1
    db.session.flush()
    return {"api_tokens": created}
