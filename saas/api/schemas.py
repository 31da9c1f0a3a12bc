"""marshmallow schemas of the JSON API: what goes out, what may come in. The OpenAPI document is
generated from these, so the documentation and the validation cannot drift apart.

The output schemas dump the models themselves (a referral: a `ReferralView`, the referral as one
side sees it); the views build no dicts of their own."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from marshmallow import RAISE, Schema, fields, missing, validate

from saas.catalogue.models import AGE_BANDS
from saas.referrals.models import (
    CONSENT_GIVERS,
    CONTACT_WAYS,
    Consent,
    DeclineReason,
    Outcome,
    Referral,
    Status,
)
from saas.referrals.services import MAX_MESSAGE, allowed_moves

AGE_BAND_CODES = [code for code, *_ in AGE_BANDS]
DAYS = ["mo", "tu", "we", "th", "fr", "sa", "su"]
TIMES = ["morning", "afternoon", "evening"]


class ErrorBody(Schema):
    code = fields.String(
        required=True, metadata={"description": "Machine-readable code", "example": "not_found"}
    )
    message = fields.String(required=True, metadata={"description": "In the Accept-Language"})
    details = fields.Dict(
        required=True, metadata={"description": "Per field, the problems found (may be empty)"}
    )


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody, required=True)


# --- fields for reading the models as they are stored ----------------------------------------


class ClockTime(fields.String):
    """A wall-clock time as HH:MM."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{value:%H:%M}"


class TextList(fields.List):
    """Strings kept as a list or as comma-separated text; an empty list when unset."""

    def __init__(self, **kwargs):
        super().__init__(fields.String(), **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, str):
            value = [item for item in value.split(",") if item]
        return super()._serialize(value or [], attr, obj, **kwargs)


