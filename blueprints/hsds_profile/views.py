"""Dorp's Flemish Huis van het Kind profile of Open Referral HSDS 3.0, at a stable URL of the
platform: the JSON Merge Patch files named after the core schema files (schema/), the merged
schemas (schema/compiled/) and the README that says what the profile asks. Public, any origin."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from flask import Blueprint, Response, abort, jsonify, url_for
from werkzeug.exceptions import HTTPException

from blueprints.api.errors import HTTP_CODES, error_response

bp = Blueprint("hsds_profile", __name__, url_prefix="/hsds-profile")

FILES = resources.files("saas.api") / "hsds_profile"


@cache
def _names(folder: str) -> tuple[str, ...]:
    return tuple(sorted(p.name for p in (FILES / folder).iterdir() if p.name.endswith(".json")))


@bp.after_request
def _open_to_everyone(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.errorhandler(HTTPException)
def _error(exc: HTTPException):
    status = exc.code or 500
    return error_response(status, HTTP_CODES.get(status, "server_error"))


@bp.route("/")
def index():
    """What the profile is and where its files are."""
    return jsonify(
        {
            "name": "Huis van het Kind (Flanders) — Dorp",
            "hsds_version": "3.0",
            "profile": url_for(".index", _external=True),
            "description": (
                "Open Referral HSDS 3.0 as Dorp publishes the catalogues of Flemish Huis van het "
                "Kind networks: four taxonomies (offer types, the decree's action lines, themes, "
                "age groups), Europe/Brussels local times with their UTC offset, ISO 639-1/639-3 "
                "language codes, `last_modified` on every object and the /locations endpoint."
            ),
            "readme": url_for(".readme", _external=True),
            "schema": {
                name: url_for(".patch", name=name, _external=True) for name in _names("schema")
            },
            "compiled": {
                name: url_for(".compiled", name=name, _external=True)
                for name in _names("schema/compiled")
            },
        }
    )


@bp.route("/README.md")
def readme():
    text = (FILES / "README.md").read_text(encoding="utf-8")
    return Response(text, mimetype="text/markdown")


def _json(folder: str, name: str):
    if name not in _names(folder):
        abort(404)
    return jsonify(json.loads((FILES / folder / name).read_text(encoding="utf-8")))


@bp.route("/schema/<name>")
def patch(name: str):
    """A JSON Merge Patch (RFC 7386) on the HSDS 3.0 core schema file of the same name."""
    return _json("schema", name)


@bp.route("/schema/compiled/<name>")
def compiled(name: str):
    """The core schema with the profile's patch applied."""
    return _json("schema/compiled", name)
