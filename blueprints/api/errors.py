"""One error shape for the whole API: {"error": {"code", "message", "details"}}, translated."""

from __future__ import annotations

import logging

from flask import request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from blueprints.api.blueprint import bp
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


def error_response(status: int, code: str, message: str | None = None, details=None):
    db.session.rollback()
    body = {
        "error": {
            "code": code,
            "message": str(message or ERROR_CODES.get(code, ERROR_CODES["server_error"])),
            "details": details or {},
        }
    }
    response = (body, status)
    if status == 401:
        return body, status, {"WWW-Authenticate": 'Bearer realm="dorp"'}
    return response


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return error_response(exc.status, exc.code, exc.message, exc.details)


@bp.errorhandler(ValidationError)
def _invalid(exc: ValidationError):
    messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    return error_response(422, "validation_error", details=messages)


@bp.errorhandler(HTTPException)
def _http(exc: HTTPException):
    status = exc.code or 500
    return error_response(status, HTTP_CODES.get(status, "server_error"))


@bp.errorhandler(Exception)
def _unexpected(exc: Exception):
    log.exception("unhandled API error on %s %s", request.method, request.endpoint)
    return error_response(500, "server_error")
