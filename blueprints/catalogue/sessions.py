"""One session of an offer: its page, cancelling or moving it, and recording its attendance."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.auth.forms import ConfirmForm
from blueprints.catalogue.access import require
from blueprints.catalogue.blueprint import bp
from blueprints.catalogue.forms import CancelForm, HeadcountForm, MoveForm
from blueprints.forms import choices
from blueprints.loading import load_or_404
from saas.catalogue import permissions as perm
from saas.catalogue import services
from saas.catalogue.models import ActivitySession
from saas.catalogue.schedule import to_local
from saas.models_base import utcnow
from tenants.access import roles_required

COUNTED = (
    "adults",
    "children_0_3",
    "children_3_6",
    "children_6_12",
    "children_12_plus",
    "first_time_families",
)


def _session_page(session, rights, *, move_form=None, count_form=None, status: int = 200):
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
        started=session.starts_at <= utcnow(),
        confirm=ConfirmForm(),
    ), status


@bp.route("/sessions/<int:session_id>", methods=["GET"])
@roles_required()
def session_detail(session_id: int):
    session = load_or_404(ActivitySession, session_id)
    return _session_page(session, require(session.offer, perm.VIEW))


@bp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@roles_required()
def cancel_session(session_id: int):
    session = load_or_404(ActivitySession, session_id)
    require(session.offer, perm.SESSIONS)
    form = CancelForm()
    if form.validate_on_submit():
        if request.form.get("action") == "restore":
            services.restore_session(session)
            flash(_("The session takes place again."), "success")
        else:
            services.cancel_session(session, form.reason.data or "")
            flash(_("The session is cancelled; co-organisers and followers get an e-mail."), "info")
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
