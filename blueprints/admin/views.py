"""The platform admin creates networks and gives them a first steward (explicitly cross-network),
and reads the platform's security events."""

from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from blueprints.admin.blueprint import bp
from blueprints.forms import choices, day_arg, email_field, form_status, slug_field
from saas.audit import security
from saas.audit.security import Kind
from saas.bounds import OutOfBounds
from saas.catalogue.queries import Page, page_number
from saas.onboarding import networks as onboarding
from tenants.models import LANGUAGES


class NetworkForm(FlaskForm):
    name = StringField(_l("Network name"), validators=[DataRequired(), Length(min=2, max=200)])
    slug = slug_field()
    municipality = StringField(
        _l("Municipality"), validators=[DataRequired(), Length(min=2, max=200)]
    )
    default_language = SelectField(
        _l("Default language"), choices=lambda: choices(LANGUAGES.items())
    )
    steward_email = email_field(_l("E-mail of the first steward"))


@bp.before_request
@login_required
def _platform_admin_only():
    if not current_user.is_platform_admin:
        abort(404)


@bp.route("/networks", methods=["GET", "POST"])
def networks():
    form = NetworkForm()
    if form.validate_on_submit():
        try:
            network = onboarding.create_network(
                slug=form.slug.data,
                name=form.name.data,
                municipality=form.municipality.data,
                default_language=form.default_language.data,
                steward_email=form.steward_email.data,
                invited_by=current_user,
            )
        except onboarding.NetworkError as exc:
            form.slug.errors.append(str(exc))
        else:
            flash(
                _(
                    "Network %(name)s has been created; the steward has been invited.",
                    name=network.name,
                ),
                "success",
            )
            return redirect(url_for("admin.networks"))
    rows = onboarding.networks_with_member_counts()
    return render_template("admin/networks.html", form=form, rows=rows), form_status()


_VIA = {
    "password": _l("with a password"),
    "invitation": _l("after accepting an invitation"),
    "signup": _l("after starting a network"),
    "password_change": _l("again, after changing the password"),
    "sso": _l("through a sign-in provider"),
    "password+totp": _l("with a password and an authenticator app"),
    "password+webauthn": _l("with a password and a passkey or security key"),
    "password+recovery": _l("with a password and a recovery code"),
    "sso+totp": _l("through a sign-in provider and an authenticator app"),
    "sso+webauthn": _l("through a sign-in provider and a passkey or security key"),
    "sso+recovery": _l("through a sign-in provider and a recovery code"),
}

_SCOPE = {"network": _l("a network's provider"), "platform": _l("the platform's provider")}
_ACTION = {"added": _l("added"), "changed": _l("changed"), "removed": _l("removed")}


_FACTOR = {
    "totp": _l("authenticator app"),
    "webauthn": _l("passkey or security key"),
    "recovery": _l("recovery code"),
}
_FACTOR_KINDS = (Kind.FACTOR_ADDED, Kind.FACTOR_REMOVED, Kind.FACTOR_USED, Kind.FACTOR_FAILED)


def _details(event) -> str:
    """What a row adds to its kind, in the page's language."""
    details = event.details or {}
    if event.kind in _FACTOR_KINDS:
        factor = str(_FACTOR.get(details.get("factor"), ""))
        if details.get("reason") == "reused":
            return _("%(factor)s: a code already used", factor=factor)
        return factor
    if event.kind == Kind.SIGN_IN:
        return str(_VIA.get(details.get("via"), ""))
    if event.kind == Kind.SESSIONS_REVOKED:
        return ngettext(
            "%(num)d session ended", "%(num)d sessions ended", details.get("sessions", 0)
        )
    if event.kind == Kind.SIGN_IN_THROTTLED:
        try:
            until = format_datetime(datetime.fromisoformat(details["until"]), "short")
        except (KeyError, TypeError, ValueError):
            until = "–"
        if details.get("scope") == "address":
            return _("too many failures from this address; paused until %(time)s", time=until)
        return _("too many failures for this account; paused until %(time)s", time=until)
    if event.kind in {Kind.SSO_FAILED, Kind.SSO_PROVIDER_REFUSED, Kind.SSO_LINKED}:
        scope = str(_SCOPE.get(details.get("scope"), ""))
        reason = details.get("reason")
        return f"{scope} ({reason})" if reason else scope
    if event.kind == Kind.SSO_PROVIDER_CHANGED:
        return f"{_SCOPE.get(details.get('scope'), '')}: {_ACTION.get(details.get('action'), '')}"
    if event.kind == Kind.PASSWORD_RESET_REQUESTED:
        if details.get("sent"):
            return _("link sent")
        return _("nothing sent (no such account, or its limit of links was reached)")
    return ""


@bp.route("/security")
def security_events():
    """Sign-ins, failures, throttles and password changes across the platform (issue #21.5)."""
    kind = request.args.get("kind", "")
    problem = None
    try:
        first, last = day_arg("from"), day_arg("to")
    except OutOfBounds as exc:
        first = last = None
        problem = str(exc)
    if kind and kind not in set(Kind):
        kind, problem = "", _("This kind of event does not exist. Choose one from the list.")
    if first and last and last < first:
        problem = _("The last day comes before the first day.")
    number = page_number(request.args)
    rows, total = (
        security.listing(
            kind=kind or None,
            first=first,
            last=last,
            number=number,
            zone=current_app.config["BABEL_DEFAULT_TIMEZONE"],
        )
        if problem is None
        else ([], 0)
    )
    page = Page(items=rows, total=total, number=number, size=security.PAGE_SIZE)
    return render_template(
        "admin/security_events.html",
        page=page,
        kinds=[(k.value, security.LABELS[k]) for k in Kind],
        picked={
            "kind": kind,
            "from": request.args.get("from", ""),
            "to": request.args.get("to", ""),
        },
        problem=problem,
        details=_details,
        kind_label=lambda kind: security.LABELS.get(kind, kind),
    ), (422 if problem else 200)
