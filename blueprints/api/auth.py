"""Token authentication: `Authorization: Bearer <token>` resolves to network, partner and person.

The network comes from the URL through the same tenant mechanism as the web pages; the token is
looked up inside that network (so another network's token is not found), and the person who
created it becomes `current_user`, with only their memberships for the token's partner. The
services and rights of the web pages then apply unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from sqlalchemy import select

from blueprints.api.blueprint import bp
from blueprints.api.errors import ApiError
from saas.accounts.models import User
from saas.api import services as tokens
from saas.extensions import db, limiter
from saas.models_base import utcnow
from tenants.models import Membership

OPEN_ENDPOINTS = {"api.openapi", "api.docs"}


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _rate_key() -> str:
    """Per token (its hash, so no database read before the limit); per address without one."""
    secret = _bearer()
    if secret:
        return "api-token:" + hashlib.sha256(secret.encode()).hexdigest()[:32]
    return "api-anon:" + (get_remote_address() or "")


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


limiter.limit(_rate_limit, key_func=_rate_key)(bp)


def authenticate() -> None:
    """before_request for the whole app (installed by `saas.app`, before the rules that need to
    know who acts): an API request signs in by its token; other requests pass."""
    if request.blueprint != bp.name or request.endpoint in OPEN_ENDPOINTS:
        return
    if g.get("network") is None:
        raise ApiError(404, "not_found")
    secret = _bearer()
    if not secret:
        raise ApiError(401, "unauthorized")
    token = tokens.find(secret)
    if token is None:
        if tokens.known_elsewhere(secret):
            raise ApiError(404, "not_found")  # like a non-member on the web: nothing exists here
        raise ApiError(401, "invalid_token")
    if token.revoked_at is not None:
        raise ApiError(401, "token_revoked")
    if token.expires_at <= utcnow():
        raise ApiError(401, "token_expired")
    user = db.session.get(User, token.created_by_id) if token.created_by_id else None
    found = []
    if user is not None and user.is_enabled:
        found = [
            m
            for m in db.session.execute(
                select(Membership).where(
                    Membership.user_id == user.id, Membership.partner_id == token.partner_id
                )
            ).scalars()
            if m.partner is not None and not m.partner.is_suspended
        ]
    # Checked on every request, whatever happened to the token row: it acts with its maker's
    # power, so the maker must still be an admin of the token's partner.
    if not tokens.may_make_tokens(found, token.partner_id):
        raise ApiError(401, "token_inactive")
    g._login_user = user  # Flask-Login's current_user, for this request only (no session)
    g.memberships = found  # tenants.access reads the person's roles from here
    g.api_token = token
    tokens.note_use(token)


def requires(resource: str, level: str) -> Callable:
    """Guard an API view by the token's scope."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            token = g.get("api_token")
            if token is None:
                raise ApiError(401, "unauthorized")
            if not tokens.grants(token.scope_list, resource, level):
                raise ApiError(
                    403, "insufficient_scope", details={"required": f"{resource}:{level}"}
                )
            return view(*args, **kwargs)

        wrapper.api_scope = (resource, level)
        return wrapper

    return decorator
