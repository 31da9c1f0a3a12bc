"""The API's catalogue: the network's published activities, their sessions, its active partners."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import abort, request
from sqlalchemy import select

from blueprints.api.auth import requires
from blueprints.api.blueprint import bp
from blueprints.api.common import (
    PAGE_PARAMS,
    Page,
    date_arg,
    date_param,
    id_param,
    int_arg,
    page_of,
    paging,
)
from blueprints.api.errors import ApiError
from blueprints.api.openapi import operation
from blueprints.loading import load_or_404
from saas.api import schemas
from saas.bounds import MAX_INT
from saas.catalogue import permissions as perm
from saas.catalogue import queries
from saas.catalogue.models import ActivitySession, Offer
from saas.catalogue.schedule import TZ
from saas.extensions import db
from saas.partners.access import acting_partner_ids
from saas.partners.models import Partner, PartnerState, Sector
from tenants.access import memberships

MAX_SPAN_DAYS = 366
SECTORS = {s.value for s in Sector}

OFFER = schemas.OfferSchema()
OFFER_PAGE = schemas.OfferPage()
SESSION = schemas.SessionSchema()
SESSION_PAGE = schemas.SessionPage()
PARTNER = schemas.PartnerSchema()
PARTNER_PAGE = schemas.PartnerPage()

OFFER_FILTERS = [
    {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 100}},
    {
        "name": "age",
        "in": "query",
        "schema": {"type": "integer", "minimum": 0, "maximum": 25},
        "description": "The child's age in years",
    },
    {
        "name": "day",
        "in": "query",
        "schema": {"type": "integer", "minimum": 0, "maximum": 6},
        "description": "0 is Monday",
    },
    {
        "name": "time",
        "in": "query",
        "schema": {"type": "string", "enum": list(queries.TIMES_OF_DAY)},
    },
    {"name": "neighbourhood", "in": "query", "schema": {"type": "string", "maxLength": 100}},
    {"name": "language", "in": "query", "schema": {"type": "string", "maxLength": 5}},
    {
        "name": "line",
        "in": "query",
        "schema": {"type": "integer", "enum": [1, 2, 4, 8, 16]},
        "description": "Action line (bit value)",
    },
    id_param("partner"),
    {"name": "free", "in": "query", "schema": {"type": "string", "enum": ["1", "true"]}},
]


@bp.route("/<slug>/offers")
@requires("offers", "read")
@operation(
    "The network's published activities",
    tag="catalogue",
    params=OFFER_FILTERS + PAGE_PARAMS,
    response=schemas.OfferPage,
)
def offers():
    page, per_page = paging()
    found = queries.catalogue_page(queries.Filters.from_args(request.args), page, size=per_page)
    return OFFER_PAGE.dump(Page(found.items, page, per_page, found.total))


@bp.route("/<slug>/offers/<int:offer_id>")
@requires("offers", "read")
@operation("One activity", tag="catalogue", response=schemas.OfferSchema)
def offer(offer_id: int):
    found = load_or_404(Offer, offer_id)
    if perm.VIEW not in perm.rights(found, memberships()):
        abort(404)
    if found.hidden_at is not None and found.partner_id not in acting_partner_ids():
        abort(404)  # hidden by the network: only its own partner still sees it
    return OFFER.dump(found)


@bp.route("/<slug>/sessions")
@requires("sessions", "read")
@operation(
    "Sessions of published activities between two dates (Europe/Brussels), cancelled ones too",
    tag="catalogue",
    params=[
        date_param("from", "First day (default: today)"),
        date_param("to", "Day after the last (default: 28 days on); at most 366 days span"),
        id_param("offer", "Only this activity's sessions"),
        *PAGE_PARAMS,
    ],
    response=schemas.SessionPage,
)
def sessions():
    today = datetime.now(TZ).date()
    start = date_arg("from", today)
    end = date_arg("to", start + timedelta(days=28))
    if not start < end <= start + timedelta(days=MAX_SPAN_DAYS):
        raise ApiError(400, "bad_request", details={"to": ["after 'from', at most 366 days on"]})
    offer_id = int_arg("offer", 0, 1, MAX_INT) if "offer" in request.args else None
    found = queries.sessions_between(start, end, queries.Filters(), offer_id=offer_id)
    return SESSION_PAGE.dump(page_of(found))


@bp.route("/<slug>/sessions/<int:session_id>")
@requires("sessions", "read")
@operation("One session", tag="catalogue", response=schemas.SessionSchema)
def session(session_id: int):
    found = load_or_404(ActivitySession, session_id)
    if perm.VIEW not in perm.rights(found.offer, memberships()):
        abort(404)
    return SESSION.dump(found)


@bp.route("/<slug>/partners")
@requires("partners", "read")
@operation(
    "The network's active partners",
    tag="partners",
    params=[
        {
            "name": "sector",
            "in": "query",
            "schema": {"type": "string", "enum": [s.value for s in Sector]},
        },
        *PAGE_PARAMS,
    ],
    response=schemas.PartnerPage,
)
def partners():
    query = select(Partner).where(Partner.state == PartnerState.ACTIVE).order_by(Partner.name)
    sector = request.args.get("sector")
    if sector is not None:
        if sector not in SECTORS:
            raise ApiError(400, "bad_request", details={"sector": ["unknown sector"]})
        query = query.where(Partner.sector == sector)
    return PARTNER_PAGE.dump(page_of(db.session.execute(query).scalars().all()))


@bp.route("/<slug>/partners/<int:partner_id>")
@requires("partners", "read")
@operation("One active partner", tag="partners", response=schemas.PartnerSchema)
def partner(partner_id: int):
    return PARTNER.dump(load_or_404(Partner, partner_id, Partner.state == PartnerState.ACTIVE))
