"""E-mails about a person's own account security, through the outbox (sent after the commit)."""

from __future__ import annotations

from saas.accounts.models import User
from saas.notifications.services import queue_email
from saas.urls import absolute_url
from tenants.models import Network


def factors_reset(person: User, *, network: Network) -> None:
    """Tell the person that a steward of `network` removed their second factors: if they did
    not ask for it, they should say so."""
    queue_email(
        kind="factors_reset",
        recipient=person.email,
        template="factors_reset",
        language=person.language,
        network_id=network.id,
        user=person,
        network_name=network.name,
        link=absolute_url("auth.factors_page"),
    )


def factor_added(person: User, *, kind: str, label: str) -> None:
    """Tell the person that a second factor was added to their account: if it was not them,
    someone has their password and their session."""
    queue_email(
        kind="factor_added",
        recipient=person.email,
        template="factor_added",
        language=person.language,
        user=person,
        factor_kind=kind,
        label=label,
        link=absolute_url("auth.factors_page"),
        security_link=absolute_url("site.security_page"),
    )
