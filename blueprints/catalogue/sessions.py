"""One session of an offer: its page, cancelling or moving it, and recording its attendance."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_time
from flask_babel import gettext as _
from flask_login import current_user

from blueprints import confirm
from blueprints.auth.forms import ConfirmForm
from blueprints.catalogue.access import require
from blueprints.catalogue.blueprint import bp
from blueprints.catalogue.forms import CancelForm, CorrectSessionForm, HeadcountForm, MoveForm
from blueprints.forms import choices
from blueprints.loading import load_or_404
from saas.catalogue import permissions as perm
from saas.catalogue import services
from saas.catalogue.models import ActivitySession
from saas.catalogue.schedule import to_local
from tenants.access import roles, roles_required
from tenants.models import Role

COUNTED = (
    "adults",
    "children_0_3",
    "children_3_6",
    "children_6_12",
    "children_12_plus",
    "first_time_families",
)


def _session_page(
    session, rights, *, move_form=None, count_form=None, correct_form=None, status: int = 200
):
    """The session page: attendance (newest first) and the forms to cancel or move it."""
    history = services.headcount_history(session.id)
    if move_form is None:
        local = to_local(session.starts_at)
        move_form = MoveForm(
            day=local.date(),
            start_time=local.time(),
            end_time=to_local(session.ends_at).time(),
            location_id=session.place.id,
        )
        move_form.location_id.choices = choices((loc.id, loc.name) for loc in services.locations())
    if count_form is None:
        count_form = HeadcountForm(obj=history[0]) if history else HeadcountForm()
    return render_template(
        "catalogue/session_detail.html",
        session=session,
        offer=session.offer,
        rights=rights,
        cancel_form=CancelForm(),
        move_form=move_form,
        count_form=count_form,
        history=history,
        started=services.has_started(session),
        confirm=ConfirmForm(),
        steward=Role.STEWARD in roles(),
        correct_form=correct_form
        or CorrectSessionForm(held="yes" if session.is_cancelled else "no"),
    ), status


@bp.route("/sessions/<int:session_id>", methods=["GET"])
@roles_required()
def session_detail(session_id: int):
    session = load_or_404(ActivitySession, session_id)
    return _session_page(session, require(session.offer, perm.VIEW))


def _when(session) -> str:
    day, start, end = (
        format_date(session.starts_at, "full"),
        format_time(session.starts_at, "short"),
        format_time(session.ends_at, "short"),
    )
    return f"{day}, {start}–{end} · {session.place.name}"


def _cancellation(session, reason: str) -> confirm.Confirmation:
    lost = [
        _("Families and partners see the session as cancelled."),
        _("The co-organisers and the people who follow the activity get an e-mail now.")
        if session.offer.is_published
        else _("Nobody is e-mailed: the activity is not published."),
    ]
    if reason:
        lost.append(_("The reason shown with it: “%(reason)s”", reason=reason))
    return confirm.Confirmation(
        action="session.cancel",
        title=_("Cancel this session of “%(title)s”?", title=session.offer.title),
        button=_("Cancel the session"),
        back=url_for("catalogue.session_detail", session_id=session.id),
        heading=_when(session),
        rows=[session],
        lost=lost,
        undo=_(
            "If it takes place after all, restore it on the session's page before it starts "
            "(the e-mail already sent stays sent)."
        ),
        carry={"action": "cancel", "reason": reason},
    )


@bp.route("/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@roles_required()
def cancel_session(session_id: int):
    session = load_or_404(ActivitySession, session_id)
    rights = require(session.offer, perm.SESSIONS)
    back = redirect(url_for("catalogue.session_detail", session_id=session.id))
    if request.method == "GET":
        return back
    form = CancelForm()
    if not form.validate_on_submit():
        return _session_page(session, rights, status=422)
    try:
        if request.form.get("action") == "restore":
            services.restore_session(session)
            flash(_("The session takes place again."), "success")
            return back
        if session.is_cancelled:
            return back
        services.ensure_not_started(session)
        page = confirm.ask(_cancellation(session, (form.reason.data or "").strip()))
        if page is not None:
            return page
        services.cancel_session(session, form.reason.data or "")
    except services.OfferError as exc:
        flash(str(exc), "danger")
        return _session_page(session, rights, status=422)
    flash(_("The session is cancelled; co-organisers and followers get an e-mail."), "info")
    return back


@bp.route("/sessions/<int:session_id>/correct", methods=["POST"])
@roles_required(Role.STEWARD)
def correct_session(session_id: int):
    """The steward corrects the record of a session that has started, with a reason."""
    session = load_or_404(ActivitySession, session_id)
    rights = require(session.offer, perm.VIEW)
    form = CorrectSessionForm()
    if not form.validate_on_submit():
        return _session_page(session, rights, correct_form=form, status=422)
    held = form.held.data == "yes"
    reason = form.reason.data.strip()
    counts = services.headcount_history(session.id)
    lost = [
        _("The session counts as held in the network's figures.")
        if held
        else _("The session counts as not held in the network's figures.")
    ]
    if counts and not held:
        lost.append(
            _(
                "Its recorded attendance (%(adults)d adults, %(children)d children) no longer "
                "counts.",
                adults=counts[0].adults,
                children=counts[0].children,
            )
        )
    lost += [
        _("The reason shown with it: “%(reason)s”", reason=reason),
        _("Nobody is e-mailed: the session is in the past."),
    ]
    page = confirm.ask(
        confirm.Confirmation(
            action="session.correct",
            title=_(
                "Correct the record of this session of “%(title)s”?", title=session.offer.title
            ),
            button=_("Correct the record"),
            back=url_for("catalogue.session_detail", session_id=session.id),
            heading=_when(session),
            rows=[session, *counts[:1]],
            lost=lost,
            undo=_("A steward can correct it again on the session's page."),
            carry={"held": form.held.data, "reason": reason},
        )
    )
    if page is not None:
        return page
    try:
        services.correct_past_session(session, held=held, reason=reason)
    except services.OfferError as exc:
        form.reason.errors.append(str(exc))
        return _session_page(session, rights, correct_form=form, status=422)
    flash(_("The session's record has been corrected."), "success")
    return redirect(url_for("catalogue.session_detail", session_id=session.id))


@bp.route("/sessions/<int:session_id>/move", methods=["POST"])
@roles_required()
def move_session(session_id: int):
    session = load_or_404(ActivitySession, session_id)
    rights = require(session.offer, perm.SESSIONS)
    form = MoveForm()
    form.location_id.choices = choices((loc.id, loc.name) for loc in services.locations())
    if form.validate_on_submit():
        try:
            services.move_session(
                session,
                day=form.day.data,
                start_time=form.start_time.data,
                end_time=form.end_time.data,
                location_id=form.location_id.data,
            )
        except services.OfferError as exc:
            getattr(form, exc.field or "day", form.day).errors.append(str(exc))
        else:
            flash(_("The session has moved."), "success")
            return redirect(url_for("catalogue.session_detail", session_id=session.id))
    return _session_page(session, rights, move_form=form, status=422)


@bp.route("/sessions/<int:session_id>/headcount", methods=["POST"])
@roles_required()
def record_headcount(session_id: int):
    session = load_or_404(ActivitySession, session_id)
    rights = require(session.offer, perm.HEADCOUNT)
    form = HeadcountForm()
    if form.validate_on_submit():
        numbers = {name: getattr(form, name).data for name in COUNTED}
        numbers["kindergarten_on_time"] = form.kindergarten_on_time.data or 0
        try:
            services.record_headcount(session, numbers, current_user.id)
        except services.OfferError as exc:
            form.adults.errors.append(str(exc))
        else:
            flash(_("The attendance has been saved."), "success")
            return redirect(url_for("catalogue.session_detail", session_id=session.id))
    return _session_page(session, rights, count_form=form, status=422)
