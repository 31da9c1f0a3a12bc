"""The OpenAPI 3 document, generated from the marshmallow schemas and each view's `operation`."""

from __future__ import annotations

import re
from collections.abc import Callable

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from saas.api import schemas
from saas.api.services import RESOURCES

ERRORS = {
    400: "Bad parameters (`bad_request`, `invalid_json`)",
    401: "No token, or one that is invalid, expired, revoked or no longer backed by a member",
    403: "The token's scope or the person's role does not allow this (`insufficient_scope`)",
    404: "Unknown network or object, or one this token may not see (`not_found`)",
    429: "Too many requests for this token (`rate_limited`)",
}
WRITE_ERRORS = {
    409: "The step is not possible in the referral's current state (`conflict`)",
    415: "The body is not JSON (`unsupported_media_type`)",
    422: "Values missing or not valid, per field in `details` (`validation_error`)",
}
SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "description": "The network, as in its web address",
    "schema": {"type": "string", "pattern": "^[a-z0-9-]{1,60}$", "example": "beringen"},
}


def operation(
    summary: str,
    *,
    tag: str,
    params: list[dict] | None = None,
    body=None,
    response=None,
    status: int = 200,
) -> Callable:
    """Describe an API view for the OpenAPI document (read by `build`)."""

    def decorator(view: Callable) -> Callable:
        view.openapi = {
            "summary": summary,
            "tag": tag,
            "params": params or [],
            "body": body,
            "response": response,
            "status": status,
        }
        return view

    return decorator


def _path(rule: str) -> tuple[str, list[dict]]:
    params = []

    def convert(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        if name != "slug":
            params.append(
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
                }
            )
        del converter
        return "{" + name + "}"

    return re.sub(r"<(?:(\w+):)?(\w+)>", convert, rule), params


def _error_responses(extra: dict[int, str]) -> dict:
    return {
        str(code): {
            "description": text,
            "content": {"application/json": {"schema": "Error"}},
        }
        for code, text in {**ERRORS, **extra}.items()
    }


def build(app: Flask) -> dict:
    spec = APISpec(
        title="Dorp API",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": (
                "Partners' own systems read the network's catalogue and work with their own "
                "referrals and notifications. Every request carries a token a partner "
                "administrator created (`Authorization: Bearer dorp_...`); it acts as that "
                "person, for that partner, with the same rights as the web pages, within the "
                'scopes chosen for it. Errors: `{"error": {"code", "message", "details"}}`, '
                "messages in the language of `Accept-Language` (nl, en)."
            )
        },
        servers=[{"url": "/"}],
    )
    spec.components.security_scheme(
        "token",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A partner's API token. Scopes: "
            + ", ".join(f"`{r}:read`" for r in RESOURCES)
            + ", `referrals:write`, `notifications:write` (write includes read).",
        },
    )
    spec.components.schema("Error", schema=schemas.ErrorSchema)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api."):
            continue
        view = app.view_functions[rule.endpoint]
        doc = getattr(view, "openapi", None)
        if doc is None:
            continue
        path, path_params = _path(rule.rule)
        resource, level = getattr(view, "api_scope", ("", ""))
        operations = {}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            responses = {
                str(doc["status"]): {
                    "description": "OK" if doc["status"] == 200 else "Created",
                    "content": {"application/json": {"schema": doc["response"]}},
                },
                **_error_responses(WRITE_ERRORS if method == "POST" else {}),
            }
            op = {
                "operationId": rule.endpoint.removeprefix("api."),
                "summary": doc["summary"],
                "tags": [doc["tag"]],
                "security": [{"token": []}],
                "parameters": [SLUG, *path_params, *doc["params"]],
                "responses": responses,
                "x-scope": f"{resource}:{level}",
            }
            if doc["body"] is not None:
                op["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": doc["body"]}},
                }
            operations[method.lower()] = op
        spec.path(path=path, operations=operations)
    return spec.to_dict()
