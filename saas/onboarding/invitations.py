"""Invitations: signed, single use, expiring after seven days; accepting one grants a role."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from saas.accounts.models import User
from saas.accounts.services import create_user, normalise_email, start_session
from saas.audit.services import record
from saas.extensions import db
from saas.models_base import utcnow
from saas.notifications import center, recipients
from saas.notifications.services import queue_email
from saas.partners.models import PartnerState
from saas.urls import absolute_url
from tenants.access import current_network
from tenants.context import current_network_id
from tenants.models import Invitation, Membership, Network, Role


class InvitationError(ValueError):
    pass


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="dorp-invitation")


def _same_partner(column, partner_id: int | None):
    return column.is_(None) if partner_id is None else column == partner_id


def token_for(invitation: Invitation) -> str:
    return _serializer().dumps({"i": invitation.id, "n": invitation.network_id})


def invite(
    *,
    network: Network,
    email: str,
    role: Role,
    partner=None,
    invited_by: User | None = None,
    language: str | None = None,
) -> Invitation:
    """Create an invitation in the current network and queue its e-mail."""
    if role.needs_partner and partner is None:
        raise InvitationError("this role needs a partner")
    email = normalise_email(email)
    for old in db.session.execute(
        select(Invitation).where(
            Invitation.email == email,
            Invitation.role == role,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            _same_partner(Invitation.partner_id, partner.id if partner else None),
        )
    ).scalars():
        old.revoked_at = utcnow()  # re-sending replaces the earlier link
    invitation = Invitation(
        email=email,
        role=role,
        partner_id=partner.id if partner else None,
        invited_by_id=invited_by.id if invited_by else None,
        expires_at=utcnow() + timedelta(seconds=current_app.config["INVITATION_MAX_AGE"]),
    )
    db.session.add(invitation)
    db.session.flush()
    link = absolute_url("auth.accept_invitation", slug=network.slug, token=token_for(invitation))
    queue_email(
        kind="invitation",
        recipient=email,
        template="invitation",
        language=language or network.default_language,
        network_id=network.id,
        network=network,
        role=role,
        partner=partner,
        inviter=invited_by,
        link=link,
        days=current_app.config["INVITATION_MAX_AGE"] // 86400,
    )
    record("invitation.sent", invitation, role=str(role))
    return invitation


def load(token: str) -> Invitation:
    """The open invitation a token names, in the current network, or InvitationError."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["INVITATION_MAX_AGE"])
    except SignatureExpired as exc:
        raise InvitationError("expired") from exc
    except BadSignature as exc:
        raise InvitationError("invalid") from exc
    if not isinstance(data, dict) or data.get("n") != current_network_id():
        raise InvitationError("invalid")
    invitation = db.session.execute(
        select(Invitation).where(Invitation.id == data.get("i"))
    ).scalar_one_or_none()
    if invitation is None:
        raise InvitationError("invalid")
    if invitation.accepted_at is not None:
        raise InvitationError("used")
    if invitation.revoked_at is not None:
        raise InvitationError("revoked")
    if invitation.expires_at <= utcnow():
        raise InvitationError("expired")
    return invitation


def accept(invitation: Invitation, user: User) -> Membership:
    """Grant the invited role (once), close the invitation, activate an invited partner."""
    membership = db.session.execute(
        select(Membership).where(
            Membership.user_id == user.id,
            Membership.role == invitation.role,
            _same_partner(Membership.partner_id, invitation.partner_id),
        )
    ).scalar_one_or_none()
    if membership is None:
        membership = Membership(
            user_id=user.id, role=invitation.role, partner_id=invitation.partner_id
        )
        db.session.add(membership)
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    partner = invitation.partner
    if partner is not None and partner.state == PartnerState.INVITED:
        partner.state = PartnerState.ACTIVE
        partner.activated_at = utcnow()
        _tell_stewards_partner_joined(partner, user)
    db.session.flush()
    record("invitation.accepted", invitation, role=str(invitation.role))
    return membership


def _tell_stewards_partner_joined(partner, joined_by: User) -> None:
    """The network's stewards hear that an invited partner has joined (with a link to the
    partner's page); the person who joined is not told about themself."""
    link = absolute_url(
        "network.partner_detail", slug=current_network().slug, partner_id=partner.id
    )
    for steward in recipients.stewards():
        if steward.id != joined_by.id and steward.is_enabled:
            center.notify(steward, kind="partner_joined", link=link, partner=partner)


def accept_as_new_user(
    invitation: Invitation, *, name: str, password: str, language: str
) -> Membership:
    """Create the invited person's account, grant the role, and log them in."""
    user = create_user(email=invitation.email, name=name, password=password, language=language)
    membership = accept(invitation, user)
    start_session(user, via="invitation")
    return membership
