"""Nobody who must have two factors uses Dorp without them (issue #21.1): a signed-in session
that passed no second factor, of a person the rule binds (saas.accounts.factors), may only set
one up. A person who has factors but whose session predates them (or the rule) signs in again,
through the second step. A session asks the rule again at its next request once the rule's
generation has moved on (a steward turned it on, a role or a factor was added: see
saas.accounts.factors), and in any case every RECHECK_SECONDS (a generation lost with Redis)."""

from __future__ import annotations

import time

from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from saas.accounts import factors
from saas.accounts import services as accounts

RECHECK_SECONDS = 120
# What a person who must set up a factor can still reach.
OPEN = frozenset(
    {
        "static",
        "bootstrap.static",
        "site.healthz",
        "auth.login",
        "auth.logout",
        "auth.second_factor",
        "auth.factors_page",
        "auth.add_app",
        "auth.new_recovery_codes",
        "auth.add_key_options",
        "auth.add_key",
        "auth.key_options",
        "auth.key_assertion",
        "auth.forgot_password",
        "auth.reset_password",
    }
)


def require_second_factor():
    endpoint = request.endpoint
    if endpoint is None or endpoint in OPEN or endpoint.startswith("api."):
        return None
    if not current_user.is_authenticated or factors.session_passed():
        return None
    generation = factors.rule_generation()  # read before the rule: a change after it shows
    checked = session.get(factors.RULE_CHECKED_KEY)
    if (
        isinstance(checked, int)
        and 0 <= time.time() - checked < RECHECK_SECONDS
        and generation is not None
        and session.get(factors.RULE_GENERATION_KEY) == generation
    ):
        return None
    user = current_user._get_current_object()
    if not factors.needs_second_factor(user):
        session[factors.RULE_CHECKED_KEY] = int(time.time())
        session[factors.RULE_GENERATION_KEY] = generation
        return None
    if factors.has_factors(user.id):
        accounts.end_session(user)
        flash(_("Please log in again with your second factor."), "warning")
        return redirect(url_for("auth.login"))
    flash(_("Before you go on, set up a second factor: it is required for your role."), "warning")
    return redirect(url_for("auth.factors_page"))
