"""Job functions. Each takes ids, sets its own network context, and is safe to run twice."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from saas.accounts.models import LoginSession, SignInDevice
from saas.audit import security as security_events
from saas.catalogue.models import Offer
from saas.catalogue.services import sync_sessions
from saas.extensions import db
from saas.models_base import utcnow
from saas.notifications import center as digests
from saas.notifications.mail import Undeliverable, build_message, transport
from saas.notifications.models import OutboxMessage, OutboxState
from saas.notifications.services import OUTBOX
from saas.referrals.services import purge_closed, watch_deadlines
from saas.security import SESSION_IDLE_LIMIT
from tenants.context import all_networks, network_scope
from tenants.models import Invitation, Network
from workers.decorators import job
from workers.queues import MAINTENANCE, NOTIFICATIONS

log = logging.getLogger(__name__)


def _claim(message_ids: tuple[int, ...]) -> list[OutboxMessage]:
    """Move the messages to `sending` in one transaction; only those that are ours to send."""
    now = utcnow()
    claimed = (
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids), OUTBOX.claimable(now))
            .values(OUTBOX.claimed(now))
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
        .scalars()
        .all()
    )
    db.session.commit()
    if not claimed:
        return []
    return (
        db.session.execute(
            select(OutboxMessage).where(OutboxMessage.id.in_(claimed)).order_by(OutboxMessage.id)
        )
        .scalars()
        .all()
    )


def _mark(message_id: int, **values) -> None:
    """Record one message's outcome. On PostgreSQL the commit does not wait for the WAL flush:
    a worker crash loses nothing, and only a database crash could forget a few `sent` marks
    (those messages would go out again with the same Message-ID)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


_SENT = (
    update(OutboxMessage.__table__)
    .where(OutboxMessage.__table__.c.id == bindparam("message_id"))
    .values(state=OutboxState.SENT, sent_at=bindparam("sent_at"))
)


@contextmanager
def _sent_marks() -> Iterator[Callable[[int], None]]:
    """`mark(message_id)`: record at once that a message was accepted, each mark its own commit
    on a connection of its own (one round trip, not four through the session), so a worker
    killed after the next "250 OK" sends nothing twice but the message in hand. On PostgreSQL
    these commits do not wait for the WAL flush: only a database crash could forget the last
    few marks (those messages would go out again, with the same Message-ID)."""
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.exec_driver_sql("SET synchronous_commit TO off")
        try:
            yield lambda message_id: connection.execute(
                _SENT, {"message_id": message_id, "sent_at": utcnow()}
            )
        finally:
            if postgres:
                try:
                    connection.exec_driver_sql("RESET synchronous_commit")
                except SQLAlchemyError:
                    connection.invalidate()  # never back to the pool with the setting on
                    raise


@job(NOTIFICATIONS, timeout=300)
def deliver_email(*message_ids: int) -> str:
    """Send a batch of outbox messages over one connection; each is marked sent as it goes.

    A message that cannot be built, or that the server refuses while keeping the connection,
    is marked failed with its reason, alone: the rest of the batch goes on. If the connection
    fails, the message in hand and the rest of the batch are marked failed (none of them was
    accepted) and the job raises, so RQ retries it; the sweep is the backstop.
    """
    messages = _claim(message_ids)
    if not messages:
        return "skipped"
    sender = current_app.config["MAIL_FROM"]
    pending, failed = [], {}
    for message in messages:
        try:
            pending.append((message.id, build_message(message, sender)))
        except Undeliverable as exc:
            failed[message.id] = str(exc)
    db.session.rollback()  # nothing to keep: each result is written by id below
    db.session.expunge_all()  # and no loaded rows for every commit to expire
    _fail_each(failed)
    sent = 0
    try:
        with _sent_marks() as mark, transport(current_app.config["MAIL_URL"]) as send:
            while pending:
                try:
                    send(*pending[0])
                except Undeliverable as exc:  # this one was refused; the connection is fine
                    message_id, _email = pending.pop(0)
                    _fail_each({message_id: str(exc)})
                    failed[message_id] = str(exc)
                    continue
                message_id, _email = pending.pop(0)
                mark(message_id)
                sent += 1
    except (smtplib.SMTPException, OSError) as exc:  # the server failed, or the line broke
        db.session.rollback()
        error = f"{type(exc).__name__}: {exc}"[:500]
        for message_id, _email in pending:
            _mark(message_id, state=OutboxState.FAILED, last_error=error)
        db.session.commit()
        log.warning("outbox: %s message(s) failed: %s", len(pending), type(exc).__name__)
        raise
    return f"sent {sent}, failed {len(failed)}" if failed else f"sent {sent}"


