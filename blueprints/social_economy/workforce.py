"""Workers' profiles and flexibility cards, and the team's slots."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from blueprints import confirm
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
    card_after,
    card_before,
    card_on,
    cards,
    change_card,
    check_grid,
    coming,
    delete_card,
    edit_card,
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
        coming=coming(worker),
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
    """The worker's cards, and a new one: its grid starts as a copy of the current card."""
    worker = _worker_or_404(worker_id)
    today = date.today()
    current = card_on(worker, today)
    form = CardForm()
    grid = current.grid if current else solver.ORANGE * solver.CELLS
    error = None
    if request.method == "GET":
        form.valid_from.data = today
    elif form.validate_on_submit():
        try:
            grid = grid_from(request.form)
            saved, existed = change_card(
                worker, grid, form.valid_from.data, form.reason.data or "", current_user.id
            )
        except WorkforceError as problem:
            error = str(problem)
        else:
            return _after_saving(worker, saved, existed)
    else:
        error = _("Please give the date from which the card is valid.")
    return render_template(
        "social_economy/card.html",
        worker=worker,
        form=form,
        grid=grid,
        current=current,
        coming=coming(worker, today),
        history=cards(worker),
        error=error,
        see_reasons=is_coordinator(),
        today=today,
        **_grid_words(),
    ), form_status()


def _after_saving(worker, saved: FlexibilityCard, existed: bool):
    """A card that starts later is shown on its own page (with what holds until then)."""
    day = format_date(saved.valid_from, "long")
    if existed:
        flash(
            _(
                "There already was a card valid from %(day)s that had not started: it has been "
                "changed to this one.",
                day=day,
            ),
            "success",
        )
    elif has_started(saved):
        flash(_("The flexibility card has been saved."), "success")
    else:
        flash(_("The card valid from %(day)s has been saved.", day=day), "success")
    if has_started(saved):
        return redirect(url_for("social_economy.card", worker_id=worker.id))
    return redirect(url_for("social_economy.card_view", worker_id=worker.id, card_id=saved.id))


def _grid_words() -> dict:
    return {
        "hours": HOURS,
        "weekdays": WEEKDAYS,
        "colours": COLOUR_LABELS,
        "cells": solver.HOURS,
    }


def _seen(card: FlexibilityCard) -> str:
    """What the edit form was made from: posted back, so a change in between is noticed. Keyed
    (HMAC), so a worker cannot test guesses of the coordinator's private reason against it."""
    state = f"{card.id}|{card.valid_from.isoformat()}|{card.grid}|{card.private_reason}"
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, state.encode(), hashlib.sha256).hexdigest()[:32]


