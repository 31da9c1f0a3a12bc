"""Confirmations that more than one blueprint asks (see blueprints/confirm.py)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from blueprints.confirm import Confirmation
from saas.api import services as api_tokens
from tenants.models import Membership, Role


def membership_removal(membership: Membership, *, back: str) -> Confirmation:
    """Taking someone's role away: they lose access at once; an invitation brings them back."""
    name = membership.user.name
    lost = [
        _(
            "%(name)s can no longer work here as %(role)s (their account stays).",
            name=name,
            role=membership.role.label,
        )
    ]
    tokens = 0
    if membership.role == Role.PARTNER_ADMIN and membership.partner_id is not None:
        tokens = api_tokens.live_tokens_made_by(membership.user_id, membership.partner_id)
        if tokens:
            lost.append(
                ngettext(
                    "The %(num)d API token they made stops working for good.",
                    "The %(num)d API tokens they made stop working for good.",
                    tokens,
                )
            )
    return Confirmation(
        action="membership.remove",
        title=_("Remove the role of %(name)s?", name=name),
        button=_("Remove the role"),
        back=back,
        rows=[membership],
        state=[tokens],
        lost=lost,
        undo=_(
            "To undo it, invite %(name)s again: the role comes back once they accept.", name=name
        ),
    )
