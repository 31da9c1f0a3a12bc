"""Sign-in throttling that protects without locking people out (issue #21.3).

Only FAILED sign-ins count, per account and per client address, in Redis through
Flask-Limiter: a limit with `deduct_when` is tested before the view and charged after it only
when the view says the sign-in failed. A successful sign-in (or a new password set with a reset
link) forgets the account's failures; the address's stay, so one valid account cannot wipe the
slate for guesses at others. The account's key is a keyed hash of the normalised address, never
the address itself. When a limit is reached, `on_breach` answers with a translated page that
says when to try again and offers a reset link ("forgot password" has its own limits and keeps
working). Defaults: 5 failures per account and 50 per address in 15 minutes, so a school or an
office behind one address (tens of people, some typos) is never held up.

The second step of signing in (a code or a key after the password, blueprints/auth/
second_factor.py and keys.py) counts under the same limits: its failures are charged to the
account whose password was given (its keyed hash rides in the pending step) and to the address.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, g, make_response, render_template, request
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from limits import parse_many

import blueprints.auth.pending as pending
from saas.accounts import services as accounts
from saas.audit import security
from saas.audit.security import Kind
from saas.extensions import limiter

ACCOUNT_SCOPE = "login-account"
ADDRESS_SCOPE = "login-address"


def _account_key_for(email: str) -> str:
    return "account:" + security.account_ref(email[:254])


def _account_key() -> str:
    if "email" not in request.form:
        # the second step (a code after the password): the same account's count
        ref = pending.account_ref()
        if ref is not None:
            return "account:" + ref
    return _account_key_for(request.form.get("email", ""))


def _who_tried():
    """The account an attempt was about, and the address typed (None on the second step)."""
    if "email" not in request.form and pending.account_ref() is not None:
        return pending.user(), None
    typed = request.form.get("email", "")[:254]
    return accounts.find_user(typed), typed


def note_failure() -> None:
    """The view's word that this attempt failed: only then are the limits charged."""
    g.sign_in_failed = True


def _failed(_response) -> bool:
    return bool(g.get("sign_in_failed"))


def _throttled(scope: str):
    def on_breach(limit: RequestLimit):
        until = datetime.fromtimestamp(limit.reset_at, UTC)
        person, typed = _who_tried()
        security.record(
            Kind.SIGN_IN_THROTTLED,
            user=person,  # for the admin's list; the page is the same
            email=typed,
            scope=scope,
            until=until.isoformat(timespec="seconds"),
        )
        # both limits may be reached: the page names the later time and the wider scope
        g.sign_in_retry_at = max(until, g.get("sign_in_retry_at", until))
        g.sign_in_throttled = g.get("sign_in_throttled", frozenset()) | {scope}
        wait = g.sign_in_retry_at - datetime.now(UTC)
        page = render_template(
            "auth/throttled.html",
            until=g.sign_in_retry_at,
            wait=wait,
            whole_address="address" in g.sign_in_throttled,
        )
        response = make_response(page, 429)
        response.headers["Retry-After"] = str(max(int(wait.total_seconds()) + 1, 1))
        return response

    return on_breach


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _address_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


failures_per_account = limiter.shared_limit(
    _account_limit,
    scope=ACCOUNT_SCOPE,
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
    on_breach=_throttled("account"),
)
failures_per_address = limiter.shared_limit(
    _address_limit,
    scope=ADDRESS_SCOPE,
    key_func=get_remote_address,
    methods=["POST"],
    deduct_when=_failed,
    on_breach=_throttled("address"),
)


def forget_failures(email: str) -> None:
    """Start the account's count again: after a sign-in, or a password set with a reset link
    (which is how a throttled person gets back in)."""
    if not limiter.enabled:
        return
    prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
    for item in parse_many(_account_limit()):
        # the identifiers Flask-Limiter charges a shared limit under: prefix, key, scope
        limiter.limiter.clear(item, prefix, _account_key_for(email), ACCOUNT_SCOPE)
