"""The OpenAPI document and a readable page rendered from it, server-side (no CDN, no scripts)."""

from __future__ import annotations

import json

from flask import current_app, jsonify, render_template

from blueprints.api.blueprint import bp
from blueprints.api.openapi import build


def spec() -> dict:
    cached = current_app.extensions.get("dorp_openapi")
    if cached is None:
        cached = current_app.extensions["dorp_openapi"] = build(current_app)
    return cached


@bp.route("/openapi.json")
def openapi():
    response = jsonify(spec())
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _ref_name(schema: dict) -> str:
    return schema.get("$ref", "").rsplit("/", 1)[-1]


def _type(schema: dict) -> str:
    if "$ref" in schema:
        return _ref_name(schema)
    kind = schema.get("type", "object")
    if kind == "array":
        return f"list of {_type(schema.get('items', {}))}"
    if "enum" in schema:
        return f"{kind}: " + " | ".join(str(v) for v in schema["enum"])
    if schema.get("format"):
        return f"{kind} ({schema['format']})"
    return kind


@bp.route("/docs")
def docs():
    document = spec()
    operations = []
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            ok = next(code for code in op["responses"] if code.startswith("2"))
            result = op["responses"][ok]["content"]["application/json"]["schema"]
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "op": op,
                    "anchor": op["operationId"],
                    "body": _ref_name(body.get("schema", {})) if body else "",
                    "ok": ok,
                    "result": _ref_name(result),
                    "example": _curl(method.upper(), path, bool(body)),
                }
            )
    schemas = {
        name: [
            (field, _type(info), field in schema.get("required", []), info)
            for field, info in schema.get("properties", {}).items()
        ]
        for name, schema in document["components"]["schemas"].items()
    }
    return render_template(
        "api/docs.html",
        document=document,
        operations=operations,
        schemas=schemas,
        type_of=_type,
        pretty=lambda value: json.dumps(value, ensure_ascii=False),
    )


def _curl(method: str, path: str, has_body: bool) -> str:
    url = path.replace("{slug}", "beringen")
    for name in ("offer_id", "session_id", "partner_id", "referral_id", "notification_id"):
        url = url.replace("{" + name + "}", "1")
    parts = [
        f"curl -s -X {method}" if method != "GET" else "curl -s",
        '-H "Authorization: Bearer $DORP_TOKEN"',
    ]
    if has_body:
        parts.append("-H 'Content-Type: application/json' -d @body.json")
    parts.append(f'"$DORP_URL{url}"')
    return " ".join(parts)
