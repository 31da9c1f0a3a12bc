"""The API's referrals: the token's partner's inbox and outbox, referring a family, one referral,
its next step, a message. Only the sender's and the receiver's people ever see one."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from blueprints.api.auth import requires
from blueprints.api.blueprint import bp
from blueprints.api.common import PAGE_PARAMS, json_body, page_from
from blueprints.api.errors import ApiError
from blueprints.api.openapi import operation
from blueprints.loading import found_or_404
from saas.api import schemas
from saas.audit.services import record, record_reads
from saas.catalogue.models import ActivitySession, Offer
from saas.extensions import db
from saas.partners.access import acting_partner_ids, acting_partners
from saas.partners.models import Partner
from saas.referrals import services as referrals
from saas.referrals.models import Referral, Status

STATUSES = {s.value for s in Status}

REFERRAL = schemas.ReferralSchema()
REFERRAL_PAGE = schemas.ReferralPage()


def _opened(referral_id: int) -> referrals.Opened:
    return found_or_404(referrals.open_as(referral_id, acting_partner_ids()))


def _dump(referral: Referral, side: str) -> dict:
    consent = referrals.current_consent(referral)
    return REFERRAL.dump(schemas.ReferralView(referral, side, consent))


def _row(model: type, ident: int, *criteria: Any):
    """The row of the current network, or None (the caller answers 422, not 404)."""
    return db.session.execute(
        select(model).where(model.id == ident, *criteria)
    ).scalar_one_or_none()


@bp.route("/<slug>/referrals")
@requires("referrals", "read")
@operation(
    "Referrals the token's partner received (box=in) or sent (box=out)",
    tag="referrals",
    params=[
        {"name": "box", "in": "query", "schema": {"type": "string", "enum": ["in", "out"]}},
        {
            "name": "status",
            "in": "query",
            "schema": {"type": "string", "enum": [s.value for s in Status] + ["open"]},
        },
        *PAGE_PARAMS,
    ],
    response=schemas.ReferralPage,
)
def referral_list():
    mine = acting_partner_ids()
    box = "out" if request.args.get("box") == "out" else "in"
    column = Referral.from_partner_id if box == "out" else Referral.to_partner_id
    query = select(Referral).where(column.in_(mine))
    if box == "in":
        query = query.where(Referral.status != Status.DRAFT)
    status = request.args.get("status", "")
    if status in STATUSES:
        query = query.where(Referral.status == status)
    elif status == "open":
        query = query.where(Referral.status.in_([s for s in Status if s.is_open]))
    elif status:
        raise ApiError(400, "bad_request", details={"status": ["unknown status"]})
    page = page_from(query, Referral.id.desc())
    ids = [r.id for r in page.items]
    record_reads("referral.listed", Referral, ids)
    consents = referrals.current_consents(ids)
    views = [
        schemas.ReferralView(r, referrals.side(r, mine), consents.get(r.id)) for r in page.items
    ]
    return REFERRAL_PAGE.dump(replace(page, items=views))


@bp.route("/<slug>/referrals", methods=["POST"])
@requires("referrals", "write")
@operation(
    "Refer a family's question to another partner (consent is needed to send)",
    tag="referrals",
    body=schemas.ReferralCreateSchema,
    response=schemas.ReferralSchema,
    status=201,
)
def referral_create():
    data = schemas.ReferralCreateSchema().load(json_body())
    mine = acting_partners()
    if not mine:
        raise ApiError(403, "forbidden")
    from_partner = next((p for p in mine if p.id == g.api_token.partner_id), mine[0])
    to_partner = _row(Partner, data["to_partner_id"])
    offer = session = None
    if data["offer_id"]:
        offer = _row(Offer, data["offer_id"], Offer.published_at.is_not(None))
    if data["session_id"]:
        session = _row(ActivitySession, data["session_id"])
    problems = {}
    if to_partner is None:
        problems["to_partner_id"] = [_("Choose a partner of the network.")]
    if data["offer_id"] and offer is None:
        problems["offer_id"] = [_("Unknown activity.")]
    if data["session_id"] and session is None:
        problems["session_id"] = [_("Unknown session.")]
    if problems:
        raise ApiError(422, "validation_error", details=problems)
    consent = data["consent"]
    try:
        created = referrals.create(
            from_partner=from_partner,
            to_partner=to_partner,
            offer=offer,
            session=session,
            user=current_user,
            send=data["send"],
            consent=referrals.ConsentData(**consent) if consent else None,
            family=referrals.FamilyData(**data["family"]),
        )
    except referrals.ReferralError as exc:
        raise ApiError(
            422, "validation_error", str(exc), {exc.field or "_schema": [str(exc)]}
        ) from None
    return (
        _dump(created, "sender"),  # one of the token's partners sent it
        201,
        {"Location": url_for("api.referral", referral_id=created.id)},
    )


@bp.route("/<slug>/referrals/<int:referral_id>")
@requires("referrals", "read")
@operation(
    "One referral (the receiver's first read marks it received, as on the web)",
    tag="referrals",
    response=schemas.ReferralSchema,
)
def referral(referral_id: int):
    opened = _opened(referral_id)
    if opened.side == "receiver":
        referrals.mark_received(opened.referral, current_user, opened.partner_id)
    record("referral.viewed", opened.referral, via="api")
    return _dump(opened.referral, opened.side)


@bp.route("/<slug>/referrals/<int:referral_id>/transitions", methods=["POST"])
@requires("referrals", "write")
@operation(
    "Move a referral one step in its lifecycle (the side you are on decides which steps exist)",
    tag="referrals",
    body=schemas.TransitionSchema,
    response=schemas.ReferralSchema,
)
def referral_transition(referral_id: int):
    opened = _opened(referral_id)
    data = schemas.TransitionSchema().load(json_body())
    try:
        referrals.move(
            opened.referral,
            Status(data["status"]),
            user=current_user,
            partner_id=opened.partner_id,
            reason=data["reason"],
            outcome=data["outcome"],
        )
    except referrals.ReferralError as exc:
        status, code = (409, "conflict") if exc.field == "status" else (422, "validation_error")
        raise ApiError(status, code, str(exc), {exc.field or "_schema": [str(exc)]}) from None
    return _dump(opened.referral, opened.side)  # a step never changes the side one is on


@bp.route("/<slug>/referrals/<int:referral_id>/messages", methods=["POST"])
@requires("referrals", "write")
@operation(
    "Send a short message to the other partner while the referral is open",
    tag="referrals",
    body=schemas.MessageSchema,
    response=schemas.ReferralSchema,
    status=201,
)
def referral_message(referral_id: int):
    opened = _opened(referral_id)
    data = schemas.MessageSchema().load(json_body())
    try:
        referrals.add_message(
            opened.referral, data["body"], user=current_user, partner_id=opened.partner_id
        )
    except referrals.ReferralError as exc:
        raise ApiError(409, "conflict", str(exc), {exc.field or "body": [str(exc)]}) from None
    return _dump(opened.referral, opened.side), 201
