"""The state between the password and the second factor: who gave a right password, kept in
the signed session for TWO_FACTOR_STEP_SECONDS. The person is NOT signed in meanwhile; the state
ends when the second step passes, when it expires, or at a new password step."""

from __future__ import annotations

import time

from flask import current_app, session

from saas.accounts.models import User
from saas.audit import security
from saas.extensions import db

KEY = "sign_in_pending"


def _password_mark(user: User) -> str:
    # changes with the password, so a pending step ends when the password changes
    return (user.password_hash or "none")[-12:]


def begin(user: User, target: str, via: str = "password", opens: int | None = None) -> None:
    """`via`: how the first step was passed ("password", or "sso" after a sign-in provider that
    showed no second factor of its own); `opens`: the one network that provider opens."""
    session[KEY] = {
        "v": via,
        "o": opens,
        "u": user.id,
        "a": security.account_ref(user.email),  # the throttle's key: never the address
        "p": _password_mark(user),
        "t": int(time.time()),
        "n": target,
    }


def _state() -> dict | None:
    state = session.get(KEY)
    if not isinstance(state, dict):
        return None
    started = state.get("t")
    if not isinstance(started, int):
        return None
    if time.time() - started > current_app.config["TWO_FACTOR_STEP_SECONDS"]:
        return None
    return state


def account_ref() -> str | None:
    """The pending account's keyed hash (for the failed-attempt limit), or None."""
    state = _state()
    return state.get("a") if state else None


def user() -> User | None:
    """The person whose password was right, while the step is open; else None."""
    state = _state()
    if state is None:
        return None
    person = db.session.get(User, state.get("u"))
    if person is None or not person.is_enabled or _password_mark(person) != state.get("p"):
        return None
    return person


def target() -> str:
    state = session.get(KEY)
    return state.get("n", "") if isinstance(state, dict) else ""


def via() -> str:
    state = session.get(KEY)
    first = state.get("v", "password") if isinstance(state, dict) else "password"
    return first if first in ("password", "sso") else "password"


def opens() -> int | None:
    """The one network the first step opens (a network's provider), or None for all."""
    state = session.get(KEY)
    network = state.get("o") if isinstance(state, dict) else None
    return network if isinstance(network, int) else None


def expired() -> bool:
    """A step was started but is too old now."""
    return KEY in session and _state() is None


def end() -> None:
    session.pop(KEY, None)
