"""The person's security page (issue #21.4): where they are signed in, ending those sessions,
and their recent sign-ins and failed attempts. Only ever their own: every query starts from the
signed-in person, and a session is named by a handle that only its owner's page shows. The
forms carry CSRF tokens like every form (checked by CSRFProtect before the view)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from blueprints.site.blueprint import bp
from saas.accounts import sessions
from saas.audit import security
from saas.audit.security import Kind
from saas.security import SESSION_IDLE_LIMIT

RECENT_DAYS = 90  # how far back the person's sign-ins and attempts are listed


@bp.route("/account/security")
@login_required
def security_page():
    return _page()


def _page(problem: str | None = None):
    user = current_user._get_current_object()
    return render_template(
        "site/security.html",
        sessions=sessions.active_sessions(user),
        current_token=user.login_token,
        events=security.recent_for(user.id, days=RECENT_DAYS),
        idle_days=SESSION_IDLE_LIMIT.days,
        recent_days=RECENT_DAYS,
        kind_label=lambda kind: security.LABELS.get(kind, kind),
        event_note=_event_note,
        problem=problem,
    ), (422 if problem else 200)


def _event_note(event) -> str:
    details = event.details or {}
    if event.kind == Kind.SESSIONS_REVOKED:
        count = details.get("sessions", 0)
        return ngettext("%(num)d session ended", "%(num)d sessions ended", count)
    return ""


@bp.route("/account/security/sign-out", methods=["POST"])
@login_required
def end_session():
    """End one of the person's sessions (another device's, or this one: then they are out)."""
    user = current_user._get_current_object()
    try:
        was_this_one = sessions.end_one(user, request.form.get("session", "")[:100])
    except sessions.UnknownSession:
        return _page(
            _(
                "This session cannot be signed out: it has ended already or is not one of yours."
                " The list below shows your sessions as they are now."
            )
        )
    if was_this_one:
        flash(_("You are logged out."), "info")
        return redirect(url_for("site.home"))
    flash(_("That session has been signed out. It needs to sign in again."), "success")
    return redirect(url_for("site.security_page"))


@bp.route("/account/security/sign-out-others", methods=["POST"])
@login_required
def end_other_sessions():
    """Sign out everywhere else: every session of the person but this one."""
    ended = sessions.end_others(current_user._get_current_object())
    if ended:
        flash(
            ngettext(
                "%(num)d other session has been signed out.",
                "%(num)d other sessions have been signed out.",
                ended,
            ),
            "success",
        )
    else:
        flash(_("You were not signed in anywhere else."), "info")
    return redirect(url_for("site.security_page"))
