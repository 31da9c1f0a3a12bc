"""No text is accepted that the database cannot keep: what every form and every input schema lets
through fits the column it is written to, and where the stored value is made from the typed one
(themes joined, lower-cased), the service checks what it is about to store. The same on
SQLite (which would keep anything) as on PostgreSQL (which would answer a 500)."""

from __future__ import annotations

import pytest
from marshmallow import Schema, fields, validate
from sqlalchemy import String, Text
from sqlalchemy.orm import InstrumentedAttribute
from wtforms import EmailField, PasswordField, SearchField, StringField, TextAreaField, URLField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

from blueprints.admin.views import NetworkForm
from blueprints.api.tokens import TokenForm
from blueprints.auth import forms as auth_forms
from blueprints.auth.keys import KeyAssertionForm, KeyForm
from blueprints.billing.forms import SignupAccountForm, StartNetworkForm
from blueprints.catalogue import forms as catalogue_forms
from blueprints.catalogue.imports import ConfirmOffersForm
from blueprints.network.forms import (
    ConfirmCsvForm,
    InvitePartnerForm,
    InvitePersonForm,
    NetworkSettingsForm,
)
from blueprints.partner.forms import InviteColleagueForm
from blueprints.partner.forms import ProfileForm as PartnerProfileForm
from blueprints.referrals.forms import MessageForm, ReferralForm
from blueprints.referrals.privacy import FamilySearchForm
from blueprints.social_economy import forms as team_forms
from blueprints.social_economy.views import InviteWorkerForm
from blueprints.sso_providers import ProviderForm
from saas.accounts.models import SecondFactor, User
from saas.api import schemas as api_schemas
from saas.api.models import ApiToken
from saas.billing.models import NetworkSignup
from saas.catalogue.models import ActivitySession, Closure, Location, Offer, OfferType
from saas.catalogue.schemas import OfferRowSchema
from saas.partners.models import Partner
from saas.partners.schemas import PartnerInviteSchema, PartnerProfileSchema
from saas.referrals.models import Consent, Referral, ReferralMessage
from saas.sso.models import NetworkProvider
from saas.workforce.models import FlexibilityCard, SchoolWish, TeamSlot, WorkerProfile
from tenants.models import Invitation, Network, Role

NOT_STORED = None  # checked, compared or hashed, never kept as typed
DERIVED = "derived"  # stored after joining or lower-casing: the service checks the result

# Each form or input schema, the model it writes and, where a field's name is not the column's,
# where it goes. Every text field must be accounted for: a new one fails here until it is.
WRITES: dict[type, tuple[type | None, dict]] = {
    NetworkForm: (Network, {"steward_email": Invitation.email}),
    TokenForm: (ApiToken, {}),
    auth_forms.LoginForm: (None, {"email": NOT_STORED, "password": NOT_STORED}),
    auth_forms.ForgotForm: (None, {"email": NOT_STORED}),
    auth_forms.ResetForm: (None, {"password": NOT_STORED, "confirm": NOT_STORED}),
    auth_forms.AcceptInvitationForm: (User, {"password": NOT_STORED, "confirm": NOT_STORED}),
    auth_forms.AccountForm: (User, {}),
    auth_forms.ChangePasswordForm: (
        None,
        {"current": NOT_STORED, "password": NOT_STORED, "confirm": NOT_STORED},
    ),
    StartNetworkForm: (NetworkSignup, {}),
    SignupAccountForm: (User, {"password": NOT_STORED, "confirm": NOT_STORED}),
    catalogue_forms.OfferForm: (
        Offer,
        {"themes": DERIVED}
        | {f"title_{c}": NOT_STORED for c in ("en", "fr", "tr", "ar")}  # JSON translations
        | {f"description_{c}": NOT_STORED for c in ("en", "fr", "tr", "ar")},
    ),
    catalogue_forms.HideForm: (Offer, {"reason": Offer.hidden_reason}),
    catalogue_forms.CancelForm: (ActivitySession, {"reason": ActivitySession.note}),
    catalogue_forms.CorrectSessionForm: (
        ActivitySession,
        {"reason": ActivitySession.note, "held": NOT_STORED},
    ),
    catalogue_forms.LocationForm: (Location, {}),
    catalogue_forms.ClosureForm: (Closure, {}),
    catalogue_forms.OfferTypeForm: (OfferType, {}),
    InvitePartnerForm: (Partner, {}),
    InvitePersonForm: (Invitation, {}),
    NetworkSettingsForm: (Network, {}),
    PartnerProfileForm: (Partner, {}),
    InviteColleagueForm: (Invitation, {}),
    ReferralForm: (Referral, {"themes": DERIVED, "consent_purpose": Consent.purpose}),
    MessageForm: (ReferralMessage, {}),
    FamilySearchForm: (None, {"term": NOT_STORED}),
    team_forms.ProfileForm: (WorkerProfile, {}),
    team_forms.CardForm: (FlexibilityCard, {"reason": FlexibilityCard.private_reason}),
    team_forms.TeamSlotForm: (TeamSlot, {}),
    team_forms.WishForm: (SchoolWish, {}),
    InviteWorkerForm: (Invitation, {}),
    # input schemas (the API's, the CSV files')
    api_schemas.FamilySchema: (Referral, {"themes": DERIVED}),
    api_schemas.ConsentSchema: (Consent, {}),
    api_schemas.MessageSchema: (ReferralMessage, {}),
    api_schemas.TransitionSchema: (
        Referral,
        {"status": Referral.status, "reason": Referral.decline_reason},
    ),
    OfferRowSchema: (
        Offer,
        {
            "type": NOT_STORED,  # looked up by name
            "location": NOT_STORED,
            "repeat": NOT_STORED,  # read into the rule
            "days": NOT_STORED,
            "languages": NOT_STORED,  # read as codes
            "cost": NOT_STORED,  # read as an amount
            "action_lines": NOT_STORED,
            "registration": Offer.registration_note,  # "ja: via de school" keeps the note
            "themes": DERIVED,
        },
    ),
    PartnerInviteSchema: (Partner, {}),
    PartnerProfileSchema: (Partner, {}),
    # second factors and sign-in providers
    auth_forms.SecondFactorForm: (None, {"code": NOT_STORED}),
    auth_forms.AddAppForm: (SecondFactor, {"code": NOT_STORED}),
    KeyForm: (SecondFactor, {"credential": NOT_STORED}),  # read into the key's columns
    KeyAssertionForm: (None, {"credential": NOT_STORED}),
    ProviderForm: (
        NetworkProvider,
        {
            "client_secret": NOT_STORED,  # sealed into client_secret_sealed (Text)
            "domains": NetworkProvider.allowed_domains,
        },
    ),
    # signed payloads of a preview, read back and checked again, never stored
    ConfirmCsvForm: (None, {"payload": NOT_STORED}),
    ConfirmOffersForm: (
        None,
        {"payload": NOT_STORED, "partner_id": NOT_STORED, "publish": NOT_STORED},
    ),
}

