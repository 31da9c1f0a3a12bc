from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from blueprints.forms import choices, email_field, name_field, slug_field
from saas.accounts.passwords import MIN_PASSWORD_LENGTH
from saas.billing.plans import INTERVAL_LABELS, PLANS
from tenants.models import LANGUAGES


class StartNetworkForm(FlaskForm):
    network_name = StringField(
        _l("Name of the network"), validators=[DataRequired(), Length(min=2, max=200)]
    )
    slug = slug_field()
    municipality = StringField(
        _l("Municipality"), validators=[DataRequired(), Length(min=2, max=200)]
    )
    contact_name = name_field(_l("Your name"))
    email = email_field(_l("Your work e-mail address"))
    language = SelectField(_l("Language"), choices=lambda: choices(LANGUAGES.items()))


class SignupAccountForm(FlaskForm):
    name = name_field(_l("Your name"))
    language = SelectField(_l("Language"), choices=lambda: choices(LANGUAGES.items()))
    password = PasswordField(
        _l("Choose a password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class CheckoutForm(FlaskForm):
    plan = RadioField(
        _l("Plan"),
        choices=lambda: choices((code, plan.label) for code, plan in PLANS.items()),
        validators=[DataRequired(message=_l("Please choose a plan."))],
    )
    interval = RadioField(
        _l("Pay"),
        choices=lambda: choices(INTERVAL_LABELS.items()),
        default="yearly",
        validators=[DataRequired(message=_l("Please choose how often to pay."))],
    )
