"""One error shape for the whole API: {"error": {"code", "message", "details"}}, translated."""

from __future__ import annotations

import logging

from flask import request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from blueprints.api.blueprint import bp
from blueprints.billing.guard import NetworkClosed, ReadOnlyNetwork
from saas.api.schemas import ERROR_CODES
from saas.extensions import db

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str | None = None, details=None):
        super().__init__(code)
        self.status, self.code, self.message, self.details = status, code, message, details or {}


def error_response(
    status: int, code: str, message: str | None = None, details=None, headers: dict | None = None
):
    db.session.rollback()
    body = {
        "error": {
            "code": code,
            "message": str(message or ERROR_CODES.get(code, ERROR_CODES["server_error"])),
            "details": details or {},
        }
    }
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="dorp"'
    return body, status, headers


def kept_headers(exc: HTTPException) -> dict:
    """The headers an HTTP error carries besides its own page's type: `Allow` on a 405,
    `WWW-Authenticate`, `Retry-After`..., which a custom error body must not drop."""
    return {name: value for name, value in exc.get_headers() if name.lower() != "content-type"}


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return error_response(exc.status, exc.code, exc.message, exc.details)


@bp.errorhandler(ReadOnlyNetwork)
def _read_only(exc: ReadOnlyNetwork):
    """The web's read-only rule (blueprints/billing/guard.py), in the API's shape."""
    return error_response(403, "closed" if isinstance(exc, NetworkClosed) else "read_only")


@bp.errorhandler(ValidationError)
def _invalid(exc: ValidationError):
    messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    return error_response(422, "validation_error", details=messages)


@bp.errorhandler(HTTPException)
def _http(exc: HTTPException):
    status = exc.code or 500
    return error_response(status, HTTP_CODES.get(status, "server_error"), headers=kept_headers(exc))


@bp.errorhandler(Exception)
def _unexpected(exc: Exception):
    log.exception("unhandled API error on %s %s", request.method, request.endpoint)
    return error_response(500, "server_error")
