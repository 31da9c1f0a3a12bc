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
from saas.text import single_line


class Undeliverable(Exception):
    """This one message cannot go out (it cannot be built, or the server refused it and kept
    the connection): it fails on its own, and the rest of its batch goes on."""


def build_message(message: OutboxMessage, sender: str) -> EmailMessage:
    """The e-mail of an outbox row, or Undeliverable with the reason. The subject is put on one
    line (a line break from a title or a name would start a header of its own); a recipient with
    a line break is refused, not repaired. Serialised once here, so that whatever the stored
    text, it fails now, for this message alone, and not in the middle of its batch."""
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "dorp.localhost"
    try:
        email = EmailMessage()
        email["From"] = sender
        email["To"] = message.recipient
        email["Subject"] = single_line(message.subject)
        email["Date"] = format_datetime(utcnow())
        # Stable per outbox row: a rare second delivery is recognisable as the same message.
        email["Message-ID"] = f"<dorp-outbox-{message.id}@{domain}>"
        email.set_content(message.body_text)
        if message.body_html:
            email.add_alternative(message.body_html, subtype="html")
        email.as_bytes()
    except Exception as exc:  # any stored text: this message's problem, never its batch's
        raise Undeliverable(f"cannot be built: {type(exc).__name__}: {exc}") from exc
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

        def over_smtp(_message_id: int, email: EmailMessage) -> None:
            try:
                client.send_message(email)
            except REFUSALS as exc:
                if client.sock is None:  # the server hung up (421): the rest has to wait
                    raise
                raise Undeliverable(f"refused: {type(exc).__name__}: {exc}") from exc

        yield over_smtp


# What a server answers about one message while keeping the connection (smtplib resets it).
REFUSALS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
)
