"""Onboarding partners: invite one or many, suspend, re-send, complete the profile."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import func, select

from saas.accounts.models import User
from saas.audit.services import record
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner, PartnerState, Sector
from saas.partners.schemas import PartnerInviteSchema
from tenants import invitations
from tenants.models import Invitation, Membership, Network, Role

CSV_HEADERS = {
    "name": "name",
    "naam": "name",
    "organisatie": "name",
    "organisation": "name",
    "sector": "sector",
    "contact_email": "contact_email",
    "email": "contact_email",
    "e-mail": "contact_email",
    "contact": "contact_email",
}
MAX_CSV_ROWS = 500


class OnboardingError(ValueError):
    pass


def name_taken(name: str, *, exclude_id: int | None = None) -> bool:
    query = select(Partner.id).where(func.lower(Partner.name) == name.strip().lower())
    if exclude_id is not None:
        query = query.where(Partner.id != exclude_id)
    return db.session.execute(query).first() is not None


def invite_partner(
    network: Network, *, name: str, sector: Sector, contact_email: str, invited_by: User
) -> Partner:
    if name_taken(name):
        raise OnboardingError(_("A partner with this name already exists in the network."))
    partner = Partner(name=name.strip(), sector=sector, contact_email=contact_email.strip().lower())
    db.session.add(partner)
    db.session.flush()
    invitations.invite(
        network=network,
        email=partner.contact_email,
        role=Role.PARTNER_ADMIN,
        partner=partner,
        invited_by=invited_by,
    )
    record("partner.invited", partner)
    return partner


@dataclass
class CsvRow:
    line: int
    values: dict
    data: dict | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class CsvPreview:
    rows: list[CsvRow]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems and all(not r.errors for r in self.rows) and bool(self.rows)


def _flatten(messages: dict) -> list[str]:
    out = []
    labels = {"name": _("Name"), "sector": _("Sector"), "contact_email": _("Contact e-mail")}
    for key, errs in messages.items():
        for err in errs if isinstance(errs, list) else [errs]:
            out.append(f"{labels.get(key, key)}: {_translate_marshmallow(err)}")
    return out


def _translate_marshmallow(message: str) -> str:
    known = {
        "Missing data for required field.": _("this field is required"),
        "Not a valid email address.": _("not a valid e-mail address"),
        "Shorter than minimum length 2.": _("too short"),
        "Longer than maximum length 200.": _("too long"),
    }
    return known.get(message, message)


def preview_csv(raw: bytes) -> CsvPreview:
    """Parse and validate an uploaded CSV without touching the database's partner list."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            return CsvPreview([], [_("The file is not a text (CSV) file.")])
    if "\x00" in text:
        return CsvPreview([], [_("The file is not a text (CSV) file.")])
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except StopIteration:
        return CsvPreview([], [_("The file is empty.")])
    except csv.Error:
        return CsvPreview([], [_("The file could not be read as CSV.")])
    columns = [CSV_HEADERS.get(h.strip().lower()) for h in header]
    missing = {"name", "sector", "contact_email"} - set(columns)
    if missing:
        return CsvPreview(
            [],
            [
                _(
                    "The first line must name the columns: name, sector, contact_email (or naam, sector, e-mail)."
                )
            ],
        )
    schema = PartnerInviteSchema()
    rows: list[CsvRow] = []
    seen_names: dict[str, int] = {}
    try:
        for line_no, record_values in enumerate(reader, start=2):
            if not any(v.strip() for v in record_values):
                continue
            if len(rows) >= MAX_CSV_ROWS:
                return CsvPreview([], [_("At most %(n)d partners per file.", n=MAX_CSV_ROWS)])
            values = {col: val for col, val in zip(columns, record_values, strict=False) if col}
            row = CsvRow(line=line_no, values=values)
            try:
                row.data = schema.load(values)
            except ValidationError as exc:
                row.errors = _flatten(exc.messages)
            name = (values.get("name") or "").strip().lower()
            if name:
                if name in seen_names:
                    row.errors.append(_("Same name as line %(line)d.", line=seen_names[name]))
                else:
                    seen_names[name] = line_no
                if row.data and name_taken(name):
                    row.errors.append(_("A partner with this name already exists in the network."))
            rows.append(row)
    except csv.Error:
        return CsvPreview([], [_("The file could not be read as CSV.")])
    if not rows:
        return CsvPreview([], [_("The file has no partners below the header line.")])
    return CsvPreview(rows, [])


def import_csv(network: Network, raw: bytes, invited_by: User) -> list[Partner]:
    """All rows or none: any bad row means nothing is imported."""
    preview = preview_csv(raw)
    if not preview.ok:
        raise OnboardingError(_("The file has errors; nothing was imported."))
    return [invite_partner(network, invited_by=invited_by, **row.data) for row in preview.rows]


def suspend(partner: Partner) -> None:
    partner.state = PartnerState.SUSPENDED
    partner.suspended_at = utcnow()
    record("partner.suspended", partner)


def reactivate(partner: Partner) -> None:
    has_admin = db.session.execute(
        select(Membership.id).where(
            Membership.partner_id == partner.id, Membership.role == Role.PARTNER_ADMIN
        )
    ).first()
    partner.state = PartnerState.ACTIVE if has_admin else PartnerState.INVITED
    partner.suspended_at = None
    record("partner.reactivated", partner)


def resend_invitation(network: Network, partner: Partner, invited_by: User) -> Invitation:
    if partner.state != PartnerState.INVITED:
        raise OnboardingError(
            _("Only partners that have not accepted yet can get a new invitation.")
        )
    return invitations.invite(
        network=network,
        email=partner.contact_email,
        role=Role.PARTNER_ADMIN,
        partner=partner,
        invited_by=invited_by,
    )


def update_profile(partner: Partner, data: dict) -> None:
    for key in ("description", "address", "phone", "website", "languages"):
        setattr(partner, key, data[key])
    record("partner.profile_updated", partner)


def members(partner: Partner) -> list[Membership]:
    return list(
        db.session.execute(
            select(Membership).where(Membership.partner_id == partner.id).order_by(Membership.id)
        ).scalars()
    )


def open_invitations(partner: Partner | None = None) -> list[Invitation]:
    query = select(Invitation).where(
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > utcnow(),
    )
    if partner is not None:
        query = query.where(Invitation.partner_id == partner.id)
    return list(db.session.execute(query.order_by(Invitation.id)).scalars())
