"""Creating, finding, checking and revoking API tokens.

A token reads `dorp_<prefix>_<secret>`: the prefix is stored in clear so people can tell their
tokens apart; the whole token is stored only as an HMAC-SHA256 under the server's secret key, so a
copy of the database opens nothing. The secret has 256 bits of entropy and is shown once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from saas.api.models import ApiToken
from saas.audit.services import record
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner
from tenants import lookups
from tenants.context import current_network_id
from tenants.models import Role

RESOURCES = {
    "offers": _l("Activities"),
    "sessions": _l("Sessions"),
    "partners": _l("Partners"),
    "referrals": _l("Referrals (your organisation's only)"),
    "notifications": _l("Your notifications"),
}
# Resources the API can change; the others are read-only.
WRITABLE = {"referrals", "notifications"}
LEVELS = ("read", "write")
MAX_DAYS = 366
LAST_USE_PRECISION = 60  # seconds: a busy token does not rewrite its row on every request
TOKEN_START = "dorp_"  # noqa: S105  (the public prefix, not a secret)


class TokenError(ValueError):
    pass


def all_scopes() -> list[str]:
    return [
        f"{r}:{level}" for r in RESOURCES for level in LEVELS if level == "read" or r in WRITABLE
    ]


def grants(scopes: list[str], resource: str, level: str) -> bool:
    """A write scope includes reading the same resource."""
    if level == "read":
        return f"{resource}:read" in scopes or f"{resource}:write" in scopes
    return f"{resource}:write" in scopes


def token_hash(token: str) -> str:
    pepper = current_app.config["SECRET_KEY"].encode()
    return hmac.new(pepper, token.encode(), hashlib.sha256).hexdigest()


@dataclass
class NewToken:
    token: ApiToken
    secret: str  # the full token: returned once, never stored


def create(
    *, partner: Partner, user, name: str, scopes: list[str], days: int, now: datetime | None = None
) -> NewToken:
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise TokenError(_l("Give the token a name of at most 80 characters."))
    chosen = sorted(set(scopes))
    if not chosen or any(s not in all_scopes() for s in chosen):
        raise TokenError(_l("Choose at least one permission."))
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(_l("A token is valid for 1 to %(n)d days.", n=MAX_DAYS))
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        partner_id=partner.id,
        created_by_id=user.id,
        name=name,
        prefix=prefix,
        secret_hash=token_hash(secret),
        scopes=",".join(chosen),
        expires_at=(now or utcnow()) + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    record("api_token.created", token, scopes=chosen, days=days)
    return NewToken(token=token, secret=secret)


def revoke(token: ApiToken, **why) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("api_token.revoked", token, **why)


def live_tokens_made_by(user_id: int, partner_id: int) -> int:
    """How many tokens still working this person made for this partner."""
    return db.session.execute(
        select(func.count()).where(
            ApiToken.created_by_id == user_id,
            ApiToken.partner_id == partner_id,
            ApiToken.revoked_at.is_(None),
        )
    ).scalar_one()


def revoke_made_by(user_id: int, partner_id: int) -> int:
    """The person lost the power to make tokens for this partner (their admin role was taken
    away): every token they made for it dies for good, so none comes back if they return later
    with a lesser role. Returns how many it revoked (each one audited)."""
    made = db.session.execute(
        select(ApiToken).where(
            ApiToken.created_by_id == user_id,
            ApiToken.partner_id == partner_id,
            ApiToken.revoked_at.is_(None),
        )
    ).scalars()
    count = 0
    for token in made:
        revoke(token, reason="maker_lost_admin_role")
        count += 1
    return count


def may_make_tokens(memberships, partner_id: int) -> bool:
    """Whether these memberships hold the power to make (and so to use) the partner's tokens."""
    return any(m.role == Role.PARTNER_ADMIN and m.partner_id == partner_id for m in memberships)


def for_partner(partner_id: int) -> list[ApiToken]:
    return list(
        db.session.execute(
            select(ApiToken).where(ApiToken.partner_id == partner_id).order_by(ApiToken.id.desc())
        ).scalars()
    )


def find(secret: str) -> ApiToken | None:
    """The current network's token for this secret (the scoping mechanism filters the query)."""
    if not secret.startswith(TOKEN_START) or len(secret) > 200:
        return None
    return db.session.execute(
        select(ApiToken).where(ApiToken.secret_hash == token_hash(secret))
    ).scalar_one_or_none()


def note_use(token: ApiToken, now: datetime | None = None) -> None:
    """Keep when the token was last used, to the minute (committed with the request)."""
    now = now or utcnow()
    if (
        token.last_used_at is None
        or (now - token.last_used_at).total_seconds() > LAST_USE_PRECISION
    ):
        token.last_used_at = now


def known_elsewhere(secret: str) -> bool:
    """Whether the secret is a token of another network: read from the platform's global keys
    (never another network's rows), answers only yes/no."""
    if not secret.startswith(TOKEN_START) or len(secret) > 200:
        return False
    found = lookups.find("api_token_secret", token_hash(secret))
    return found is not None and found[0] != current_network_id()
