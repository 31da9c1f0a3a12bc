"""Security headers, server-side login sessions, and safe redirects."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from urllib.parse import urljoin, urlsplit

from flask import Flask, abort, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from saas.accounts.models import LoginSession, User
from saas.extensions import db, login_manager, talisman
from saas.models_base import utcnow
from tenants import context
from tenants.access import role_loading

# A session unused this long is over, wherever its cookie is.
SESSION_IDLE_LIMIT = timedelta(days=14)

CSP = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self'",
    "script-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def init_app(app: Flask) -> None:
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=not app.debug,
        strict_transport_security_max_age=365 * 24 * 3600,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    app.before_request(_refuse_nul_bytes)


def _refuse_nul_bytes():
    """NUL never belongs in text, and PostgreSQL refuses it: answer 400 before any view runs."""
    values = list(request.args.values())
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        values += list(request.form.values())
    if any("\x00" in v for v in values):
        abort(400)


@cache
def _login_session_query(with_roles: bool):
    """The login session by its token; `with_roles`: with the person and their roles in the
    request's network (scoped to it like any tenant read), so that a signed-in network page
    needs one round trip for both. Built once: building and keying these loader options
    cost a quarter of a millisecond on every request."""
    query = select(LoginSession).where(LoginSession.token == bindparam("token"))
    if with_roles:
        query = query.options(
            joinedload(LoginSession.user)
            .joinedload(User.network_memberships)
            .options(*role_loading())
        )
    return query


def load_user(token: str):
    """Flask-Login calls this with the session token it stored; no row, no session."""
    network_id = context.current_network_id()
    query = _login_session_query(network_id is not None)
    row = db.session.execute(query, {"token": token}).unique().scalar_one_or_none()
    if row is None or not row.user.is_enabled:
        return None
    now = utcnow()
    if now - row.last_seen_at > SESSION_IDLE_LIMIT:
        db.session.delete(row)
        return None
    if (now - row.last_seen_at).total_seconds() > 300:
        row.last_seen_at = now  # committed with the request
    user = row.user
    user.login_token = token
    user.memberships_network = network_id
    return user


def is_safe_next(target: str | None) -> bool:
    """Only paths on this site: no scheme, no other host, no protocol-relative `//host`."""
    if not target:
        return False
    if target.startswith(("//", "\\")) or "\\" in target:
        return False
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return False
    joined = urlsplit(urljoin(request.host_url, target))
    return joined.netloc == urlsplit(request.host_url).netloc and target.startswith("/")
