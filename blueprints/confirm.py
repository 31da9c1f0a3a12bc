"""The second step of every action that cannot be undone, or that tells other people (the one
confirmation mechanism; templates/confirm.html is its page).

The action's button posts to the action's own URL (a GET of that URL shows the same page). Without
a valid confirmation the view never acts: it shows a page that says, concretely, what will be lost
or what changes, what stays, and how to undo it when it can be undone. That page's form carries a
signed token bound to the person, the network, the action and the current state of every row the
action touches (all their columns, plus whatever else the view names, such as the number of
messages). When anything changed in between (another steward acted, a message arrived, the
session moved), the confirmation is stale: it is refused with a clear message, nothing changes, and
the page shows the new situation to confirm again. It works without JavaScript: it is two forms.

    page = confirm.ask(confirm.Confirmation(action="partner.suspend", rows=[partner], ...))
    if page is not None:
        return page
    partners.suspend(partner)   # only reached with a fresh, valid confirmation
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flask import current_app, g, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import inspect

TOKEN_FIELD = "confirm_token"  # noqa: S105  (a form field's name)
MAX_AGE_SECONDS = 3600  # a confirmation page left open longer is shown again


@dataclass
class Confirmation:
    """What the confirmation page says and what its token is bound to."""

    action: str  # a stable name, e.g. "referral.erase"
    title: str  # the question, e.g. "Remove the family's data?"
    button: str  # the confirming button, e.g. "Remove the family's data"
    back: str  # where "Keep it" leads
    rows: Sequence[object] = ()  # the ORM rows the action changes or removes
    lost: Sequence[str] = ()  # what is lost or what changes, one sentence each
    kept: Sequence[str] = ()  # what stays
    undo: str = ""  # how to undo it; empty when it cannot be undone
    state: Sequence[object] = ()  # anything else the confirmation depends on (counts, ids)
    carry: Mapping[str, str | Sequence[str]] = field(default_factory=dict)  # fields to post again
    heading: str = ""  # what it is about, above the question (a name, a date)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="dorp-confirm")


def _row_state(row: object) -> list:
    mapper = inspect(row).mapper
    return [mapper.local_table.name, *(getattr(row, a.key) for a in mapper.column_attrs)]


def _fingerprint(c: Confirmation) -> str:
    """A digest of everything the person saw and agreed to."""
    network = getattr(g, "network", None)
    seen = {
        "action": c.action,
        "network": network.id if network is not None else None,
        "user": current_user.get_id(),
        "rows": [_row_state(row) for row in c.rows],
        "state": list(c.state),
        "carry": {k: c.carry[k] for k in sorted(c.carry)},
    }
    encoded = json.dumps(seen, default=str, sort_keys=True).encode()
    return hashlib.sha256(encoded).hexdigest()


def token_for(c: Confirmation) -> str:
    return _serializer().dumps({"a": c.action, "f": _fingerprint(c)})


def _check(c: Confirmation) -> str | None:
    """None when the posted confirmation is valid for the current state; else why not."""
    raw = request.form.get(TOKEN_FIELD, "")
    if not raw:
        return "missing"
    try:
        payload = _serializer().loads(raw, max_age=MAX_AGE_SECONDS)
    except BadSignature:  # also an expired one
        return "invalid"
    if not isinstance(payload, dict) or payload.get("a") != c.action:
        return "invalid"
    if payload.get("f") != _fingerprint(c):
        return "stale"
    return None


PROBLEMS = {
    "invalid": 400,
    "stale": 409,
}


def _problem_text(problem: str) -> str:
    if problem == "stale":
        return _(
            "This changed since the confirmation page was shown, so nothing has been done. "
            "Check what will happen now and confirm again."
        )
    return _(
        "This confirmation could not be checked (it is too old or incomplete), so nothing has "
        "been done. Check what will happen and confirm again."
    )


def ask(c: Confirmation) -> ResponseReturnValue | None:
    """None when the request carries a valid, fresh confirmation of `c`: the view acts.
    Otherwise the confirmation page (the view must not act): 200 on the first step,
    400 for a damaged or expired confirmation, 409 for a stale one."""
    problem = _check(c) if request.method == "POST" else "missing"
    if problem is None:
        return None
    status = PROBLEMS.get(problem, 200)
    response = make_response(
        render_template(
            "confirm.html",
            c=c,
            token=token_for(c),
            token_field=TOKEN_FIELD,
            problem=_problem_text(problem) if problem in PROBLEMS else "",
            carried=[
                (name, value)
                for name, values in c.carry.items()
                for value in ([values] if isinstance(values, str) else values)
            ],
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
