"""Who hears about what happens to an offer: e-mails through the outbox, in each person's language."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from saas.accounts.models import User
from saas.catalogue.models import Answer, OfferFollower
from saas.extensions import db
from saas.notifications import center, recipients
from saas.urls import absolute_url
from tenants.access import current_network


def _followers(offer) -> list[User]:

    return list(
        db.session.execute(
            select(User)
            .join(OfferFollower, OfferFollower.user_id == User.id)
            .where(OfferFollower.offer_id == offer.id)
        ).scalars()
    )


def _audience(offer) -> list[User]:
    """Owner, co-organisers (not those who declined) and followers, without the person acting."""

    partner_ids = {link.partner_id for link in offer.organisers if link.answer != Answer.DECLINED}
    partner_ids.add(offer.partner_id)  # the owner hears what a co-organiser changed
    everyone = (
        recipients.partner_people(partner_ids)
        + recipients.social_economy_staff(offer.partner)
        + _followers(offer)
    )
    people = {u.id: u for u in everyone}
    me = current_user.id if current_user and current_user.is_authenticated else None
    return [u for uid, u in sorted(people.items()) if uid != me and u.is_enabled]


def _send(users: list[User], *, kind: str, template: str, link: str, **context) -> None:
    for user in users:
        center.notify(user, kind=template, link=link, **context)


def offer_changed(offer, *, kind: str) -> None:
    link = absolute_url("catalogue.offer_detail", slug=current_network().slug, offer_id=offer.id)
    _send(
        _audience(offer),
        kind="offer_changed",
        template="offer_changed",
        offer=offer,
        change=kind,
        link=link,
    )


def session_changed(session, *, kind: str) -> None:
    offer = session.offer
    link = absolute_url("catalogue.offer_detail", slug=current_network().slug, offer_id=offer.id)
    _send(
        _audience(offer),
        kind="session_changed",
        template="session_changed",
        offer=offer,
        session=session,
        change=kind,
        link=link,
    )


def organiser_invited(offer, link_row) -> None:
    link = absolute_url("catalogue.offer_detail", slug=current_network().slug, offer_id=offer.id)
    _send(
        recipients.partner_people({link_row.partner_id}),
        kind="organiser_invited",
        template="organiser_invited",
        offer=offer,
        role=link_row.role,
        link=link,
    )


def speaker_answered(link_row) -> None:
    offer = link_row.offer
    link = absolute_url("catalogue.offer_detail", slug=current_network().slug, offer_id=offer.id)
    owners = recipients.partner_people({offer.partner_id}) + recipients.social_economy_staff(
        offer.partner
    )
    me = current_user.id if current_user and current_user.is_authenticated else None
    _send(
        [u for u in owners if u.id != me],
        kind="speaker_answered",
        template="speaker_answered",
        offer=offer,
        answer=link_row.answer,
        speaker=link_row.partner,
        link=link,
    )