FORM_TEXT = (StringField, TextAreaField, EmailField, URLField, SearchField, PasswordField)


def _form_fields(form_class) -> dict[str, tuple[int | None, int | None]]:
    """Text field name → (longest text accepted, None: not a list)."""
    found = {}
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        if not isinstance(unbound, UnboundField) or not issubclass(unbound.field_class, FORM_TEXT):
            continue
        validators = unbound.kwargs.get("validators") or []
        found[name] = (
            min((v.max for v in validators if isinstance(v, Length)), default=None),
            None,
        )
    return found


def _longest(field: fields.Field) -> int | None:
    maxima = []
    for validator in field.validators:
        if isinstance(validator, validate.Length) and validator.max is not None:
            maxima.append(validator.max)
        if isinstance(validator, validate.OneOf):
            maxima.append(max(len(str(choice)) for choice in validator.choices))
    return min(maxima, default=None)


def _schema_fields(schema_class) -> dict[str, tuple[int | None, int | None]]:
    """Text field name → (longest text accepted, most items for a list joined by commas)."""
    found = {}
    for name, field in schema_class._declared_fields.items():
        if isinstance(field, fields.List) and isinstance(field.inner, fields.String):
            found[name] = (_longest(field.inner), _longest(field))
        elif isinstance(field, fields.String):
            found[name] = (_longest(field), None)
    return found


def _fields(cls) -> dict:
    return _schema_fields(cls) if issubclass(cls, Schema) else _form_fields(cls)


def _problems(cls, model, columns) -> list[str]:
    problems = []
    for name, (longest, items) in _fields(cls).items():
        column = columns.get(name, getattr(model, name, None) if model else None)
        if column is NOT_STORED or isinstance(column, str):  # not stored, or DERIVED
            continue
        if not isinstance(column, InstrumentedAttribute):
            problems.append(f"{cls.__name__}.{name}: say which column it is written to")
            continue
        kind = column.property.columns[0].type
        if isinstance(kind, Text) or not isinstance(kind, String) or kind.length is None:
            continue
        accepted = None if longest is None else longest
        if items is not None:
            accepted = None if items is None or longest is None else items * longest + items - 1
        if accepted is None or accepted > kind.length:
            problems.append(
                f"{cls.__name__}.{name} accepts {accepted or 'any number of'} characters, "
                f"{column} keeps {kind.length}"
            )
    return problems


def test_every_form_and_input_schema_accepts_no_more_than_its_column_keeps():
    problems = [
        p for cls, (model, columns) in WRITES.items() for p in _problems(cls, model, columns)
    ]
    assert problems == []


def _classes():
    """Every form under blueprints/ and every schema under saas/ that loads input (those that
    only dump set no `Meta.unknown`)."""
    import importlib
    import pkgutil

    import blueprints
    import saas

    for package in (blueprints, saas):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" in info.name or ".demo" in info.name:
                continue
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if isinstance(value, type) and value.__module__ == module.__name__:
                    yield value


