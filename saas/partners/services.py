"""Onboarding partners: invite one or many, suspend, re-send, complete the profile."""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import func, select

from saas import csvfile
from saas.accounts.models import User
from saas.audit.services import record
from saas.billing.services import partner_limit_message
from saas.extensions import db
from saas.models_base import utcnow
from saas.onboarding import invitations
from saas.partners.models import Partner, PartnerState, Sector
from saas.partners.schemas import PartnerInviteSchema
from saas.text import single_line, too_long
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


class OnboardingError(ValueError):
    pass


def _ensure_plan_room(adding: int) -> None:
    """The network's plan limits its partners (only while billing is on)."""

    message = partner_limit_message(adding)
    if message:
        raise OnboardingError(message)


def name_taken(name: str, *, exclude_id: int | None = None) -> bool:
    query = select(Partner.id).where(func.lower(Partner.name) == single_line(name).lower())
    if exclude_id is not None:
        query = query.where(Partner.id != exclude_id)
    return db.session.execute(query).first() is not None


def invite_partner(
    network: Network, *, name: str, sector: Sector, contact_email: str, invited_by: User
) -> Partner:
    if name_taken(name):
        raise OnboardingError(_("A partner with this name already exists in the network."))
    _ensure_plan_room(1)
    stored = {"name": single_line(name), "contact_email": contact_email.strip().lower()}
    if too_long(Partner, stored):
        raise OnboardingError(_("The name or the e-mail address is too long."))
    partner = Partner(sector=sector, **stored)
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


def preview_csv(raw: bytes) -> csvfile.CsvPreview:
    """Parse and validate an uploaded CSV without touching the database's partner list."""
    preview = csvfile.read(
        raw,
        CSV_HEADERS,
        {"name", "sector", "contact_email"},
        hint="name, sector, contact_email (naam, sector, e-mail)",
    )
    labels = {"name": _("Name"), "sector": _("Sector"), "contact_email": _("Contact e-mail")}
    schema = PartnerInviteSchema()
    seen_names: dict[str, int] = {}
    for row in preview.rows:
        try:
            row.data = schema.load(row.values)
        except ValidationError as exc:
            row.errors = csvfile.flatten(exc.messages, labels)
        name = single_line(row.values.get("name") or "").lower()
        if name:
            if name in seen_names:
                row.errors.append(_("Same name as line %(line)d.", line=seen_names[name]))
            else:
                seen_names[name] = row.line
            if row.data and name_taken(name):
                row.errors.append(_("A partner with this name already exists in the network."))
    return preview


def import_csv(network: Network, raw: bytes, invited_by: User) -> list[Partner]:
    """All rows or none: any bad row means nothing is imported."""
    preview = preview_csv(raw)
    if not preview.ok:
        raise OnboardingError(_("The file has errors; nothing was imported."))
    _ensure_plan_room(len(preview.rows))
    return [invite_partner(network, invited_by=invited_by, **row.data) for row in preview.rows]


def suspend(partner: Partner) -> None:
    partner.state = PartnerState.SUSPENDED
    partner.suspended_at = utcnow()
    record("partner.suspended", partner)


def reactivate(partner: Partner) -> None:
    _ensure_plan_room(1)
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
