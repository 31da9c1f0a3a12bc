"""Open data: the network's catalogue in Open Referral HSDS 3.0, public, no key, any origin.

Every answer under /<slug>/hsds/ is JSON with `Access-Control-Allow-Origin: *`, errors included
(400 for a parameter HSDS does not know or a value it cannot read, 404 for an id nothing has).
The Flemish profile these objects follow is published at /hsds-profile/.
"""

from __future__ import annotations

import logging
import uuid

from flask import abort, g, jsonify, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from blueprints.api.errors import HTTP_CODES, error_response
from blueprints.conditional import public_cache
from blueprints.hsds.blueprint import bp
from saas.api import hsds
from saas.api.hsds import Catalogue

log = logging.getLogger(__name__)

MAX_PER_PAGE = 100
PAGING = {"page", "per_page"}
# the HSDS 3.0 API's query parameters, per list
SERVICE_FILTERS = PAGING | {
    "search",
    "taxonomy_term_id",
    "taxonomy_id",
    "organization_id",
    "modified_after",
    "minimal",
    "full",
}
ALLOWED = {
    "services": SERVICE_FILTERS,
    "service_at_locations": SERVICE_FILTERS - {"minimal"},
    "organizations": PAGING
    | {"search", "taxonomy_term_id", "taxonomy_id", "modified_after", "full"},
    "locations": PAGING | {"search", "modified_after"},
    "taxonomies": PAGING | {"search", "modified_after"},
    "taxonomy_terms": PAGING | {"search", "taxonomy_id", "parent_id", "top_only", "modified_after"},
}


