"""Referral e-mails carry a link, never the family's data."""

from __future__ import annotations

from flask_login import current_user

from saas.notifications import center, recipients
from saas.urls import absolute_url
from tenants.access import current_network
from tenants.models import Role

SE_ROLES = (Role.SE_COORDINATOR, Role.SE_WORKER)


def _speakers(*partners):
    """The enabled people who speak for `partners`, once each, not the person acting now."""
    me = current_user.id if current_user and current_user.is_authenticated else None
    people = {}
    for partner in partners:
        people.update({u.id: u for u in recipients.speakers_for(partner, roles=SE_ROLES)})
    return [u for uid, u in sorted(people.items()) if uid != me and u.is_enabled]


def _other_side(referral, who: str | None):
    return _speakers(referral.to_partner if who == "sender" else referral.from_partner)


def _send(users, *, kind: str, referral) -> None:
    link = absolute_url("referrals.detail", slug=current_network().slug, referral_id=referral.id)
    for user in users:
        center.notify(user, kind=kind, link=link, referral_id=referral.id, status=referral.status)


def status_changed(referral, *, who: str | None) -> None:
    _send(_other_side(referral, who), kind="referral_status", referral=referral)


def closed_by_network(referral) -> None:
    """A steward ended the referral (the family's data was removed): both partners are told."""
    _send(
        _speakers(referral.from_partner, referral.to_partner),
        kind="referral_status",
        referral=referral,
    )


def message_added(referral, *, from_side: str | None) -> None:
    _send(_other_side(referral, from_side), kind="referral_message", referral=referral)


def reminder(referral) -> None:
    """The response target is near: the receiver is reminded (no family data in the e-mail)."""
    people = recipients.speakers_for(referral.to_partner, roles=SE_ROLES)
    _send([u for u in people if u.is_enabled], kind="referral_reminder", referral=referral)
