"""Passkeys and security keys (WebAuthn): adding one from the account page, and using one as
the second step of signing in. The browser part is static/js/webauthn.js: it asks for options
(a JSON POST), lets the browser talk to the key, and posts the answer in an ordinary form. The
challenge lives in the signed session for a few minutes and is used once."""

from __future__ import annotations

import time

from flask import Response, flash, jsonify, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

import blueprints.auth.pending as pending
from blueprints.auth.blueprint import bp
from blueprints.auth.forms import SecondFactorForm
from blueprints.auth.my_factors import show_codes
from blueprints.auth.second_factor import finish, pending_person, refusal
from blueprints.auth.throttle import failures_per_account, failures_per_address, note_failure
from saas.accounts import factors, keys

CHALLENGE_KEY = "webauthn_challenge"
CHALLENGE_SECONDS = 300
REGISTER, ASSERT = "register", "assert"


class KeyForm(FlaskForm):
    label = StringField(
        _l("A name for this key (for example, “laptop” or “blue key”)"),
        validators=[Length(max=100)],
    )
    credential = HiddenField(validators=[DataRequired(), Length(max=keys.MAX_CREDENTIAL_JSON)])


class KeyAssertionForm(FlaskForm):
    credential = HiddenField(validators=[DataRequired(), Length(max=keys.MAX_CREDENTIAL_JSON)])


def _new_challenge(purpose: str) -> str:
    challenge = keys.new_challenge()
    session[CHALLENGE_KEY] = {"c": challenge, "p": purpose, "t": int(time.time())}
    return challenge


def _take_challenge(purpose: str) -> str | None:
    """The challenge given for `purpose`, once; None when there is none or it is too old."""
    state = session.pop(CHALLENGE_KEY, None)
    if not isinstance(state, dict) or state.get("p") != purpose:
        return None
    started = state.get("t")
    if not isinstance(started, int) or time.time() - started > CHALLENGE_SECONDS:
        return None
    challenge = state.get("c")
    return challenge if isinstance(challenge, str) else None


def _json(text: str) -> Response:
    response = Response(text, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/two-factor/key/options")
@login_required
def add_key_options():
    user = current_user._get_current_object()
    return _json(keys.registration_options(user, _new_challenge(REGISTER)))


@bp.route("/account/two-factor/key", methods=["GET", "POST"])
@login_required
def add_key():
    user = current_user._get_current_object()
    form = KeyForm()
    status = 200
    if form.validate_on_submit():
        try:
            keys.add_key(
                user,
                credential=form.credential.data,
                challenge=_take_challenge(REGISTER),
                label=form.label.data or _("Passkey or security key"),
            )
        except factors.FactorError as exc:
            form.credential.errors.append(refusal(str(exc)))
            status = 422
        else:
            factors.mark_passed(factors.WEBAUTHN)  # they just showed they hold it
            flash(_("Your passkey or security key has been added."), "success")
            if factors.recovery_codes_left(user.id) == 0:
                return show_codes(factors.new_recovery_codes(user))
            return redirect(url_for("auth.factors_page"))
    elif form.is_submitted():
        status = 422
    return render_template("auth/add_key.html", form=form), status


@bp.post("/auth/second-factor/key/options")
def key_options():
    user = pending.user()
    if user is None:
        return jsonify(error="no_sign_in"), 400
    return _json(keys.authentication_options(user, _new_challenge(ASSERT)))


@bp.post("/auth/second-factor/key")
@failures_per_account
@failures_per_address
def key_assertion():
    user = pending_person()
    if user is None:
        return redirect(url_for("auth.login"))
    form = KeyAssertionForm()
    problem = refusal("wrong_key")
    if form.validate_on_submit():
        try:
            keys.verify_key(
                user, credential=form.credential.data, challenge=_take_challenge(ASSERT)
            )
        except factors.FactorError as exc:
            note_failure()
            problem = refusal(str(exc))
        else:
            return finish(user, factors.WEBAUTHN, pending.target())
    code_form = SecondFactorForm(formdata=None)
    return render_template(
        "auth/second_factor.html",
        form=code_form,
        summary=factors.summary(user.id),
        key_problem=problem,
    ), 422
