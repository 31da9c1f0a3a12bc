"""One log line per request and per job, as JSON for production or as text on a laptop.

`configure(app)` sets the process's root handler once: `DORP_LOG_FORMAT=json` (the default in
production) writes each record as one JSON object, `text` (the default for `make run` and the
tests) a readable line. Either way every record passes `saas.logmask` (no live reset, invitation
or feed key), and carries what it happened in, when known: the request id, the network's slug,
the route's endpoint, the user's id (never a name or an e-mail address), or the job's id and
queue.

The request id is taken from `X-Request-ID` when it looks like one (letters, digits, `-_.:`, at
most 64) or made anew, and is returned in the response's `X-Request-ID`. `request_line` is the
one line per request; workers.decorators logs the one line per job with `job_line`.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, g, has_request_context, request, request_started
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import inspect as orm_state
from sqlalchemy.exc import NoInspectionAvailable

from saas import logmask

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The context fields a record may carry, in the order a JSON line shows them.
CONTEXT = ("request_id", "network", "endpoint", "user_id", "job_id", "queue")

request_log = logging.getLogger("dorp.request")
job_log = logging.getLogger("dorp.job")


class MaskedJsonFormatter(JsonFormatter):
    """One JSON object per record (time, level, logger, message, context, extra fields), every
    string in it masked like the text logs."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = time.gmtime(record.created)
        return time.strftime("%Y-%m-%dT%H:%M:%S", moment) + f".{int(record.msecs):03d}Z"

    def process_log_record(self, log_data: dict) -> dict:
        return {key: _masked(value) for key, value in log_data.items()}


def _masked(value):
    if isinstance(value, str):
        return logmask.mask(value)
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


class RequestContext(logging.Filter):
    """Adds the request's (or job's) context to every record that passes the handler. Reads only
    what the request already has: it never loads the user or the network for a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in current_context().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


def current_context() -> dict:
    context: dict = {}
    if has_request_context():
        context["request_id"] = g.get("request_id")
        context["network"] = g.get("network_slug")
        context["endpoint"] = request.endpoint
        user = g.get("_login_user")  # Flask-Login's, once something asked for current_user
        if user is not None:
            context["user_id"] = _loaded(user, "id")
    else:
        from rq import get_current_job

        job = get_current_job()
        if job is not None:
            context["job_id"] = job.id
            context["queue"] = job.origin
    return {key: value for key, value in context.items() if value is not None}


def _loaded(obj, attribute: str):
    """What the object already holds, without a query: after a failed flush the session must be
    rolled back before anything loads, and the error handler logs first."""
    try:
        state = orm_state(obj)
    except NoInspectionAvailable:  # the anonymous user
        return getattr(obj, attribute, None)
    if attribute == "id" and state.identity:
        return state.identity[0]
    return state.dict.get(attribute)


def log_format(app: Flask) -> str:
    return app.config.get("DORP_LOG_FORMAT", "text")


def configure(app: Flask) -> None:
    """The process's root handler in the app's format (once per process), and the request id
    and request line on this app."""
    level = logging.WARNING if app.testing else logging.INFO
    install_handler(log_format(app), level)
    request_started.connect(_start, app)
    app.after_request(request_line)


def install_handler(fmt: str, level: int = logging.INFO) -> logging.Handler:
    """The root logger's one handler: JSON or text, masked, with the request's or job's context.
    Idempotent: a handler installed before is kept and set to the format asked for."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "dorp", False)), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.dorp = True  # type: ignore[attr-defined]
        handler.addFilter(RequestContext())
        root.addHandler(handler)
        if root.level == logging.NOTSET or root.level > level:
            root.setLevel(level)
    handler.setFormatter(MaskedJsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    logmask.install()
    return handler


def _start(app: Flask, **_extra) -> None:
    """request_started: before the network is resolved, so a 404 for an unknown slug is timed
    and has its id too."""
    g.request_started = time.perf_counter()
    given = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def request_line(response: Response) -> Response:
    """after_request (registered first, so it runs last, after the commit): the request's line
    and its id in the response."""
    request_id = g.get("request_id")
    if request_id:
        response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    request_log.info(
        "%s %s %s %sms",
        request.method,
        request.endpoint or "-",
        response.status_code,
        duration_ms,
        extra={
            "method": request.method,
            "status": response.status_code,
            "duration_ms": duration_ms,
        },
    )
    return response


def job_line(outcome: str, duration_ms: float, function: str) -> None:
    """The one line per job (its id and queue come from the job itself, see RequestContext)."""
    log = job_log.warning if outcome == "failed" else job_log.info
    log(
        "%s %s %sms",
        function,
        outcome,
        duration_ms,
        extra={"function": function, "outcome": outcome, "duration_ms": duration_ms},
    )
