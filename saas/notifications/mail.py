"""Delivering outbox messages: to files under instance/mail (laptop) or over SMTP."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from saas.models_base import utcnow
from saas.notifications.models import OutboxMessage


def build_message(message: OutboxMessage, sender: str) -> EmailMessage:
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "dorp.localhost"
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(utcnow())
    # Stable per outbox row: a rare second delivery is recognisable as the same message.
    email["Message-ID"] = f"<dorp-outbox-{message.id}@{domain}>"
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


@contextmanager
def transport(mail_url: str) -> Iterator[Callable[[int, EmailMessage], None]]:
    """Open one connection (or folder) and yield `send(message_id, email)` that delivers through it.

    A batch of messages shares one SMTP connection: the handshake is paid once, not per e-mail.
    """
    url = urlparse(mail_url)
    if url.scheme == "file":
        folder = Path(unquote(url.path))
        folder.mkdir(parents=True, exist_ok=True)

        def to_file(message_id: int, email: EmailMessage) -> None:
            name = f"{utcnow():%Y%m%dT%H%M%S}-{message_id:08d}.eml"
            (folder / name).write_bytes(bytes(email))

        yield to_file
        return
    options = parse_qs(url.query)
    port = url.port or (465 if url.scheme == "smtps" else 25)
    timeout = float(options.get("timeout", ["20"])[0])
    if url.scheme == "smtps":
        client = smtplib.SMTP_SSL(
            url.hostname, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(url.hostname, port, timeout=timeout)
    with client:
        if url.scheme == "smtp" and options.get("starttls", ["0"])[0] in {"1", "true"}:
            client.starttls(context=ssl.create_default_context())
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        yield lambda _message_id, email: client.send_message(email)
