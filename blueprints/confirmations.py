"""Confirmations that more than one blueprint asks (see blueprints/confirm.py)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from blueprints.confirm import Confirmation
from saas.accounts.factors import Summary
from saas.accounts.models import User
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


def factor_reset(person: User, summary: Summary, *, back: str) -> Confirmation:
    """A steward removes someone's second factors (they lost their phone or key)."""
    lost = []
    if summary.apps:
        lost.append(
            ngettext(
                "Their %(num)d authenticator app stops working for Dorp.",
                "Their %(num)d authenticator apps stop working for Dorp.",
                summary.apps,
            )
        )
    if summary.keys:
        lost.append(
            ngettext(
                "Their %(num)d passkey or security key stops working for Dorp.",
                "Their %(num)d passkeys or security keys stop working for Dorp.",
                summary.keys,
            )
        )
    if summary.codes_left:
        lost.append(
            ngettext(
                "Their %(num)d unused recovery code stops working.",
                "Their %(num)d unused recovery codes stop working.",
                summary.codes_left,
            )
        )
    lost.append(_("They are signed out everywhere."))
    return Confirmation(
        action="factors.reset",
        title=_("Reset the second factors of %(name)s?", name=person.name),
        button=_("Reset the second factors"),
        back=back,
        state=[person.id, summary.apps, summary.keys, summary.codes_left],
        lost=lost,
        kept=[
            _("Their password, their roles and everything they did in Dorp stay."),
            _("They get an e-mail that says you did this."),
        ],
        undo=_(
            "They sign in with their password and set up a new second factor right away "
            "when their role requires one."
        ),
    )