class IsSet(fields.Boolean):
    """Whether the attribute (a timestamp, say) is set."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value is not None


class DateTimeOr(fields.DateTime):
    """A datetime attribute, or another one while it is unset."""

    def __init__(self, fallback: str, **kwargs):
        super().__init__(**kwargs)
        self.fallback = fallback

    def get_value(self, obj, attr, accessor=None, default=missing):
        value = super().get_value(obj, attr, accessor, default)
        return getattr(obj, self.fallback) if value is None else value


class PageMeta(Schema):
    """Dumps a page of a list: its items, `page`, `per_page`, `total` and `pages`."""

    page = fields.Integer(required=True, metadata={"example": 1})
    per_page = fields.Integer(required=True, metadata={"example": 25})
    total = fields.Integer(required=True, metadata={"example": 3})
    pages = fields.Integer(required=True, metadata={"example": 1})


# --- catalogue ----------------------------------------------------------------------------------


class OrganiserSchema(Schema):
    partner_id = fields.Integer(required=True)
    role = fields.String(required=True, metadata={"enum": ["organiser", "speaker", "host"]})


class LocationSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    address = fields.String(required=True)
    neighbourhood = fields.String(required=True)


class OfferSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True, metadata={"example": "Voorschools klasje"})
    description = fields.String(required=True)
    partner_id = fields.Integer(required=True)
    organisers = fields.List(fields.Nested(OrganiserSchema), required=True)
    type = fields.String(required=True, attribute="type.code", metadata={"example": "oudersalon"})
    location = fields.Nested(LocationSchema, required=True)
    action_lines = fields.List(
        fields.Integer(),
        required=True,
        attribute="action_line_list",
        metadata={"example": [1, 2]},
    )
    age_min_months = fields.Integer(required=True)
    age_max_months = fields.Integer(required=True)
    themes = fields.List(fields.String(), required=True, attribute="theme_list")
    languages = fields.List(
        fields.String(),
        required=True,
        attribute="language_list",
        metadata={"example": ["nl", "tr"]},
    )
    cost_kind = fields.String(required=True, metadata={"enum": ["free", "amount", "reduced"]})
    cost_cents = fields.Integer(required=True, allow_none=True)
    registration_required = fields.Boolean(required=True)
    capacity = fields.Integer(required=True, allow_none=True)
    start_date = fields.Date(required=True)
    start_time = ClockTime(required=True, metadata={"example": "09:30"})
    end_time = ClockTime(required=True, metadata={"example": "11:30"})
    rrule = fields.String(
        required=True, metadata={"example": "FREQ=WEEKLY;BYDAY=MO,FR;UNTIL=20270630"}
    )
    updated_at = DateTimeOr("created_at", required=True)  # never edited: when it was created


class OfferPage(PageMeta):
    items = fields.List(fields.Nested(OfferSchema), required=True)


class SessionSchema(Schema):
    id = fields.Integer(required=True)
    offer_id = fields.Integer(required=True)
    title = fields.String(required=True, attribute="offer.title")
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    status = fields.String(required=True, metadata={"enum": ["scheduled", "cancelled"]})
    moved = fields.Boolean(required=True)
    location_id = fields.Integer(required=True, attribute="place.id")  # moved: the new place
    note = fields.String(required=True)


class SessionPage(PageMeta):
    items = fields.List(fields.Nested(SessionSchema), required=True)


class PartnerSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    sector = fields.String(required=True)
    description = fields.String(required=True)
    website = fields.String(required=True)
    languages = TextList(required=True)


class PartnerPage(PageMeta):
    items = fields.List(fields.Nested(PartnerSchema), required=True)


# --- referrals ----------------------------------------------------------------------------------


class FamilySchema(Schema):
    """The family: minimal, only for the two partners involved, empty once anonymised."""

    class Meta:
        unknown = RAISE

    family_label = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60),
        metadata={"description": "A label the sender recognises; no full name needed"},
    )
    question = fields.String(required=True, validate=validate.Length(min=1, max=3000))
    contact_way = fields.String(load_default="sender", validate=validate.OneOf(CONTACT_WAYS))
    contact_value = fields.String(load_default="", validate=validate.Length(max=120))
    age_bands = fields.List(
        fields.String(validate=validate.OneOf(AGE_BAND_CODES)),
        load_default=list,
        validate=validate.Length(max=len(AGE_BAND_CODES)),
    )
    languages = fields.List(
        fields.String(validate=validate.Length(min=2, max=5)),
        load_default=list,
        validate=validate.Length(max=10),
    )
    neighbourhood = fields.String(load_default="", validate=validate.Length(max=100))
    themes = fields.List(
        fields.String(validate=validate.Length(min=1, max=40)),
        load_default=list,
        validate=validate.Length(max=10),
    )
    preferred_days = fields.List(
        fields.String(validate=validate.OneOf(DAYS)),
        load_default=list,
        validate=validate.Length(max=7),
    )
    preferred_times = fields.List(
        fields.String(validate=validate.OneOf(TIMES)),
        load_default=list,
        validate=validate.Length(max=3),
    )
    urgent = fields.Boolean(load_default=False)


class ConsentSchema(Schema):
    class Meta:
        unknown = RAISE

    given_by = fields.String(required=True, validate=validate.OneOf(CONSENT_GIVERS))
    purpose = fields.String(required=True, validate=validate.Length(min=1, max=300))


class ReferralCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    to_partner_id = fields.Integer(
        required=True, strict=True, validate=validate.Range(1, 2**31 - 1)
    )
    offer_id = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(1, 2**31 - 1)
    )
    session_id = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(1, 2**31 - 1)
    )
    send = fields.Boolean(
        load_default=True, metadata={"description": "false saves a draft (consent may follow)"}
    )
    family = fields.Nested(FamilySchema, required=True)
    consent = fields.Nested(
        ConsentSchema,
        load_default=None,
        allow_none=True,
        metadata={"description": "Required to send: who consented, for what"},
    )


MOVES = [
    Status.SENT,
    Status.ACCEPTED,
    Status.DECLINED,
    Status.IN_PROGRESS,
    Status.COMPLETED,
    Status.CLOSED,
    Status.CANCELLED,
]


class TransitionSchema(Schema):
    class Meta:
        unknown = RAISE

    status = fields.String(required=True, validate=validate.OneOf([s.value for s in MOVES]))
    reason = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf([r.value for r in DeclineReason]),
        metadata={"description": "Required when declining"},
    )
    outcome = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf([o.value for o in Outcome]),
        metadata={"description": "Required when completing"},
    )


class MessageSchema(Schema):
    class Meta:
        unknown = RAISE

    body = fields.String(required=True, validate=validate.Length(min=1, max=MAX_MESSAGE))


class FamilyOutSchema(Schema):
    """The family as the two partners see it (a Referral's family columns); empty strings and
    lists once anonymised."""

    family_label = fields.String(required=True)
    question = fields.String(required=True)
    contact_way = fields.String(required=True, metadata={"enum": list(CONTACT_WAYS)})
    contact_value = fields.String(required=True)
    age_bands = TextList(required=True)
    languages = TextList(required=True)
    neighbourhood = fields.String(required=True)
    themes = TextList(required=True)
    preferred_days = TextList(required=True)
    preferred_times = TextList(required=True)
    urgent = fields.Boolean(required=True)


class ConsentOutSchema(Schema):
    given_by = fields.String(required=True)
    purpose = fields.String(required=True)
    given_at = fields.DateTime(required=True)
    text_version = fields.String(required=True)


@dataclass(frozen=True)
class ReferralView:
    """What ReferralSchema dumps: a referral as one side sees it, with the consent in force."""

    referral: Referral
    side: str | None  # "sender" or "receiver" (referrals.services.side)
    consent: Consent | None

    @property
    def direction(self) -> str:
        return "sent" if self.side == "sender" else "received"

    @property
    def allowed_transitions(self) -> list[str]:
        return sorted(str(s) for s in allowed_moves(self.referral, self.side))


class ReferralSchema(Schema):
    """Dumps a `ReferralView`."""

    id = fields.Integer(required=True, attribute="referral.id")
    direction = fields.String(required=True, metadata={"enum": ["sent", "received"]})
    from_partner_id = fields.Integer(required=True, attribute="referral.from_partner_id")
    to_partner_id = fields.Integer(required=True, attribute="referral.to_partner_id")
    offer_id = fields.Integer(required=True, allow_none=True, attribute="referral.offer_id")
    session_id = fields.Integer(required=True, allow_none=True, attribute="referral.session_id")
    status = fields.String(
        required=True, attribute="referral.status", metadata={"enum": [s.value for s in Status]}
    )
    allowed_transitions = fields.List(fields.String(), required=True)
    urgent = fields.Boolean(required=True, attribute="referral.urgent")
    decline_reason = fields.String(
        required=True, allow_none=True, attribute="referral.decline_reason"
    )
    outcome = fields.String(required=True, allow_none=True, attribute="referral.outcome")
    created_at = fields.DateTime(required=True, attribute="referral.created_at")
    sent_at = fields.DateTime(required=True, allow_none=True, attribute="referral.sent_at")
    responded_at = fields.DateTime(
        required=True, allow_none=True, attribute="referral.responded_at"
    )
    closed_at = fields.DateTime(required=True, allow_none=True, attribute="referral.closed_at")
    response_due_at = fields.DateTime(
        required=True, allow_none=True, attribute="referral.response_due_at"
    )
    anonymised = IsSet(required=True, attribute="referral.anonymised_at")
    family = fields.Nested(FamilyOutSchema, required=True, attribute="referral")
    consent = fields.Nested(ConsentOutSchema, required=True, allow_none=True)


class ReferralPage(PageMeta):
    items = fields.List(fields.Nested(ReferralSchema), required=True)


# --- notifications ------------------------------------------------------------------------------


class NotificationSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    subject = fields.String(required=True)
    link = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(required=True, allow_none=True)


class NotificationPage(PageMeta):
    items = fields.List(fields.Nested(NotificationSchema), required=True)


ERROR_CODES = {
    "bad_request": _l("The request could not be understood."),
    "invalid_json": _l("The body must be a JSON object."),
    "validation_error": _l("Some values are missing or not valid."),
    "unauthorized": _l("Send an API token in the Authorization header: Bearer <token>."),
    "invalid_token": _l("This API token is not valid."),
    "token_expired": _l("This API token has expired."),
    "token_revoked": _l("This API token has been revoked."),
    "token_inactive": _l("The person or partner behind this API token no longer has access."),
    "insufficient_scope": _l("This API token does not allow this."),
    "forbidden": _l("You do not have the rights to do this."),
    "read_only": _l(
        "This network is read-only: its subscription has ended. Everything can still be read."
    ),
    "closed": _l("This network has been closed: nothing can be changed any more."),
    "not_found": _l("This does not exist, or you cannot see it."),
    "method_not_allowed": _l("This method is not possible here."),
    "conflict": _l("This step is not possible now."),
    "too_large": _l("The request is too large."),
    "unsupported_media_type": _l("Send JSON (Content-Type: application/json)."),
    "rate_limited": _l("Too many requests for this token. Please wait and try again."),
    "server_error": _l("An unexpected error occurred. We have been notified."),
}
