"""Error pages in the user's language; never a bare 500 for bad input."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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


def _render(code: int, detail: str | None = None):
    from saas.extensions import db

    db.session.rollback()
    if request.path.startswith("/api/"):  # outside the API's routes: still the API's error shape
        from blueprints.api.errors import HTTP_CODES, error_response

        return error_response(code, HTTP_CODES.get(code, "server_error"))
    title, message = _messages().get(code, (_("Error"), _("Something went wrong.")))
    if (
        request.path.startswith(("/api/", "/healthz"))
        or request.accept_mimetypes.best == "application/json"
    ):
        return {"error": {"code": code, "title": title, "message": detail or message}}, code
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return _render(400, _("Your form expired or was sent from elsewhere. Please try again."))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return _render(exc.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.endpoint)
        return _render(500)
