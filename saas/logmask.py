"""Live keys out of the logs.

Some links are capabilities that work without a login: a password reset, an invitation, the
confirmation of a new network, a worker's calendar feed, a network export's download. Their key is a segment of the URL path,
so a request line logged as it came would keep a working key in every access log. `mask` hides,
in any text about to be logged:

- the path segment after one of those routes' words (`/auth/reset/<token>`,
  `/<slug>/invitation/<token>`, `/start/confirm/<token>`, `/<slug>/team/feed/<token>.ics`,
  `/<slug>/network/export/download/<token>`),
  also inside another URL's query, encoded or not (`/auth/login?next=%2Fgenk%2Finvitation%2F…`);
- the value of a query parameter named like a secret (`?token=…`, `&key=…`);
- an e-mail address, wherever it appears (a mail server's refusal, an exception's message): people
  appear in the logs by id only.

tests/test_log_masking.py checks that every route with a token in its URL is covered. The
gunicorn access log (saas.gunicorn_logger), the development server's request log and the app's
own log records (`install`) go through it.
"""

from __future__ import annotations

import logging
import re

HIDDEN = "[hidden]"

_SLASH = r"(?:/|%2F)"
_SECRET_SEGMENT = re.compile(
    rf"({_SLASH}(?:reset|invitation|confirm|feed|download){_SLASH})[^/?#&\s\"'<>]+", re.IGNORECASE
)
_SECRET_PARAMETER = re.compile(
    r"((?:^|[?&;]|%3F|%26)(?:token|key|secret|password|signature|sig|code|access_token|api_key)"
    r"(?:=|%3D))[^&#\s\"'<>]*",
    re.IGNORECASE,
)
_E_MAIL = re.compile(r"[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+")


def mask(text: str) -> str:
    """The text with every capability in a URL, and every e-mail address, replaced by HIDDEN."""
    if "@" in text or "%40" in text:
        text = _E_MAIL.sub(HIDDEN, text)
    if "/" not in text and "%" not in text and "=" not in text:
        return text  # nothing URL-like: the common case for most log atoms, kept cheap
    text = _SECRET_SEGMENT.sub(rf"\1{HIDDEN}", text)
    return _SECRET_PARAMETER.sub(rf"\1{HIDDEN}", text)


def _masked(value):
    return mask(value) if isinstance(value, str) else value


class MaskSecrets(logging.Filter):
    """A logging filter that masks the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _masked(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_masked(value) for value in record.args)
        if record.exc_info and not record.exc_text:  # a traceback's last line is its message
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
        return True


_FILTER = MaskSecrets()


def install() -> None:
    """Mask what the development server logs of each request (the `werkzeug` logger, whichever
    handler writes it) and whatever else passes the process's root handlers. Idempotent."""
    loggers = [logging.getLogger("werkzeug")]
    for logger in loggers:
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