def _fail_each(reasons: dict[int, str]) -> None:
    """Mark messages that cannot go out failed, each with its own reason (committed)."""
    if not reasons:
        return
    for message_id, reason in reasons.items():
        _mark(message_id, state=OutboxState.FAILED, last_error=reason[:500])
    db.session.commit()
    log.warning("outbox: %s message(s) cannot go out: %s", len(reasons), sorted(reasons))


@job(MAINTENANCE, timeout=600, retries=0)
def purge_expired() -> dict:
    """Remove what has outlived its purpose: old login sessions, sent mail, dead invitations,
    security events and sign-in devices older than SECURITY_EVENT_DAYS."""
    now = utcnow()
    with all_networks():
        sessions = db.session.execute(
            LoginSession.__table__.delete().where(
                LoginSession.last_seen_at < now - SESSION_IDLE_LIMIT
            )
        ).rowcount
        mails = db.session.execute(
            OutboxMessage.__table__.delete().where(
                OutboxMessage.state == OutboxState.SENT,
                OutboxMessage.sent_at < now - timedelta(days=30),
            )
        ).rowcount
        invitations = db.session.execute(
            Invitation.__table__.delete().where(
                Invitation.accepted_at.is_(None), Invitation.expires_at < now - timedelta(days=30)
            )
        ).rowcount
        kept_days = current_app.config["SECURITY_EVENT_DAYS"]
        events = security_events.purge(now, kept_days)
        devices = db.session.execute(
            SignInDevice.__table__.delete().where(
                SignInDevice.last_seen_at < now - timedelta(days=kept_days)
            )
        ).rowcount
        db.session.commit()
    return {
        "login_sessions": sessions,
        "mails": mails,
        "invitations": invitations,
        "security_events": events,
        "sign_in_devices": devices,
    }


@job(MAINTENANCE, timeout=1800, retries=0)
def extend_sessions() -> dict:
    """Daily: keep every network's sessions generated up to the horizon."""

    def work() -> int:
        return sum(sync_sessions(o)["created"] for o in db.session.execute(select(Offer)).scalars())

    return _each_network(work)


def _each_network(work) -> dict:
    """Run `work()` once per open network, each in its own scope and transaction."""
    with all_networks():
        network_ids = (
            db.session.execute(
                # a closed network is read-only: no new sessions, reminders or digests
                select(Network.id).where(Network.is_active.is_(True), Network.closed_at.is_(None))
            )
            .scalars()
            .all()
        )
    results = {}
    for network_id in network_ids:
        with network_scope(network_id):
            results[network_id] = work()
            db.session.commit()
    return results


@job(MAINTENANCE, timeout=900, retries=0)
def referral_deadlines() -> dict:
    """Hourly: reminders before the response target ends, and lapses for the figures."""
    return _each_network(watch_deadlines)


@job(MAINTENANCE, timeout=1800, retries=0)
def purge_referrals() -> dict:
    """Daily: closed referrals lose the family's data after the network's retention period."""
    return _each_network(purge_closed)


@job(NOTIFICATIONS, timeout=900, retries=0)
def send_digests() -> dict:
    """Daily: one overview e-mail per person who asked for a digest."""
    return _each_network(digests.send_digests)
