"""Open data: the network's catalogue in Open Referral HSDS 3.0, public, no key, any origin."""

from __future__ import annotations

from flask import abort, g, jsonify, request
from werkzeug.exceptions import HTTPException

from blueprints.api.errors import HTTP_CODES, error_response
from blueprints.hsds.blueprint import bp
from blueprints.loading import found_or_404
from saas.api import hsds

MAX_PER_PAGE = 100


@bp.after_request
def _open_to_everyone(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.errorhandler(HTTPException)
def _error(exc: HTTPException):
    status = exc.code or 500
    return error_response(status, HTTP_CODES.get(status, "server_error"))


def _number(name: str, default: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        abort(400)
    if not 1 <= value <= high:
        abort(400)
    return value


def _modified_after():
    try:
        return hsds.modified_after_of(request.args.get("modified_after"))
    except ValueError:
        abort(400)


def _paged(items: list, dump):
    """The HSDS 3.0 page object."""
    page = _number("page", 1, 1_000_000)
    size = _number("per_page", 50, MAX_PER_PAGE)
    total = len(items)
    pages = max(1, (total + size - 1) // size)
    shown = items[(page - 1) * size : page * size]
    return jsonify(
        {
            "total_items": total,
            "total_pages": pages,
            "page_number": page,
            "size": size,
            "first_page": page == 1,
            "last_page": page >= pages,
            "empty": not shown,
            "contents": [dump(item) for item in shown],
        }
    )


def _by_id(items: list, kind: str, key) -> object:
    """The item whose HSDS id the URL names, else 404."""
    wanted = request.view_args.get("item_id")
    return found_or_404(
        next((item for item in items if hsds.hsds_id(g.network, kind, key(item)) == wanted), None)
    )


@bp.route("/")
def index():
    """An HSDS API root: what this endpoint is."""
    return jsonify(
        {
            "version": "3.0",
            "profile": "https://openreferral.org/",
            "openapi_url": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json",
            "name": g.network.name,
        }
    )


@bp.route("/services")
def services():
    offers = hsds.published_offers(_modified_after())
    return _paged(offers, lambda o: hsds.service(g.network, o))


@bp.route("/services/<item_id>")
def service(item_id: str):
    offer = _by_id(hsds.published_offers(), "service", lambda o: o.id)
    return jsonify(hsds.service(g.network, offer, full=True))


@bp.route("/organizations")
def organizations():
    partners = hsds.active_partners(_modified_after())
    return _paged(partners, lambda p: hsds.organization(g.network, p))


@bp.route("/organizations/<item_id>")
def organization(item_id: str):
    partner = _by_id(hsds.active_partners(), "organization", lambda p: p.id)
    return jsonify(hsds.organization(g.network, partner))


@bp.route("/locations")
def locations():
    places = hsds.used_locations(_modified_after())
    return _paged(places, lambda p: hsds.location(g.network, p))


@bp.route("/locations/<item_id>")
def location(item_id: str):
    place = _by_id(hsds.used_locations(), "location", lambda p: p.id)
    return jsonify(hsds.location(g.network, place))


@bp.route("/service_at_locations")
def service_at_locations():
    offers = hsds.published_offers(_modified_after())
    return _paged(offers, lambda o: hsds.service_at_location(g.network, o, nested=True))


@bp.route("/taxonomies")
def taxonomies():
    return _paged(list(hsds.TAXONOMIES), lambda key: hsds.taxonomy(g.network, key))


@bp.route("/taxonomy_terms")
def taxonomy_terms():
    terms = hsds.all_terms(g.network)
    return _paged(terms, lambda t: hsds.taxonomy_term(g.network, t, nested=False))
