"""The network's people: its staff roles (those of no partner), and taking a role away."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from saas.accounts.models import User
from saas.api import services as api_tokens
from saas.audit.services import record
from saas.extensions import db
from tenants.models import Invitation, Membership, Role


class MembershipError(ValueError):
    """A role that cannot be taken away, with the reason for the person."""


def staff() -> list[Membership]:
    """The roles held for the network itself (steward, municipality, social economy)."""
    return list(
        db.session.execute(
            select(Membership)
            .where(Membership.partner_id.is_(None))
            .order_by(Membership.role, Membership.id)
        ).scalars()
    )


def open_staff_invitations() -> list[Invitation]:
    """Invitations to a staff role still waiting for an answer, newest first."""
    pending = db.session.execute(
        select(Invitation)
        .where(Invitation.partner_id.is_(None), Invitation.accepted_at.is_(None))
        .order_by(Invitation.id.desc())
    ).scalars()
    return [invitation for invitation in pending if invitation.is_open]


def _steward_count() -> int:
    return db.session.execute(
        select(func.count()).select_from(Membership).where(Membership.role == Role.STEWARD)
    ).scalar_one()


def remove_staff(membership: Membership) -> None:
    """Take a staff role away; the network's last steward stays."""
    if membership.role == Role.STEWARD and _steward_count() <= 1:
        raise MembershipError(_("A network needs at least one steward."))
    _remove(membership)


def remove_colleague(membership: Membership, *, by: User) -> None:
    """A partner's admin takes a colleague's role away (never their own)."""
    if membership.user_id == by.id:
        raise MembershipError(_("You cannot remove yourself."))
    _remove(membership)


def _remove(membership: Membership) -> None:
    record("membership.removed", membership, role=str(membership.role))
    if membership.role == Role.PARTNER_ADMIN and membership.partner_id is not None:
        # The API tokens this admin made act with the admin's power: they end with it.
        api_tokens.revoke_made_by(membership.user_id, membership.partner_id)
    db.session.delete(membership)
