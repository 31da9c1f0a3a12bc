"""Error pages in the user's language; never a bare 500 for bad input."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Flask, current_app, render_template, request
from flask_babel import force_locale, format_time, format_timedelta
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from blueprints.api.errors import HTTP_CODES, error_response, kept_headers
from saas.extensions import db, limiter
from tenants.access import SignedInElsewhere

log = logging.getLogger(__name__)


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Please try again.")),
        403: (_("No access"), _("You do not have the rights to open this page.")),
        404: (_("Page not found"), _("This page does not exist, or you cannot see it.")),
        405: (_("Not allowed"), _("This action is not possible here.")),
        413: (_("File too large"), _("The file is larger than 2 MB. Please send a smaller file.")),
        429: (
            _("Too many attempts"),
            _("Too many attempts. Please wait a few minutes and try again."),
        ),
        500: (_("Something went wrong"), _("An unexpected error occurred. We have been notified.")),
        503: (
            _("Temporarily unavailable"),
            _("Dorp is temporarily unavailable. Please try again soon."),
        ),
    }


def _database_down(exc: BaseException | None) -> bool:
    """The database (or Redis) cannot be reached right now: a 503, not a bug."""

    if isinstance(exc, RedisConnectionError):
        return True
    return isinstance(exc, DBAPIError) and (
        exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)
    )


def _kind(exc) -> str:
    """The exception's class, and the driver's under SQLAlchemy's: never its message (which may
    quote the statement's parameters)."""
    inner = getattr(exc, "orig", None)
    return type(exc).__name__ + (f"/{type(inner).__name__}" if inner is not None else "")


def _unavailable():
    """503 while the database restarts. The page must not need the database itself."""

    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection is already gone; the pool replaces it later
        db.session.close()

    # The person's own language would need the database: the cookie or the browser decides.
    langs = current_app.config["LANGUAGES"]
    cookie = request.cookies.get(current_app.config.get("LANGUAGE_COOKIE", "dorp_lang"), "")
    lang = cookie if cookie in langs else request.accept_languages.best_match(langs) or "nl"
    with force_locale(lang):
        title, message = _messages()[503]
        if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
            body, kind = {"error": {"code": 503, "title": title, "message": message}}, None
        else:
            # straight from the template: context processors (navigation...) would query
            page = current_app.jinja_env.get_template("errors/unavailable.html")
            body = page.render(title=title, message=message, lang=lang)
            kind = "text/html; charset=utf-8"
    headers = {"Retry-After": "5", **({"Content-Type": kind} if kind else {})}
    return body, 503, headers


def _when_to_retry() -> str | None:
    """A rate limit's page says from what time the form takes another try."""
    limit = limiter.current_limit
    if limit is None or not limit.breached:
        return None
    until = datetime.fromtimestamp(limit.reset_at, UTC)
    wait = format_timedelta(until - datetime.now(UTC), granularity="minute", add_direction=True)
    return _(
        "Too many attempts. You can try again from %(time)s (%(wait)s).",
        time=format_time(until, "short"),
        wait=wait,
    )


def _render(
    code: int, detail: str | None = None, headers: dict | None = None, *, sign_out: bool = False
):
    """The error page, or its JSON, keeping the error's own headers (a 405's `Allow`)."""
    db.session.rollback()
    headers = headers or {}
    if request.path.startswith("/api/"):  # outside the API's routes: still the API's error shape
        return error_response(code, HTTP_CODES.get(code, "server_error"), headers=headers)
    title, message = _messages().get(code, (_("Error"), _("Something went wrong.")))
    if (
        request.path.startswith(("/api/", "/healthz"))
        or request.accept_mimetypes.best == "application/json"
    ):
        body = {"error": {"code": code, "title": title, "message": detail or message}}
        return body, code, headers
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=title,
            message=detail or message,
            sign_out=sign_out,
        ),
        code,
        headers,
    )


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return _render(400, _("Your form expired or was sent from elsewhere. Please try again."))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        original = getattr(exc, "original_exception", None)
        if _database_down(original):  # e.g. the commit failed
            log.warning(
                "database unavailable on %s %s (%s)",
                request.method,
                request.endpoint,
                _kind(original),
            )
            return _unavailable()
        if exc.response is not None:  # a ready answer (the sign-in throttle's own page)
            db.session.rollback()
            return exc.response
        if isinstance(exc, SignedInElsewhere):  # says how to open this network after all
            return _render(403, exc.explanation, sign_out=True)
        detail = _when_to_retry() if exc.code == 429 else None
        return _render(exc.code or 500, detail, headers=kept_headers(exc))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if _database_down(exc):
            log.warning(
                "database unavailable on %s %s (%s)", request.method, request.endpoint, _kind(exc)
            )
            return _unavailable()
        log.exception("unhandled error on %s %s", request.method, request.endpoint)
        return _render(500)