def test_no_form_or_input_schema_is_left_out():
    from flask_wtf import FlaskForm

    left_out = []
    for cls in _classes():
        loads = issubclass(cls, Schema) and hasattr(getattr(cls, "Meta", None), "unknown")
        if (loads or issubclass(cls, FlaskForm)) and _fields(cls) and cls not in WRITES:
            left_out.append(f"{cls.__module__}.{cls.__name__}")
    assert left_out == []


# ---- what is made from the typed text is checked as it will be stored ---------------------

DOTTED_I = "İ"  # lower-cased, one character becomes two: "i" and a combining dot


@pytest.fixture
def beringen(app):
    from tests.world import build_network

    return build_network(app, "beringen")


def _referrals(app, cast) -> int:
    from sqlalchemy import func, select

    from saas.extensions import db
    from tenants.context import network_scope

    with app.app_context(), network_scope(cast.network.id):
        return db.session.execute(select(func.count()).select_from(Referral)).scalar_one()


@pytest.mark.parametrize(
    "themes",
    [
        ["t" * 40] * 10,  # each allowed, 409 characters joined
        [DOTTED_I * 40] * 7,  # 286 typed, 566 lower-cased
    ],
    ids=["joined", "lower-cased"],
)
def test_themes_too_long_once_joined_are_refused_by_the_api_and_nothing_is_kept(
    app, beringen, themes
):
    from tests.api_support import bearer, token_for

    secret, _id = token_for(app, beringen, ["referrals:write"])
    before = _referrals(app, beringen)
    response = app.test_client().post(
        "/api/v1/beringen/referrals",
        json={
            "to_partner_id": beringen.partner_b.id,
            "family": {"family_label": "Gezin Z.", "question": "Een vraag", "themes": themes},
            "consent": {"given_by": "parent", "purpose": "Doorverwijzing"},
        },
        headers=bearer(secret, **{"Accept-Language": "en"}),
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"] == {
        "themes": ["The themes are too long together (at most 300 characters)."]
    }
    assert _referrals(app, beringen) == before


def test_themes_too_long_once_lower_cased_are_refused_on_the_web_form(app, beringen):
    from tests import factories as f

    client = app.test_client()
    f.login(client, beringen.people[Role.PARTNER_ADMIN])
    before = _referrals(app, beringen)
    page = client.post(
        "/beringen/referrals/new?lang=en",
        data={
            "from_partner_id": beringen.partner_a.id,
            "to_partner_id": beringen.partner_b.id,
            "family_label": "Gezin Z.",
            "question": "Een vraag",
            "themes": DOTTED_I * 300,  # the form allows 300; stored, it would be 600
            "contact_way": "sender",
            "consent": "y",
            "consent_given_by": "parent",
            "consent_purpose": "Doorverwijzing",
        },
    )
    assert page.status_code == 422
    assert "The themes are too long together (at most 300 characters)." in page.get_data(
        as_text=True
    )
    assert _referrals(app, beringen) == before


def test_offer_themes_too_long_once_lower_cased_are_refused_in_a_spreadsheet(app):
    import io

    from saas.partners.models import Sector
    from tests import catalogue_factories as cf
    from tests import factories as f

    net = f.network(app, "beringen")
    inz = f.partner(app, net, "IN-Z vzw", Sector.SOCIAL_ECONOMY)
    cf.place(app, net, name="Buurthuis De Kolonie")
    cf.type_id(app, net)
    admin = f.user(app, "admin@in-z.example", (net, Role.PARTNER_ADMIN, inz))
    client = app.test_client()
    f.login(client, admin)
    text = (
        "titel;soort;locatie;datum;van;tot;thema's\n"
        f"Kookatelier;Oudersalon (niet-thematisch);Buurthuis De Kolonie;03/03/2027;9u30;11:30;"
        f"{DOTTED_I * 400}\n"  # the schema allows 400; stored, it would be 800 of 500
    )
    page = client.post(
        "/beringen/catalogue/import?lang=en",
        data={"partner_id": str(inz.id), "file": (io.BytesIO(text.encode()), "aanbod.csv")},
        content_type="multipart/form-data",
    )
    body = page.get_data(as_text=True)
    assert "The themes are too long together (at most 500 characters)." in body
    assert 'name="payload"' not in body  # nothing to confirm: nothing can be imported


def test_a_partner_e_mail_too_long_once_lower_cased_is_refused_in_a_spreadsheet(app):
    import io

    from sqlalchemy import func, select

    from saas.extensions import db
    from tenants.context import network_scope
    from tests import factories as f

    net = f.network(app, "beringen")
    steward = f.user(app, "regie@beringen.example", (net, Role.STEWARD))
    client = app.test_client()
    f.login(client, steward)
    address = DOTTED_I * 64 + "@" + ".".join(["a" * 60, "b" * 60, "c" * 60, "be"])  # 250
    page = client.post(
        "/beringen/network/partners/import?lang=en",
        data={
            "file": (io.BytesIO(f"naam;sector;e-mail\nCKG;welzijn;{address}\n".encode()), "p.csv")
        },
        content_type="multipart/form-data",
    )
    assert page.status_code == 422
    with app.app_context(), network_scope(net.id):
        assert db.session.execute(select(func.count()).select_from(Partner)).scalar_one() == 0
