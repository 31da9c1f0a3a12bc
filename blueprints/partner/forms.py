from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import URL, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from blueprints.forms import choices, email_field
from saas.partners.models import SPOKEN_LANGUAGES
from tenants.models import ROLE_LABELS, Role


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(FlaskForm):
    description = TextAreaField(
        _l("What does your organisation offer families?"), validators=[Length(max=4000)]
    )
    address = StringField(_l("Address"), validators=[Length(max=300)])
    phone = StringField(
        _l("Phone"),
        validators=[
            Optional(),
            Length(max=40),  # the pattern's $ also lets a 41st character through: a line end
            Regexp(r"^[0-9+()./\s-]{6,40}$", message=_l("Please give a phone number.")),
        ],
    )
    website = StringField(
        _l("Website"),
        validators=[
            Optional(),
            URL(message=_l("Please give a full web address.")),
            Length(max=300),
        ],
    )
    languages = CheckboxList(
        _l("Languages spoken with families"), choices=lambda: choices(SPOKEN_LANGUAGES)
    )


class InviteColleagueForm(FlaskForm):
    email = email_field()
    role = SelectField(
        _l("Role"),
        choices=lambda: choices(
            (r.value, ROLE_LABELS[r]) for r in (Role.PARTNER_MEMBER, Role.PARTNER_ADMIN)
        ),
    )
