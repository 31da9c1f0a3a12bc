"""The JSON API under /api/v1/<slug>/: the same services and rights as the web pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import wraps

from flask import g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from blueprints.api import bp
from blueprints.api.auth import requires
from blueprints.api.errors import ApiError
from blueprints.api.openapi import operation
from saas.api import schemas
from saas.audit.services import record, record_reads
from saas.catalogue import permissions as perm
from saas.catalogue import queries
from saas.catalogue.models import ActivitySession, Offer
from saas.catalogue.schedule import TZ
from saas.extensions import db
from saas.models_base import utcnow
from saas.notifications.models import Notification
from saas.partners.access import acting_partners
from saas.partners.models import Partner, PartnerState, Sector
from saas.referrals import services as referrals
from saas.referrals.models import Consent, Referral, Status
from tenants.access import memberships

MAX_PER_PAGE = 100
MAX_SPAN_DAYS = 366

PAGE_PARAMS = [
    {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100_000, "default": 1},
        "description": "Page number, from 1",
    },
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 25},
        "description": "Items per page",
    },
]


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(
            400, "bad_request", details={name: [f"an integer from {low} to {high}"]}
        ) from None
    if not low <= value <= high:
        raise ApiError(400, "bad_request", details={name: [f"an integer from {low} to {high}"]})
    return value


def _paging() -> tuple[int, int]:
    return _int_arg("page", 1, 1, 100_000), _int_arg("per_page", 25, 1, MAX_PER_PAGE)


def _page(items: list, dump, total: int | None = None, *, sliced: bool = False) -> dict:
    page, per_page = _paging()
    total = len(items) if total is None else total
    shown = items if sliced else items[(page - 1) * per_page : page * per_page]
    return {
        "items": [dump(i) for i in shown],
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": (total + per_page - 1) // per_page,
    }


def _json_body() -> dict:
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type")
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not _storable(body):
        raise ApiError(400, "invalid_json")
    return body


def _storable(value) -> bool:
    """No NUL characters or lone surrogates: text every database can store."""
    if isinstance(value, str):
        if "\x00" in value:
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_storable(k) and _storable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_storable(v) for v in value)
    return True


def _date_arg(name: str, default: date) -> date:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, "bad_request", details={name: ["a date like 2027-03-15"]}) from None


def _dumped(schema_cls) -> Callable:
    """Output goes through the marshmallow schema the OpenAPI document is generated from."""
    schema = schema_cls()

    def decorator(build: Callable) -> Callable:
        @wraps(build)
        def dump(*args, **kwargs) -> dict:
            return schema.dump(build(*args, **kwargs))

        return dump

    return decorator


# --- catalogue ----------------------------------------------------------------------------------


@_dumped(schemas.OfferSchema)
def _offer(o: Offer) -> dict:
    return {
        "id": o.id,
        "title": o.title,
        "description": o.description,
        "partner_id": o.partner_id,
        "organisers": [
            {"partner_id": link.partner_id, "role": str(link.role)} for link in o.organisers
        ],
        "type": o.type.code,
        "location": {
            "id": o.location.id,
            "name": o.location.name,
            "address": o.location.address,
            "neighbourhood": o.location.neighbourhood,
        },
        "action_lines": [int(line) for line in o.action_line_list],
        "age_min_months": o.age_min_months,
        "age_max_months": o.age_max_months,
        "themes": o.theme_list,
        "languages": o.language_list,
        "cost_kind": str(o.cost_kind),
        "cost_cents": o.cost_cents,
        "registration_required": o.registration_required,
        "capacity": o.capacity,
        "start_date": o.start_date,
        "start_time": f"{o.start_time:%H:%M}",
        "end_time": f"{o.end_time:%H:%M}",
        "rrule": o.rrule,
        "updated_at": o.updated_at or o.created_at,
    }


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
    {"name": "partner", "in": "query", "schema": {"type": "integer", "minimum": 1}},
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
    page, per_page = _paging()
    found = queries.catalogue_page(queries.Filters.from_args(request.args), page, size=per_page)
    return _page(found.items, _offer, total=found.total, sliced=True)


@bp.route("/<slug>/offers/<int:offer_id>")
@requires("offers", "read")
@operation("One activity", tag="catalogue", response=schemas.OfferSchema)
def offer(offer_id: int):
    found = db.session.execute(select(Offer).where(Offer.id == offer_id)).scalar_one_or_none()
    if found is None or perm.VIEW not in perm.rights(found, memberships()):
        raise ApiError(404, "not_found")
    if found.hidden_at is not None and found.partner_id not in {p.id for p in acting_partners()}:
        raise ApiError(404, "not_found")
    return _offer(found)


@_dumped(schemas.SessionSchema)
def _session(s: ActivitySession) -> dict:
    return {
        "id": s.id,
        "offer_id": s.offer_id,
        "title": s.offer.title,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "status": str(s.status),
        "moved": s.moved,
        "location_id": s.place.id,
        "note": s.note,
    }


@bp.route("/<slug>/sessions")
@requires("sessions", "read")
@operation(
    "Sessions of published activities between two dates (Europe/Brussels), cancelled ones too",
    tag="catalogue",
    params=[
        {
            "name": "from",
            "in": "query",
            "schema": {"type": "string", "format": "date"},
            "description": "First day (default: today)",
        },
        {
            "name": "to",
            "in": "query",
            "schema": {"type": "string", "format": "date"},
            "description": "Day after the last (default: 28 days on); at most 366 days span",
        },
        {"name": "offer", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        *PAGE_PARAMS,
    ],
    response=schemas.SessionPage,
)
def sessions():
    today = datetime.now(TZ).date()
    start = _date_arg("from", today)
    end = _date_arg("to", start + timedelta(days=28))
    if not start < end <= start + timedelta(days=MAX_SPAN_DAYS):
        raise ApiError(400, "bad_request", details={"to": ["after 'from', at most 366 days on"]})
    offer_id = _int_arg("offer", 0, 1, 2**31 - 1) if "offer" in request.args else None
    found = queries.sessions_between(start, end, queries.Filters(), offer_id=offer_id)
    return _page(found, _session)


@bp.route("/<slug>/sessions/<int:session_id>")
@requires("sessions", "read")
@operation("One session", tag="catalogue", response=schemas.SessionSchema)
def session(session_id: int):
    found = db.session.execute(
        select(ActivitySession).where(ActivitySession.id == session_id)
    ).scalar_one_or_none()
    if found is None or perm.VIEW not in perm.rights(found.offer, memberships()):
        raise ApiError(404, "not_found")
    return _session(found)


@_dumped(schemas.PartnerSchema)
def _partner(p: Partner) -> dict:
    return {
        "id": p.id,
        "name": p.name,
        "sector": str(p.sector),
        "description": p.description,
        "website": p.website,
        "languages": list(p.languages or []),
    }


def _active_partners():
    return select(Partner).where(Partner.state == PartnerState.ACTIVE)


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
    query = _active_partners().order_by(Partner.name)
    sector = request.args.get("sector")
    if sector is not None:
        if sector not in {s.value for s in Sector}:
            raise ApiError(400, "bad_request", details={"sector": ["unknown sector"]})
        query = query.where(Partner.sector == sector)
    return _page(db.session.execute(query).scalars().all(), _partner)


@bp.route("/<slug>/partners/<int:partner_id>")
@requires("partners", "read")
@operation("One active partner", tag="partners", response=schemas.PartnerSchema)
def partner(partner_id: int):
    found = db.session.execute(
        _active_partners().where(Partner.id == partner_id)
    ).scalar_one_or_none()
    if found is None:
        raise ApiError(404, "not_found")
    return _partner(found)


# --- referrals ----------------------------------------------------------------------------------


def _my_ids() -> set[int]:
    return {p.id for p in acting_partners()}


@_dumped(schemas.ReferralSchema)
def _referral(r: Referral, mine: set[int], consents: dict | None = None) -> dict:
    who = referrals.side(r, mine)
    consent = consents.get(r.id) if consents is not None else referrals.current_consent(r)
    return {
        "id": r.id,
        "direction": "sent" if who == "sender" else "received",
        "from_partner_id": r.from_partner_id,
        "to_partner_id": r.to_partner_id,
        "offer_id": r.offer_id,
        "session_id": r.session_id,
        "status": str(r.status),
        "allowed_transitions": sorted(str(s) for s in referrals.allowed_moves(r, who)),
        "urgent": r.urgent,
        "decline_reason": str(r.decline_reason) if r.decline_reason else None,
        "outcome": str(r.outcome) if r.outcome else None,
        "created_at": r.created_at,
        "sent_at": r.sent_at,
        "responded_at": r.responded_at,
        "closed_at": r.closed_at,
        "response_due_at": r.response_due_at,
        "anonymised": r.anonymised_at is not None,
        "family": {
            "family_label": r.family_label,
            "question": r.question,
            "contact_way": r.contact_way,
            "contact_value": r.contact_value,
            "age_bands": r.list_of("age_bands"),
            "languages": r.list_of("languages"),
            "neighbourhood": r.neighbourhood,
            "themes": r.list_of("themes"),
            "preferred_days": r.list_of("preferred_days"),
            "preferred_times": r.list_of("preferred_times"),
            "urgent": r.urgent,
        },
        "consent": {
            "given_by": consent.given_by,
            "purpose": consent.purpose,
            "given_at": consent.given_at,
            "text_version": consent.text_version,
        }
        if consent
        else None,
    }


def _referral_or_404(referral_id: int) -> tuple[Referral, str, int]:
    """Only the sender's and the receiver's people ever learn that a referral exists."""
    found = db.session.execute(
        select(Referral).where(Referral.id == referral_id)
    ).scalar_one_or_none()
    who = referrals.side(found, _my_ids()) if found is not None else None
    if who is None:
        raise ApiError(404, "not_found")
    partner_id = found.from_partner_id if who == "sender" else found.to_partner_id
    return found, who, partner_id


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
    mine = _my_ids()
    box = "out" if request.args.get("box") == "out" else "in"
    column = Referral.from_partner_id if box == "out" else Referral.to_partner_id
    query = select(Referral).where(column.in_(mine))
    if box == "in":
        query = query.where(Referral.status != Status.DRAFT)
    status = request.args.get("status", "")
    if status in {s.value for s in Status}:
        query = query.where(Referral.status == status)
    elif status == "open":
        query = query.where(Referral.status.in_([s for s in Status if s.is_open]))
    elif status:
        raise ApiError(400, "bad_request", details={"status": ["unknown status"]})
    page, per_page = _paging()
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = (
        db.session.execute(
            query.order_by(Referral.id.desc()).offset((page - 1) * per_page).limit(per_page)
        )
        .scalars()
        .all()
    )
    record_reads("referral.listed", Referral, [r.id for r in rows])
    consents = _current_consents([r.id for r in rows])
    return _page(rows, lambda r: _referral(r, mine, consents), total, sliced=True)


def _current_consents(referral_ids: list[int]) -> dict:
    """The latest consent still in force of each referral on the page, in one query."""
    found = {}
    for consent in db.session.execute(
        select(Consent)
        .where(Consent.referral_id.in_(referral_ids), Consent.withdrawn_at.is_(None))
        .order_by(Consent.id)
    ).scalars():
        found[consent.referral_id] = consent
    return found


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
    data = schemas.ReferralCreateSchema().load(_json_body())
    mine = acting_partners()
    if not mine:
        raise ApiError(403, "forbidden")
    from_partner = next((p for p in mine if p.id == g.api_token.partner_id), mine[0])
    to_partner = db.session.execute(
        select(Partner).where(Partner.id == data["to_partner_id"])
    ).scalar_one_or_none()
    offer = session = None
    if data["offer_id"]:
        offer = db.session.execute(
            select(Offer).where(Offer.id == data["offer_id"], Offer.published_at.is_not(None))
        ).scalar_one_or_none()
    if data["session_id"]:
        session = db.session.execute(
            select(ActivitySession).where(ActivitySession.id == data["session_id"])
        ).scalar_one_or_none()
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
        _referral(created, _my_ids()),
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
    found, who, partner_id = _referral_or_404(referral_id)
    if who == "receiver":
        referrals.mark_received(found, current_user, partner_id)
    record("referral.viewed", found, via="api")
    return _referral(found, _my_ids())


@bp.route("/<slug>/referrals/<int:referral_id>/transitions", methods=["POST"])
@requires("referrals", "write")
@operation(
    "Move a referral one step in its lifecycle (the side you are on decides which steps exist)",
    tag="referrals",
    body=schemas.TransitionSchema,
    response=schemas.ReferralSchema,
)
def referral_transition(referral_id: int):
    found, _who, partner_id = _referral_or_404(referral_id)
    data = schemas.TransitionSchema().load(_json_body())
    try:
        referrals.move(
            found,
            Status(data["status"]),
            user=current_user,
            partner_id=partner_id,
            reason=data["reason"],
            outcome=data["outcome"],
        )
    except referrals.ReferralError as exc:
        status, code = (409, "conflict") if exc.field == "status" else (422, "validation_error")
        raise ApiError(status, code, str(exc), {exc.field or "_schema": [str(exc)]}) from None
    return _referral(found, _my_ids())


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
    found, _who, partner_id = _referral_or_404(referral_id)
    data = schemas.MessageSchema().load(_json_body())
    try:
        referrals.add_message(found, data["body"], user=current_user, partner_id=partner_id)
    except referrals.ReferralError as exc:
        raise ApiError(409, "conflict", str(exc), {exc.field or "body": [str(exc)]}) from None
    return _referral(found, _my_ids()), 201


# --- notifications ------------------------------------------------------------------------------


@_dumped(schemas.NotificationSchema)
def _notification(n: Notification) -> dict:
    return {
        "id": n.id,
        "kind": n.kind,
        "subject": n.subject,
        "link": n.link,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


@bp.route("/<slug>/notifications")
@requires("notifications", "read")
@operation(
    "The notices of the person who created the token, newest first",
    tag="notifications",
    params=[
        {"name": "unread", "in": "query", "schema": {"type": "string", "enum": ["1", "true"]}},
        *PAGE_PARAMS,
    ],
    response=schemas.NotificationPage,
)
def notifications():
    query = select(Notification).where(Notification.user_id == current_user.id)
    if request.args.get("unread") in {"1", "true"}:
        query = query.where(Notification.read_at.is_(None))
    page, per_page = _paging()
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = (
        db.session.execute(
            query.order_by(Notification.id.desc()).offset((page - 1) * per_page).limit(per_page)
        )
        .scalars()
        .all()
    )
    return _page(rows, _notification, total, sliced=True)


@bp.route("/<slug>/notifications/<int:notification_id>/read", methods=["POST"])
@requires("notifications", "write")
@operation("Mark one notice read", tag="notifications", response=schemas.NotificationSchema)
def notification_read(notification_id: int):
    found = db.session.execute(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == current_user.id
        )
    ).scalar_one_or_none()
    if found is None:
        raise ApiError(404, "not_found")
    found.read_at = found.read_at or utcnow()
    return _notification(found)
