from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from blueprints.forms import choices, email_field, name_field
from saas.accounts.passwords import MIN_PASSWORD_LENGTH
from tenants.models import LANGUAGES


def _password(label):
    return PasswordField(
        label, validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )


def _confirm():
    return PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class ForgotForm(FlaskForm):
    email = email_field()


class ResetForm(FlaskForm):
    password = _password(_l("New password"))
    confirm = _confirm()


class AcceptInvitationForm(FlaskForm):
    name = name_field(_l("Your name"))
    language = SelectField(_l("Language"), choices=lambda: choices(LANGUAGES.items()))
    password = _password(_l("Choose a password"))
    confirm = _confirm()


class ConfirmForm(FlaskForm):
    """A button-only form: CSRF protection for POST actions."""


class AccountForm(FlaskForm):
    name = name_field(_l("Your name"))
    language = SelectField(_l("Language"), choices=lambda: choices(LANGUAGES.items()))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    password = _password(_l("New password"))
    confirm = _confirm()


class SecondFactorForm(FlaskForm):
    """The second step: a code from the authenticator app, or a recovery code."""

    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(), Length(max=40)],
    )


class AddAppForm(FlaskForm):
    code = StringField(
        _l("The 6-digit code your app shows now"), validators=[DataRequired(), Length(max=40)]
    )
    label = StringField(
        _l("A name for this app (for example, the phone it is on)"),
        validators=[Length(max=100)],
    )
