from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from blueprints.forms import choices, email_field, name_field, sector_field
from tenants.models import LANGUAGES, ROLE_LABELS, Role

NETWORK_ROLES = (Role.STEWARD, Role.SE_COORDINATOR, Role.SE_WORKER, Role.MUNICIPALITY_VIEWER)


class InvitePartnerForm(FlaskForm):
    name = name_field(_l("Organisation name"))
    sector = sector_field()
    contact_email = email_field(_l("Contact e-mail (becomes the partner's administrator)"))


class UploadCsvForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(), FileAllowed(["csv", "txt"], _l("Please choose a .csv file."))],
    )


class ConfirmCsvForm(FlaskForm):
    payload = HiddenField(validators=[DataRequired()])


class InvitePersonForm(FlaskForm):
    email = email_field()
    role = SelectField(
        _l("Role"),
        choices=lambda: choices((r.value, ROLE_LABELS[r]) for r in NETWORK_ROLES),
        validators=[DataRequired()],
    )


class NetworkSettingsForm(FlaskForm):
    name = StringField(_l("Network name"), validators=[DataRequired(), Length(min=2, max=200)])
    municipality = StringField(
        _l("Municipality"), validators=[DataRequired(), Length(min=2, max=200)]
    )
    default_language = SelectField(
        _l("Default language"), choices=lambda: choices(LANGUAGES.items())
    )
    require_two_factors = BooleanField(
        _l("Require two factors from partners and the social-economy team"),
        description=_l(
            "Everyone who can open referrals or the reasons on roster cards then signs in with "
            "a password and a second factor (an authenticator app or a passkey). Whoever has "
            "none yet sets one up right after the password."
        ),
    )


__all__ = [
    "ConfirmCsvForm",
    "InvitePartnerForm",
    "InvitePersonForm",
    "NetworkSettingsForm",
    "UploadCsvForm",
]
