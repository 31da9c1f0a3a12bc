"""Workers' profiles and flexibility cards, and the team's slots."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.auth.forms import ConfirmForm
from blueprints.forms import form_status, id_from
from blueprints.loading import found_or_404, load_or_404
from blueprints.social_economy.blueprint import bp
from blueprints.social_economy.forms import (
    HOURS,
    CardForm,
    ProfileForm,
    TeamSlotForm,
    grid_from,
)
from saas.workforce import solver, staff
from saas.workforce.cards import (
    card_before,
    card_on,
    cards,
    change_card,
    delete_card,
    has_started,
)
from saas.workforce.errors import WorkforceError
from saas.workforce.labels import COLOUR_LABELS, SKILL_LABELS, WEEKDAYS
from saas.workforce.models import FlexibilityCard
from tenants.access import has_role, roles_required
from tenants.models import Role

STAFF = (Role.SE_COORDINATOR, Role.SE_WORKER)


def is_coordinator() -> bool:
    return has_role(Role.SE_COORDINATOR)


def _worker_or_404(worker_id: int):
    """The worker the person may open: a coordinator any of the team, a worker only themselves."""
    return found_or_404(staff.worker_seen_by(worker_id, current_user.id, sees_all=is_coordinator()))


# --- the team's workers ----------------------------------------------------------------------


@bp.route("/workers", methods=["GET", "POST"])
@roles_required(Role.SE_COORDINATOR)
def workers():
    """Workers in the planning; team members without a profile can be added."""
    if request.method == "POST":
        try:
            worker = staff.add_worker(id_from(request.form, "user_id"))
        except WorkforceError as problem:
            flash(str(problem), "danger")
            return redirect(url_for("social_economy.workers")), 303
        return redirect(url_for("social_economy.worker", worker_id=worker.id))
    team = staff.workers(active_only=False)
    return render_template(
        "social_economy/workers.html",
        team=team,
        missing=staff.unplanned_members(team),
        slots=staff.team_slots(),
        slot_form=TeamSlotForm(),
        weekdays=WEEKDAYS,
        skill_labels=SKILL_LABELS,
    )


@bp.route("/team-slot", methods=["POST"])
@roles_required(Role.SE_COORDINATOR)
def team_slot():
    form = TeamSlotForm()
    if not (form.validate_on_submit() and form.end_time.data > form.start_time.data):
        flash(
            _("The team slot needs a name, a day and a time that ends after it starts."), "danger"
        )
        return redirect(url_for("social_economy.workers")), 303
    staff.add_team_slot(
        form.label.data, form.weekday.data, form.start_time.data, form.end_time.data
    )
    flash(_("The team slot has been added: nobody is rostered then."), "success")
    return redirect(url_for("social_economy.workers"))


@bp.route("/workers/<int:worker_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def worker(worker_id: int):
    worker = _worker_or_404(worker_id)
    form = ProfileForm() if is_coordinator() else None
    if form is None and request.method == "POST":
        abort(403)
    if form is not None and request.method == "GET":
        form.fill_from(worker)
    if form is not None and form.validate_on_submit():
        staff.update_profile(worker, form.profile())
        flash(_("The profile has been saved."), "success")
        return redirect(url_for("social_economy.worker", worker_id=worker.id))
    return render_template(
        "social_economy/worker.html",
        worker=worker,
        form=form,
        skill_labels=SKILL_LABELS,
        card=card_on(worker, date.today()),
        hours=HOURS,
        weekdays=WEEKDAYS,
    ), form_status()


# --- flexibility cards ---------------------------------------------------------------------------


@bp.route("/my-card")
@roles_required(Role.SE_WORKER, Role.SE_COORDINATOR)
def my_card():
    worker = found_or_404(staff.worker_for_user(current_user.id))
    return redirect(url_for("social_economy.card", worker_id=worker.id))


@bp.route("/workers/<int:worker_id>/card", methods=["GET", "POST"])
@roles_required(*STAFF)
def card(worker_id: int):
    worker = _worker_or_404(worker_id)
    history = cards(worker)
    current = card_on(worker, date.today())
    form = CardForm()
    grid = current.grid if current else solver.ORANGE * solver.CELLS
    error = None
    if request.method == "GET":
        form.valid_from.data = date.today()
    elif form.validate_on_submit():
        try:
            grid = grid_from(request.form)
            change_card(worker, grid, form.valid_from.data, form.reason.data or "", current_user.id)
        except WorkforceError as problem:
            error = str(problem)
        else:
            flash(_("The flexibility card has been saved."), "success")
            return redirect(url_for("social_economy.card", worker_id=worker.id))
    else:
        error = _("Please give the date from which the card is valid.")
    return render_template(
        "social_economy/card.html",
        worker=worker,
        form=form,
        grid=grid,
        history=history,
        error=error,
        hours=HOURS,
        weekdays=WEEKDAYS,
        colours=COLOUR_LABELS,
        see_reasons=is_coordinator(),
        cells=solver.HOURS,
        today=date.today(),
    ), form_status()


@bp.route("/workers/<int:worker_id>/cards/<int:card_id>/delete", methods=["GET", "POST"])
@roles_required(*STAFF)
def card_delete(worker_id: int, card_id: int):
    """A card that has not started yet can be taken back, after a page that says what changes."""
    worker = _worker_or_404(worker_id)
    doomed = load_or_404(FlexibilityCard, card_id, FlexibilityCard.worker_id == worker.id)
    back = redirect(url_for("social_economy.card", worker_id=worker.id))
    if has_started(doomed):
        flash(_("A card that has started stays as history: save a new card instead."), "danger")
        return back, 303
    form = ConfirmForm()
    if form.validate_on_submit():
        delete_card(worker, doomed)
        flash(
            _(
                "The card valid from %(day)s has been deleted.",
                day=format_date(doomed.valid_from, "long"),
            ),
            "success",
        )
        return back
    return render_template(
        "social_economy/card_delete.html",
        worker=worker,
        card=doomed,
        before=card_before(doomed),
        form=form,
    ), form_status()


@bp.context_processor
def _planning_context() -> dict:
    return {
        "is_coordinator": is_coordinator(),
        "is_worker": current_user.is_authenticated
        and staff.worker_for_user(current_user.id) is not None,
    }
