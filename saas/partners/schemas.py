"""marshmallow schemas: one partner invitation (form or CSV row) and the partner profile."""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

from saas.partners.models import SECTOR_LABELS, Sector

# Spellings people put in a spreadsheet, mapped to the sector codes.
SECTOR_ALIASES = {
    "welzijn": Sector.WELFARE,
    "gezondheid": Sector.HEALTH,
    "onderwijs": Sector.EDUCATION,
    "vrije tijd": Sector.LEISURE,
    "vrije tijd, cultuur en sport": Sector.LEISURE,
    "cultuur": Sector.LEISURE,
    "sport": Sector.LEISURE,
    "sociale economie": Sector.SOCIAL_ECONOMY,
    "lokaal bestuur": Sector.LOCAL_GOVERNMENT,
    "lokale overheid": Sector.LOCAL_GOVERNMENT,
    "gemeente": Sector.LOCAL_GOVERNMENT,
    "samenlevingsopbouw": Sector.COMMUNITY,
    "armoedeorganisatie": Sector.COMMUNITY,
    "gemeenschap": Sector.COMMUNITY,
}


def parse_sector(value: str) -> Sector:
    text = (value or "").strip().lower()
    for sector in Sector:
        if text in {sector.value, str(SECTOR_LABELS[sector]).lower()}:
            return sector
    if text in SECTOR_ALIASES:
        return SECTOR_ALIASES[text]
    raise ValidationError(_("Unknown sector “%(value)s”.", value=value))


class SectorField(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        return parse_sector(str(value))

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value)


class PartnerInviteSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    sector = SectorField(required=True)
    contact_email = fields.Email(required=True, validate=validate.Length(max=254))

    @pre_load
    def _strip(self, data, **kwargs):
        data = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        if isinstance(data.get("contact_email"), str):  # its length is checked as it is stored
            data["contact_email"] = data["contact_email"].lower()
        return data


class PartnerProfileSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    description = fields.String(load_default="", validate=validate.Length(max=4000))
    address = fields.String(load_default="", validate=validate.Length(max=300))
    phone = fields.String(
        load_default="",
        validate=[
            validate.Length(max=40),  # the pattern's $ also lets a line end through
            validate.Regexp(r"^[0-9+()./\s-]{0,40}$", error="invalid phone"),
        ],
    )
    website = fields.String(load_default="", validate=validate.Length(max=300))
    languages = fields.List(
        fields.String(validate=validate.Length(min=2, max=5)), load_default=list
    )
