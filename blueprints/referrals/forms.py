from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from blueprints.catalogue.forms import WEEKDAY_CHOICES
from blueprints.forms import choices, id_within_bounds
from blueprints.partner.forms import CheckboxList
from saas.catalogue.display import DAYPARTS
from saas.catalogue.models import AGE_BANDS
from saas.partners.models import SPOKEN_LANGUAGES
from saas.referrals.models import DECLINE_LABELS, OUTCOME_LABELS

TIMES = DAYPARTS


class ReferralForm(FlaskForm):
    from_partner_id = SelectField(_l("Referred by"), coerce=int, validators=[InputRequired()])
    # the choices are only those the service accepts; what else is posted gets its message
    to_partner_id = SelectField(
        _l("Refer to"),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(), id_within_bounds()],
    )
    offer_id = SelectField(
        _l("Activity (optional)"),
        coerce=int,
        default=0,
        validate_choice=False,
        validators=[id_within_bounds()],
    )
    session_id = SelectField(
        _l("Session (optional)"),
        coerce=int,
        default=0,
        validate_choice=False,
        validators=[id_within_bounds()],
    )
    family_label = StringField(
        _l("Label for the family"),
        validators=[DataRequired(), Length(max=60)],
        description=_l(
            "Something you will recognise, for example “mother of Amir, Monday group”. No full name needed."
        ),
    )
    question = TextAreaField(
        _l("The family's question"), validators=[DataRequired(), Length(max=3000)]
    )
    themes = StringField(
        _l("Themes"), validators=[Length(max=300)], description=_l("Separate with commas.")
    )
    age_bands = CheckboxList(
        _l("Ages of the children"),
        choices=lambda: choices((c, label) for c, _lo, _hi, label in AGE_BANDS),
    )
    languages = CheckboxList(
        _l("Languages the family speaks"), choices=lambda: choices(SPOKEN_LANGUAGES)
    )
    neighbourhood = StringField(_l("Neighbourhood"), validators=[Length(max=100)])
    preferred_days = CheckboxList(
        _l("Days that suit the family"), choices=lambda: choices(WEEKDAY_CHOICES)
    )
    preferred_times = CheckboxList(_l("Times that suit the family"), choices=lambda: choices(TIMES))
    urgent = BooleanField(_l("Urgent"))
    contact_way = RadioField(
        _l("How can the partner reach the family?"),
        default="sender",
        choices=lambda: choices(
            [
                ("sender", _l("Through us")),
                ("phone", _l("By phone (the family agreed)")),
                ("email", _l("By e-mail (the family agreed)")),
            ]
        ),
    )
    contact_value = StringField(
        _l("Phone number or e-mail address"), validators=[Optional(), Length(max=120)]
    )
    consent = BooleanField(_l("The family agrees that we pass on this question to this partner"))
    consent_given_by = SelectField(
        _l("Consent given by"),
        choices=lambda: choices(
            [
                ("parent", _l("A parent")),
                ("guardian", _l("A guardian")),
                ("young_person", _l("The young person")),
            ]
        ),
    )
    consent_purpose = StringField(
        _l("For what"),
        validators=[Length(max=300)],
        default="",
        description=_l("For example: to be contacted about the toddler group."),
    )


class DeclineForm(FlaskForm):
    reason = SelectField(
        _l("Reason"),
        validators=[DataRequired()],
        choices=lambda: [
            *choices([("", _l("Choose a reason"))]),
            *choices((k.value, v) for k, v in DECLINE_LABELS.items()),
        ],
    )


class CompleteForm(FlaskForm):
    outcome = SelectField(
        _l("Outcome"),
        validators=[DataRequired()],
        choices=lambda: [
            *choices([("", _l("Choose the outcome"))]),
            *choices((k.value, v) for k, v in OUTCOME_LABELS.items()),
        ],
    )


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=1000)])