@bp.route("/workers/<int:worker_id>/cards/<int:card_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def card_view(worker_id: int, card_id: int):
    """One card: read-only once it has started; until then the form to change it."""
    worker = _worker_or_404(worker_id)
    shown = load_or_404(FlexibilityCard, card_id, FlexibilityCard.worker_id == worker.id)
    if has_started(shown):
        return _started_card(worker, shown)
    return _coming_card(worker, shown)


def _started_card(worker, shown: FlexibilityCard):
    """History, to read; a change posted from a form opened before it started is refused."""
    if request.method == "POST":
        error = _(
            "The card valid from %(day)s has started meanwhile, so it stays as history and "
            "nothing has been changed. Save a new card instead.",
            day=format_date(shown.valid_from, "long"),
        )
        return _one_card_page(worker, shown, shown.grid, None, error), 409
    return _one_card_page(worker, shown, shown.grid, None, None)


def _coming_card(worker, shown: FlexibilityCard):
    """The same form as a new card's, filled in with this card; saved when nobody changed the
    card since the form was made."""
    form = CardForm()
    coordinator = is_coordinator()
    if request.method == "GET" or request.form.get("seen") != _seen(shown):
        form.valid_from.data = shown.valid_from
        form.reason.data = shown.private_reason if coordinator else ""
        if request.method == "GET":
            return _one_card_page(worker, shown, shown.grid, form, None)
        error = _(
            "This card has been changed by someone else since you opened it, so nothing has been "
            "saved. Here it is as it is now: make your change again."
        )
        return _one_card_page(worker, shown, shown.grid, form, error), 409
    if not form.validate_on_submit():
        error = _("Please give the date from which the card is valid.")
        return _one_card_page(worker, shown, shown.grid, form, error), 422
    try:
        grid = grid_from(request.form)
        reason = (form.reason.data or "") if coordinator else None  # a worker keeps it as it was
        edit_card(worker, shown, grid, form.valid_from.data, reason, current_user.id)
    except WorkforceError as problem:  # refused before anything changed
        return _one_card_page(worker, shown, request.form, form, str(problem)), 422
    flash(
        _(
            "The card valid from %(day)s has been changed.",
            day=format_date(shown.valid_from, "long"),
        ),
        "success",
    )
    return redirect(url_for("social_economy.card_view", worker_id=worker.id, card_id=shown.id))


def _one_card_page(worker, shown: FlexibilityCard, grid, form, error: str | None) -> str:
    """`grid`: the card's, or the posted cells when a change comes back to be corrected."""
    if not isinstance(grid, str):
        grid = _posted_or(grid, shown.grid)
    after = card_after(shown)
    return render_template(
        "social_economy/card_one.html",
        worker=worker,
        card=shown,
        grid=grid,
        form=form,
        seen=_seen(shown),
        error=error,
        before=card_before(shown),
        after=after,
        last_day=after.valid_from - timedelta(days=1) if after else None,
        current=card_on(worker, date.today()),
        see_reasons=is_coordinator(),
        today=date.today(),
        **_grid_words(),
    )


def _posted_or(formdata, fallback: str) -> str:
    """The posted grid when every cell is a colour, else `fallback`."""
    try:
        return check_grid(grid_from(formdata))
    except WorkforceError:
        return fallback


@bp.route("/workers/<int:worker_id>/cards/<int:card_id>/delete", methods=["GET", "POST"])
@roles_required(*STAFF)
def card_delete(worker_id: int, card_id: int):
    """A card that has not started yet can be taken back, after a page that says what changes."""
    worker = _worker_or_404(worker_id)
    doomed = load_or_404(FlexibilityCard, card_id, FlexibilityCard.worker_id == worker.id)
    if has_started(doomed):
        flash(_("A card that has started stays as history: save a new card instead."), "danger")
        return redirect(url_for("social_economy.card", worker_id=worker.id)), 303
    page = confirm.ask(_card_deletion(worker, doomed))
    if page is not None:
        return page
    day = format_date(doomed.valid_from, "long")
    delete_card(worker, doomed, current_user.id)
    flash(_("The card valid from %(day)s has been deleted.", day=day), "success")
    return redirect(url_for("social_economy.card", worker_id=worker.id))


def _card_deletion(worker, doomed: FlexibilityCard) -> confirm.Confirmation:
    day = format_date(doomed.valid_from, "long")
    before = card_before(doomed)
    lost = [
        _(
            "The card valid from %(day)s, with its %(g)d green, %(o)d orange and %(r)d red hours.",
            day=day,
            g=doomed.grid.count(solver.GREEN),
            o=doomed.grid.count(solver.ORANGE),
            r=doomed.grid.count(solver.RED),
        ),
        _(
            "From %(day)s the card valid from %(before)s holds instead.",
            day=day,
            before=format_date(before.valid_from, "long"),
        )
        if before
        else _(
            "There is no card before it: from %(day)s every hour counts as orange until there is "
            "a new card.",
            day=day,
        ),
    ]
    if worker.user_id != current_user.id:
        lost.append(_("%(name)s is told that the card has been deleted.", name=worker.name))
    return confirm.Confirmation(
        action="flexibility_card.delete",
        title=_("Delete the card valid from %(day)s?", day=day),
        button=_("Delete the card"),
        back=url_for("social_economy.card_view", worker_id=worker.id, card_id=doomed.id),
        heading=_("Flexibility card of %(name)s", name=worker.name),
        rows=[doomed],
        lost=lost,
        kept=[_("The cards that have started stay as history.")],
        undo=_("Until %(day)s you can save a card from that date again on the card page.", day=day),
    )


@bp.context_processor
def _planning_context() -> dict:
    return {
        "is_coordinator": is_coordinator(),
        "is_worker": current_user.is_authenticated
        and staff.worker_for_user(current_user.id) is not None,
    }
