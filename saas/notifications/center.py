"""The notification centre: every notice is kept in-app, and e-mailed at once, in the daily
digest, or not at all, as each person chose for its kind."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from saas.accounts.models import User
from saas.bounds import MAX_INT
from saas.extensions import db
from saas.models_base import utcnow
from saas.notifications.models import Delivery, Notification, NotificationPreference
from saas.notifications.services import queue_email
from saas.text import single_line
from tenants.access import current_network

KINDS = {
    "referral_status": _l("Referrals: new, accepted, declined, closed"),
    "referral_message": _l("Referrals: messages"),
    "referral_reminder": _l("Referrals: reminders before the answer is due"),
    "organiser_invited": _l("Activities: your organisation is asked to take part"),
    "speaker_answered": _l("Activities: a speaker's answer"),
    "offer_changed": _l("Activities: changes"),
    "session_changed": _l("Activities: cancelled or moved sessions"),
    "roster_published": _l("Team: a roster with your sessions is published"),
    "card_changed": _l("Team: someone else changes your flexibility card"),
    "partner_joined": _l("Network: an invited partner has joined"),
}


def preferences(user_id: int) -> dict[str, Delivery]:
    chosen = dict(
        db.session.execute(
            select(NotificationPreference.kind, NotificationPreference.delivery).where(
                NotificationPreference.user_id == user_id
            )
        ).all()
    )
    return {kind: Delivery(chosen.get(kind, Delivery.IMMEDIATE)) for kind in KINDS}


def set_preference(user_id: int, kind: str, delivery: Delivery) -> None:
    if kind not in KINDS:
        raise ValueError(kind)
    row = db.session.get(NotificationPreference, (user_id, kind))
    if row is None:
        db.session.add(NotificationPreference(user_id=user_id, kind=kind, delivery=delivery))
    else:
        row.delivery = delivery


def set_preferences(user_id: int, chosen: dict[str, Delivery]) -> None:
    for kind, delivery in chosen.items():
        set_preference(user_id, kind, delivery)


def notify(user: User, *, kind: str, link: str, **context) -> Notification:
    """Record a notice for `user` in the current network and deliver it as they chose."""
    network = current_network()
    delivery = preferences(user.id).get(kind, Delivery.IMMEDIATE)
    notice = kept_notice(user, kind=kind, link=link, **context)
    notice.digest_due = delivery == Delivery.DIGEST
    if delivery == Delivery.IMMEDIATE:
        queue_email(
            kind=kind,
            recipient=user.email,
            template=kind,
            language=user.language,
            network_id=network.id,
            network=network,
            user=user,
            link=link,
            **context,
        )
    return notice


def kept_notice(user: User, *, kind: str, link: str, **context) -> Notification:
    """The in-app notice alone, its subject in `user`'s language (no e-mail: see `notify`)."""
    with force_locale(user.language):
        subject = render_template(
            f"email/{kind}.subject.txt", network=current_network(), user=user, link=link, **context
        )
    notice = Notification(
        user_id=user.id,
        kind=kind,
        subject=single_line(subject)[:300],  # as its e-mail's (notifications.services)
        link=link,
    )
    db.session.add(notice)
    return notice


def send_digests() -> int:
    """One e-mail per person with the notices they wanted in a digest (current network)."""
    network = current_network()
    due = (
        db.session.execute(
            select(Notification)
            .where(Notification.digest_due.is_(True))
            .order_by(Notification.user_id, Notification.id)
        )
        .scalars()
        .all()
    )
    by_user: dict[int, list[Notification]] = {}
    for notice in due:
        by_user.setdefault(notice.user_id, []).append(notice)
    for user_id, notices in by_user.items():
        user = db.session.get(User, user_id)
        if user is not None and user.is_enabled:
            queue_email(
                kind="digest",
                recipient=user.email,
                template="digest",
                language=user.language,
                network_id=network.id,
                network=network,
                user=user,
                notices=notices,
            )
        for notice in notices:
            notice.digest_due = False
    return len(by_user)


def unread_count(user_id: int) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ).scalar_one()


def latest(user_id: int, limit: int = 100) -> list[Notification]:
    """The person's newest notices in the current network."""
    return list(
        db.session.execute(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())
            .limit(limit)
        ).scalars()
    )


def own_notice(user_id: int, notification_id: int) -> Notification | None:
    """The person's notice with this id in the current network, else None."""
    if not 0 < notification_id <= MAX_INT:
        return None
    return db.session.execute(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user_id
        )
    ).scalar_one_or_none()


def target_of(notice: Notification) -> str | None:
    """Where opening the notice leads: the path of its link when the link is on this site (made
    by `absolute_url`), else None."""
    parts = urlsplit(notice.link or "")
    base = urlsplit(current_app.config.get("BASE_URL") or "")
    if parts.scheme and (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def mark_read(notice: Notification, now: datetime | None = None) -> None:
    """The person has seen the notice; the first reading is the one kept."""
    if notice.read_at is None:
        notice.read_at = now or utcnow()


def mark_all_read(user_id: int) -> None:
    """Every unread notice of the person in the current network is read now."""
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
