"""Queueing e-mails: rendered in the recipient's language, stored in the outbox, relayed after commit.
Marking a notice read."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale

from saas.extensions import db
from saas.notifications.models import OutboxMessage, OutboxState
from saas.outbox import Outbox
from saas.text import single_line

# The e-mail outbox: relayed to RQ after the commit (workers.relays), swept when Redis was down.
OUTBOX = Outbox(
    id=OutboxMessage.id,
    state=OutboxMessage.state,
    created=OutboxMessage.created_at,
    started=OutboxMessage.sending_since,
    attempts=OutboxMessage.attempts,
    pending=OutboxState.PENDING,
    in_progress=OutboxState.SENDING,
    failed=OutboxState.FAILED,
    relay_key="dorp_outbox_ids",
)


def queue_email(
    *,
    kind: str,
    recipient: str,
    template: str,
    language: str = "nl",
    network_id: int | None = None,
    **context,
) -> OutboxMessage:
    """Render `templates/email/<template>.txt` (and `.html` when present) and add it to the outbox.

    The message is part of the caller's transaction: it is sent only if that transaction commits.
    """
    with force_locale(language):
        subject = _fit(single_line(render_template(f"email/{template}.subject.txt", **context)))
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
    message = OutboxMessage(
        kind=kind,
        recipient=recipient,
        subject=subject,
        body_text=text,
        body_html=html,
        network_id=network_id,
    )
    db.session.add(message)
    return message


SUBJECT_MAX = OutboxMessage.subject.type.length


def _fit(subject: str) -> str:
    """A subject the outbox can keep: two long names in one (a speaker and a title) can be
    longer than the column, and PostgreSQL would refuse the whole change that caused it."""
    return subject if len(subject) <= SUBJECT_MAX else subject[: SUBJECT_MAX - 1] + "…"