@bp.after_request
def _open_to_everyone(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    if "Cache-Control" not in response.headers:  # a kept answer says its own (conditional)
        response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _bad(message: str, **details):
    return error_response(400, "bad_request", message, details)


class BadParameter(Exception):
    def __init__(self, name: str, problem: str):
        super().__init__(name)
        self.name, self.problem = name, problem


@bp.errorhandler(BadParameter)
def _bad_parameter(exc: BadParameter):
    return _bad(f"{exc.name}: {exc.problem}", parameter=exc.name)


@bp.errorhandler(HTTPException)
def _error(exc: HTTPException):
    status = exc.code or 500
    return error_response(status, HTTP_CODES.get(status, "server_error"))


@bp.errorhandler(Exception)
def _failure(exc: Exception):
    log.exception("hsds: unexpected error")
    return error_response(500, "server_error")


def _check_parameters(allowed: set[str]) -> None:
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        raise BadParameter(unknown[0], _("not a parameter of this list"))


def _number(name: str, default: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, _("give a whole number")) from None
    if not 1 <= value <= high:
        raise BadParameter(name, _("give a number from 1 to %(high)d", high=high))
    return value


def _flag(name: str) -> bool:
    raw = request.args.get(name)
    if raw is None:
        return False
    if raw.lower() in {"true", "1", ""}:
        return True
    if raw.lower() in {"false", "0"}:
        return False
    raise BadParameter(name, _("give true or false"))


def _uuid(name: str) -> str | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise BadParameter(name, _("give a UUID")) from None


def _modified_after():
    try:
        return hsds.modified_after_of(request.args.get("modified_after"))
    except (ValueError, OverflowError):
        raise BadParameter("modified_after", _("give an ISO 8601 date or date-time")) from None


def _search(*texts: str) -> bool:
    words = (request.args.get("search") or "").lower().split()
    haystack = " ".join(texts).lower()
    return all(word in haystack for word in words)


def _paged(items: list, dump):
    """The HSDS 3.0 page object: `size` is the number of items on this page."""
    page = _number("page", 1, 1_000_000)
    per_page = _number("per_page", 50, MAX_PER_PAGE)
    total = len(items)
    pages = max(1, (total + per_page - 1) // per_page)
    shown = items[(page - 1) * per_page : page * per_page]
    return jsonify(
        {
            "total_items": total,
            "total_pages": pages,
            "page_number": page,
            "size": len(shown),
            "first_page": page == 1,
            "last_page": page >= pages,
            "empty": not shown,
            "contents": [hsds.listed(dump(item)) for item in shown],
        }
    )


def _one(items, kind: str, key, item_id: str):
    """The item whose HSDS id the URL names; 404 in JSON when none (or not a UUID)."""
    try:
        wanted = str(uuid.UUID(item_id))
    except ValueError:
        abort(404)
    found = next((i for i in items if hsds.hsds_id(g.network, kind, key(i)) == wanted), None)
    if found is None:
        abort(404)
    return found


def _since(changed) -> list:
    """Keep what changed on or after `modified_after` (everything when not asked)."""
    moment = _modified_after()
    return [item for item, when in changed if moment is None or when >= moment]


def _service_filters(cat: Catalogue, offers: list) -> list:
    organization_id = _uuid("organization_id")
    term_id = _uuid("taxonomy_term_id")
    taxonomy_id = _uuid("taxonomy_id")
    kept = []
    for offer in offers:
        if organization_id and organization_id != hsds.hsds_id(
            g.network, "organization", offer.partner_id
        ):
            continue
        terms = cat.offer_terms(offer)
        if term_id and term_id not in {hsds.hsds_id(g.network, "term", t.key) for t in terms}:
            continue
        if taxonomy_id and taxonomy_id not in {
            hsds.hsds_id(g.network, "taxonomy", t.taxonomy) for t in terms
        }:
            continue
        if not _search(offer.title, offer.description, offer.location.name):
            continue
        kept.append(offer)
    return kept


@bp.route("")
def bare():
    """/<slug>/hsds without its slash: to the root, in JSON and open to everyone like the rest."""
    target = url_for(".index", slug=g.network.slug)
    return jsonify({"location": target}), 308, {"Location": target}


@bp.route("/")
@public_cache
def index():
    """An HSDS API root: what this endpoint is, and the profile its objects follow."""
    _check_parameters(set())
    return jsonify(
        {
            "version": "3.0",
            "profile": hsds.profile_url(),
            "openapi_url": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json",
            "name": g.network.name,
        }
    )


@bp.route("/services")
@public_cache
def services():
    _check_parameters(ALLOWED["services"])
    cat = Catalogue(g.network)
    minimal, full = _flag("minimal"), _flag("full")
    if minimal and full:
        raise BadParameter("minimal", _("ask for minimal or full, not both"))
    offers = _service_filters(cat, _since((o, cat.service_changed[o.id]) for o in cat.offers))
    if minimal:
        return _paged(offers, lambda o: hsds.minimal_service(cat, o))
    return _paged(offers, lambda o: hsds.service(cat, o, full=full))


@bp.route("/services/<item_id>")
@public_cache
def service(item_id: str):
    _check_parameters(set())
    cat = Catalogue(g.network)
    offer = _one(cat.offers, "service", lambda o: o.id, item_id)
    return jsonify(hsds.listed(hsds.service(cat, offer, full=True)))


@bp.route("/service_at_locations")
@public_cache
def service_at_locations():
    _check_parameters(ALLOWED["service_at_locations"])
    cat = Catalogue(g.network)
    offers = _service_filters(cat, _since((o, cat.service_changed[o.id]) for o in cat.offers))
    return _paged(offers, lambda o: hsds.service_at_location(cat, o, nested=True))


@bp.route("/service_at_locations/<item_id>")
@public_cache
def service_at_location(item_id: str):
    _check_parameters(set())
    cat = Catalogue(g.network)
    offer = _one(cat.offers, "service_at_location", lambda o: o.id, item_id)
    return jsonify(hsds.listed(hsds.service_at_location(cat, offer, nested=True)))


@bp.route("/organizations")
@public_cache
def organizations():
    _check_parameters(ALLOWED["organizations"])
    _flag("full")  # the organisation has nothing more to nest
    cat = Catalogue(g.network)
    partners = _since((p, cat.organization_changed(p)) for p in cat.partners)
    term_id, taxonomy_id = _uuid("taxonomy_term_id"), _uuid("taxonomy_id")
    if term_id or taxonomy_id:
        using = set()
        for offer in cat.offers:
            for t in cat.offer_terms(offer):
                if term_id in {None, hsds.hsds_id(g.network, "term", t.key)} and taxonomy_id in {
                    None,
                    hsds.hsds_id(g.network, "taxonomy", t.taxonomy),
                }:
                    using.add(offer.partner_id)
        partners = [p for p in partners if p.id in using]
    partners = [p for p in partners if _search(p.name, p.description)]
    return _paged(partners, lambda p: hsds.organization(cat, p))


@bp.route("/organizations/<item_id>")
@public_cache
def organization(item_id: str):
    _check_parameters(set())
    cat = Catalogue(g.network)
    partner = _one(cat.partners, "organization", lambda p: p.id, item_id)
    return jsonify(hsds.listed(hsds.organization(cat, partner)))


@bp.route("/locations")
@public_cache
def locations():
    _check_parameters(ALLOWED["locations"])
    cat = Catalogue(g.network)
    places = _since((p, cat.location_changed[p.id]) for p in cat.locations)
    places = [p for p in places if _search(p.name, p.neighbourhood, p.address)]
    return _paged(places, lambda p: hsds.location(cat, p))


@bp.route("/locations/<item_id>")
@public_cache
def location(item_id: str):
    _check_parameters(set())
    cat = Catalogue(g.network)
    place = _one(cat.locations, "location", lambda p: p.id, item_id)
    return jsonify(hsds.listed(hsds.location(cat, place)))


@bp.route("/taxonomies")
@public_cache
def taxonomies():
    _check_parameters(ALLOWED["taxonomies"])
    keys = _since((key, hsds.LABELS_CHANGED) for key in hsds.TAXONOMIES)
    keys = [k for k in keys if _search(*hsds.TAXONOMIES[k])]
    return _paged(keys, lambda key: hsds.taxonomy(g.network, key))


@bp.route("/taxonomies/<item_id>")
@public_cache
def taxonomy(item_id: str):
    _check_parameters(set())
    key = _one(list(hsds.TAXONOMIES), "taxonomy", lambda k: k, item_id)
    return jsonify(hsds.listed(hsds.taxonomy(g.network, key)))


@bp.route("/taxonomy_terms")
@public_cache
def taxonomy_terms():
    _check_parameters(ALLOWED["taxonomy_terms"])
    _flag("top_only")  # every term is a top term: the taxonomies are flat
    parent_id = _uuid("parent_id")
    taxonomy_id = _uuid("taxonomy_id")
    cat = Catalogue(g.network)
    terms = _since((t, t.changed) for t in cat.terms)
    terms = [
        t
        for t in terms
        if parent_id is None  # no term has a parent
        and taxonomy_id in {None, hsds.hsds_id(g.network, "taxonomy", t.taxonomy)}
        and _search(t.code, t.name, t.description)
    ]
    return _paged(terms, lambda t: hsds.taxonomy_term(g.network, t, nested=False))


@bp.route("/taxonomy_terms/<item_id>")
@public_cache
def taxonomy_term(item_id: str):
    _check_parameters(set())
    cat = Catalogue(g.network)
    term = _one(cat.terms, "term", lambda t: t.key, item_id)
    return jsonify(hsds.listed(hsds.taxonomy_term(g.network, term, nested=True)))


@bp.route("/<path:rest>")
def elsewhere(rest: str):
    """Any other path under /hsds/: a JSON 404, open to everyone like the rest."""
    abort(404)
