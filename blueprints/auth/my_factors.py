"""A person's own second factors, from their account page: add an authenticator app (a QR code
drawn on the server, the secret as text), see and remove factors, make new recovery codes."""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from blueprints import confirm
from blueprints.auth.blueprint import bp
from blueprints.auth.forms import AddAppForm
from blueprints.auth.second_factor import refusal
from blueprints.loading import found_or_404
from saas.accounts import factors, totp
from saas.accounts.models import SecondFactor, User

ENROL_KEY = "totp_enrol"  # the sealed secret of an app being added (never the plain secret)


def _me() -> User:
    return current_user._get_current_object()


@bp.route("/account/two-factor")
@login_required
def factors_page():
    user = _me()
    return render_template(
        "auth/factors.html",
        factors=factors.factors_of(user.id),
        codes_left=factors.recovery_codes_left(user.id),
        required=factors.needs_second_factor(user),
    )


def _enrolment_secret(*, fresh: bool) -> str:
    secret = None if fresh else totp.unseal(session.get(ENROL_KEY), max_age=totp.ENROL_SECONDS)
    if secret is None:
        secret = totp.new_secret()
        session[ENROL_KEY] = totp.seal(secret)
    return secret


@bp.route("/account/two-factor/app", methods=["GET", "POST"])
@login_required
def add_app():
    user = _me()
    form = AddAppForm()
    status = 200
    if form.validate_on_submit():
        secret = totp.unseal(session.get(ENROL_KEY), max_age=totp.ENROL_SECONDS)
        if secret is None:
            flash(_("This set-up took too long. Scan the new QR code and try again."), "warning")
            return redirect(url_for("auth.add_app"))
        try:
            factors.add_totp(
                user,
                secret=secret,
                code=form.code.data,
                label=form.label.data or _("Authenticator app"),
            )
        except factors.FactorError as exc:
            form.code.errors.append(refusal(str(exc)))
            status = 422
        else:
            session.pop(ENROL_KEY, None)
            factors.mark_passed(factors.TOTP)  # they just showed they hold it
            flash(_("Your authenticator app has been added."), "success")
            if factors.recovery_codes_left(user.id) == 0:
                return show_codes(factors.new_recovery_codes(user))
            return redirect(url_for("auth.factors_page"))
    elif form.is_submitted():
        status = 422
    secret = _enrolment_secret(fresh=not form.is_submitted())
    uri = totp.provisioning_uri(secret, user.email)
    return render_template(
        "auth/add_app.html",
        form=form,
        qr=totp.qr_svg(uri, _("QR code to scan with your authenticator app")),
        secret=totp.grouped(secret),
    ), status


def show_codes(codes: list[str]):
    """The new recovery codes, this once (never cached)."""
    response = render_template("auth/recovery_codes.html", codes=codes)
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/account/two-factor/recovery-codes", methods=["GET", "POST"])
@login_required
def new_recovery_codes():
    user = _me()
    if not factors.has_factors(user.id):
        flash(_("Add an authenticator app or a passkey first."), "warning")
        return redirect(url_for("auth.factors_page"))
    left = factors.recovery_codes_left(user.id)
    page = confirm.ask(
        confirm.Confirmation(
            action="factors.recovery_codes",
            title=_("Make new recovery codes?"),
            button=_("Make new recovery codes"),
            back=url_for("auth.factors_page"),
            state=[user.id, left],
            lost=[_("The recovery codes you have now stop working.")] if left else [],
            kept=[_("Your authenticator apps and passkeys keep working.")],
        )
    )
    if page is not None:
        return page
    return show_codes(factors.new_recovery_codes(user))


@bp.route("/account/two-factor/<int:factor_id>/remove", methods=["GET", "POST"])
@login_required
def remove_factor(factor_id: int):
    user = _me()
    factor: SecondFactor = found_or_404(factors.own_factor(user.id, factor_id))
    others = [f for f in factors.factors_of(user.id) if f.id != factor.id]
    if not others and factors.needs_second_factor(user):
        flash(
            _(
                "Two factors are required for your role: add another authenticator app or "
                "passkey before you remove this one."
            ),
            "warning",
        )
        return redirect(url_for("auth.factors_page"))
    lost = [_("You can no longer sign in with “%(name)s”.", name=factor.label)]
    if not others:
        lost.append(
            _(
                "It is your last second factor: your recovery codes stop working too, and you "
                "sign in with your password alone."
            )
        )
    page = confirm.ask(
        confirm.Confirmation(
            action="factors.remove",
            title=_("Remove “%(name)s”?", name=factor.label),
            button=_("Remove it"),
            back=url_for("auth.factors_page"),
            rows=[factor],
            state=[len(others)],
            lost=lost,
            undo=_("To use it again, add it again from this page."),
        )
    )
    if page is not None:
        return page
    factors.remove(user, factor)
    flash(_("“%(name)s” has been removed.", name=factor.label), "info")
    return redirect(url_for("auth.factors_page"))
