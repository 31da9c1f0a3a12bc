"""Demo API tokens: each demo partner admin's organisation has one token in use, one expired and
one revoked, so the token page shows every state. The secrets are generated and thrown away:
they are shown nowhere (create your own token on the page to try the API). The tokens are data
(data/api-tokens.yaml)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from saas.accounts.models import User
from saas.api import services as tokens
from saas.api.models import ApiToken
from saas.demo.datafiles import read_yaml
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner, PartnerState
from tenants.models import Membership, Network, Role

TOKENS: list[dict] = read_yaml("api-tokens.yaml")["tokens"]


def seed_api_tokens(network: Network) -> dict:
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
        for plan in TOKENS:
            created_at = now - timedelta(days=plan["created_days_ago"])
            made = tokens.create(
                partner=membership.partner,
                user=user,
                name=plan["name"],
                scopes=list(plan["scopes"]),
                days=plan["valid_days"],
                now=created_at,
            )
            token = made.token
            token.created_at = created_at
            token.last_used_at = now - timedelta(days=plan["last_used_days_ago"], hours=3)
            if "revoked_days_ago" in plan:
                token.revoked_at = now - timedelta(days=plan["revoked_days_ago"])
            created += 1
    db.session.flush()
    return {"api_tokens": created}
