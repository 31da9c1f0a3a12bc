"""Demo notices as a person would find them on a first look.

The other parts seed through the features' services, which notify people as in real use: a
year of referrals leaves hundreds of notices, every one dated today and unread, and as many
e-mails queued. `settle` puts that history in its place once the other parts are done: a notice
about a referral takes the time of that referral's latest step and stays unread only while the
referral is open and the step is less than a week old; the e-mails the seed queued are dropped
(history, not news). Then the network's stewards are told that a partner has just joined.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import delete, func, select

from saas.demo.datafiles import read_yaml
from saas.extensions import db
from saas.models_base import utcnow
from saas.notifications import center, recipients
from saas.notifications.models import Notification, OutboxMessage, OutboxState
from saas.partners.models import Partner, PartnerState
from saas.referrals.models import Referral, ReferralEvent
from saas.urls import absolute_url
from tenants.models import Network

FRESH = timedelta(days=7)  # a notice about an open referral newer than this is still unread
READ_AFTER = timedelta(hours=3)  # how long after a notice its reader opened it
JUST_JOINED: dict = read_yaml("networks.yaml")["just_joined"]
_REFERRAL = re.compile(r"/referrals/(\d+)$")


def high_water() -> tuple[int, int]:
    """The last notice and outbox ids before seeding: `settle` touches only what came after."""
    return (
        db.session.execute(select(func.coalesce(func.max(Notification.id), 0))).scalar_one(),
        db.session.execute(select(func.coalesce(func.max(OutboxMessage.id), 0))).scalar_one(),
    )


def settle(network: Network, before: tuple[int, int]) -> dict:
    notice_id, outbox_id = before
    db.session.flush()
    db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.id > outbox_id,
            OutboxMessage.network_id == network.id,
            OutboxMessage.state == OutboxState.PENDING,
        )
    )
    notices = list(
        db.session.execute(select(Notification).where(Notification.id > notice_id)).scalars()
    )
    if not notices:
        return {"notices": 0}
    referrals = _referral_ids(notices)
    last_step = dict(
        db.session.execute(
            select(ReferralEvent.referral_id, func.max(ReferralEvent.created_at))
            .where(ReferralEvent.referral_id.in_(referrals))
            .group_by(ReferralEvent.referral_id)
        ).all()
    )
    still_open = {
        r.id
        for r in db.session.execute(select(Referral).where(Referral.id.in_(referrals))).scalars()
        if r.is_open
    }
    now = utcnow()
    for notice in notices:
        found = _REFERRAL.search(notice.link)
        if not found or int(found[1]) not in last_step:
            continue
        referral_id = int(found[1])
        notice.created_at = last_step[referral_id]
        if referral_id not in still_open or now - notice.created_at > FRESH:
            notice.read_at = notice.created_at + READ_AFTER
    return {"notices": len(notices) + _newest_partner_joined(network)}


def _referral_ids(notices: list[Notification]) -> set[int]:
    return {int(m[1]) for n in notices if (m := _REFERRAL.search(n.link))}


def _newest_partner_joined(network: Network) -> int:
    """The stewards hear that a partner has just joined (data/networks.yaml), as
    `onboarding.invitations` tells them when an invitation is accepted."""
    plan = JUST_JOINED.get(network.slug)
    newest = (
        plan
        and db.session.execute(
            select(Partner).where(
                Partner.name == plan["partner"], Partner.state == PartnerState.ACTIVE
            )
        ).scalar_one_or_none()
    )
    if not newest:
        return 0
    joined = utcnow() - timedelta(days=plan["days_ago"])
    newest.activated_at = joined
    link = absolute_url("network.partner_detail", slug=network.slug, partner_id=newest.id)
    told = 0
    for steward in recipients.stewards():
        notice = center.kept_notice(steward, kind="partner_joined", link=link, partner=newest)
        notice.created_at = joined
        told += 1
    return told
