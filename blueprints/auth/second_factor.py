"""The second step of signing in: after a right password, a code from the authenticator app, a
recovery code or (blueprints/auth/webauthn.py) a passkey. The person is signed in only when it
passes. Wrong, reused or expired codes count as failed sign-ins for the throttle
(blueprints/auth/throttle.py), like a wrong password."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

import blueprints.auth.pending as pending
from blueprints.auth.blueprint import bp
from blueprints.auth.forms import SecondFactorForm
from blueprints.auth.throttle import (
    failures_per_account,
    failures_per_address,
    forget_failures,
    note_failure,
)
from saas.accounts import factors, totp
from saas.accounts import services as accounts
from saas.accounts.models import User
from saas.security import is_safe_next
from tenants.access import user_networks


def landing() -> str:
    """Where a person goes after signing in: their network's dashboard when they have one."""
    networks = user_networks(current_user.id)
    if len(networks) == 1:
        return url_for("network.dashboard", slug=networks[0][0].slug)
    return url_for("site.home")


def refusal(problem: str) -> str:
    """The person's words for why a code was not accepted."""
    if problem == "reused_code":
        return _(
            "This code has already been used. Wait until your app shows a new code and type that one."
        )
    if problem == "wrong_recovery_code":
        return _("This recovery code is not right or has already been used.")
    if problem == "wrong_key":
        return _("This passkey or security key could not be checked. Try again, or use a code.")
    return _(
        "This code is not right or has expired. Type the code your app shows now "
        "(it changes every 30 seconds)."
    )


def finish(user: User, how: str, target: str):
    """The second step passed: sign in, remember how, and go where the person was going."""
    first, opens = pending.via(), pending.opens()
    pending.end()
    accounts.start_session(user, via=f"{first}+{how}", opens=opens)
    factors.mark_passed(how)
    forget_failures(user.email)
    return redirect(target if is_safe_next(target) else landing())


def pending_person() -> User | None:
    """The person between the password and the second step; None (and the step ended, saying
    so when it ran out of time) sends them back to the password."""
    user = pending.user()
    if user is None:
        if pending.expired():
            flash(_("Signing in took too long. Please log in again."), "warning")
        pending.end()
    return user


@bp.route("/auth/second-factor", methods=["GET", "POST"])
@failures_per_account
@failures_per_address
def second_factor():
    user = pending_person()
    if user is None:
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    summary = factors.summary(user.id)
    status = 200
    if form.validate_on_submit():
        code = form.code.data
        try:
            if factors.looks_like_recovery_code(code):
                factors.use_recovery_code(user, code)
                how = "recovery"
            else:
                factors.verify_totp(user, code)
                how = "totp"
        except factors.FactorError as exc:
            note_failure()
            form.code.errors.append(refusal(str(exc)))
            status = 422
        else:
            if how == "recovery":
                left = factors.recovery_codes_left(user.id)
                flash(
                    ngettext(
                        "You used a recovery code: %(num)d left. Make new ones on your account "
                        "page when few are left.",
                        "You used a recovery code: %(num)d left. Make new ones on your account "
                        "page when few are left.",
                        left,
                    ),
                    "warning",
                )
            return finish(user, how, pending.target())
    elif form.is_submitted():
        status = 422
    return render_template(
        "auth/second_factor.html", form=form, summary=summary, code_hint=totp.STEP_SECONDS
    ), status
