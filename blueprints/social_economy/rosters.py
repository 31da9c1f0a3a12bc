"""Rosters: create, solve on the `roster` queue (the page refreshes itself while it runs), lock,
change by hand within the hard rules, publish; a worker's own week and calendar feed."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale, format_date, format_datetime, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job

from blueprints.forms import form_status, id_from, week_arg
from blueprints.loading import found_or_404, load_or_404
from blueprints.social_economy.blueprint import bp
from blueprints.social_economy.forms import AssignForm, RosterForm
from blueprints.social_economy.workforce import is_coordinator
from saas.bounds import OutOfBounds
from saas.catalogue.schedule import to_local
from saas.connections import redis_connection
from saas.workforce import assignments, calendar, staff
from saas.workforce.errors import WorkforceError
from saas.workforce.grid import roster_week, roster_weeks, week_key, worker_week
from saas.workforce.labels import REASON_LABELS, STATUS_LABELS
from saas.workforce.models import Assignment, Roster, RosterStatus
from saas.workforce.rosters import (
    coverage,
    monday,
    newest_first,
    publish,
    replaces,
    solve_again,
    start_roster,
)
from tenants.access import roles_required
from tenants.models import Role


def _solving() -> None:
    """The solve has been asked for; it starts once this request has committed (workers.relays)."""
    flash(_("The roster is being solved. This page refreshes until it is done."), "info")


def _back_to(roster: Roster):
    return redirect(url_for("social_economy.roster", roster_id=roster.id))


def _progress(roster: Roster) -> dict:
    if roster.status != RosterStatus.SOLVING or not roster.job_id:
        return {}
    try:
        job = Job.fetch(roster.job_id, connection=redis_connection())
    except (NoSuchJobError, RedisError):  # not handed over yet, or Redis away: no progress
        return {}
    return {"state": job.get_status(refresh=False), **(job.meta or {})}


@bp.route("/rosters", methods=["GET", "POST"])
@roles_required(Role.SE_COORDINATOR)
def rosters():
    form = RosterForm()
    error = None
    if request.method == "GET":
        form.starts_on.data = monday(date.today()) + timedelta(weeks=1)
        form.ends_on.data = form.starts_on.data + timedelta(weeks=4, days=-1)
    elif form.validate_on_submit():
        try:
            roster = start_roster(form.starts_on.data, form.ends_on.data, current_user.id)
        except WorkforceError as problem:
            error = str(problem)
        else:
            _solving()
            return _back_to(roster)
    return render_template(
        "social_economy/rosters.html",
        form=form,
        rosters=newest_first(),
        error=error,
        labels=STATUS_LABELS,
    ), form_status()


@bp.route("/rosters/<int:roster_id>")
@roles_required(Role.SE_COORDINATOR)
def roster(roster_id: int):
    roster = load_or_404(Roster, roster_id)
    cover = coverage(roster)
    form = AssignForm()
    team = [load.worker for load in cover["loads"]]  # the active team, read once
    form.worker_id.choices = [(w.id, w.name) for w in team]
    form.session_id.choices = [
        (s.id, f"{format_datetime(s.starts_at, 'short')} {s.offer.title}")
        for s, _n, _a in cover["rows"]
    ]
    sessions = {s.id: s for s, _n, _a in cover["rows"]}
    names = {w.id: w.name for w in team}
    return render_template(
        "social_economy/roster.html",
        roster=roster,
        grid=roster_week(roster, _chosen_week(roster), cover),
        weeks=roster_weeks(roster),
        week_key=week_key,
        cover=cover,
        form=form,
        progress=_progress(roster),
        replaces=replaces(roster),
        retirements=cover["retired"],
        rosters_by_id={r.id: r for r in newest_first()},
        labels=STATUS_LABELS,
        reason_labels=REASON_LABELS,
        sessions=sessions,
        names=names,
        to_local=to_local,
    )


def _chosen_week(roster: Roster) -> date:
    """The roster's week the address asks for (?week=2026-W49 or a day of it); else this week
    while the roster runs, else its first week. A week it does not cover says so."""
    weeks = roster_weeks(roster)
    try:
        chosen = week_arg()
    except OutOfBounds as problem:
        flash(str(problem), "warning")
        chosen = None
    if chosen is not None and chosen not in weeks:
        flash(
            _(
                "This roster runs from %(first)s to %(last)s: that week is not in it.",
                first=format_date(roster.starts_on, "long"),
                last=format_date(roster.last_day, "long"),
            ),
            "warning",
        )
        chosen = None
    this_week = monday(date.today())
    return chosen or (this_week if this_week in weeks else weeks[0])


@bp.route("/rosters/<int:roster_id>/solve", methods=["POST"])
@roles_required(Role.SE_COORDINATOR)
def roster_solve(roster_id: int):
    roster = load_or_404(Roster, roster_id)
    if roster.status == RosterStatus.SOLVING:
        flash(_("The roster is already being solved."), "info")
        return _back_to(roster)
    try:
        solve_again(roster)
    except WorkforceError as problem:
        flash(str(problem), "danger")
        return _back_to(roster), 303
    _solving()
    return _back_to(roster)


@bp.route("/rosters/<int:roster_id>/publish", methods=["POST"])
@roles_required(Role.SE_COORDINATOR)
def roster_publish(roster_id: int):
    roster = load_or_404(Roster, roster_id)
    try:
        people = publish(roster)
    except WorkforceError as problem:
        flash(str(problem), "danger")
        return _back_to(roster), 303
    flash(
        ngettext(
            "The roster is published; %(num)d worker has been told.",
            "The roster is published; %(num)d workers have been told.",
            len(people),
        ),
        "success",
    )
    return _back_to(roster)


@bp.route("/rosters/<int:roster_id>/assign", methods=["POST"])
@roles_required(Role.SE_COORDINATOR)
def roster_assign(roster_id: int):
    roster = load_or_404(Roster, roster_id)
    try:
        assignments.assign_by_hand(
            roster,
            id_from(request.form, "worker_id"),
            id_from(request.form, "session_id"),
        )
    except WorkforceError as problem:
        flash(str(problem), "danger")
        return _back_to(roster), 303
    flash(_("Added and locked: a new solve keeps it."), "success")
    return _back_to(roster)


@bp.route("/rosters/<int:roster_id>/assignments/<int:assignment_id>/lock", methods=["POST"])
@roles_required(Role.SE_COORDINATOR)
def assignment_lock(roster_id: int, assignment_id: int):
    roster = load_or_404(Roster, roster_id)
    assignment = load_or_404(Assignment, assignment_id, Assignment.roster_id == roster.id)
    try:
        assignments.set_lock(assignment, not assignment.locked)
    except WorkforceError as problem:
        flash(str(problem), "danger")
        return _back_to(roster), 303
    return _back_to(roster)


@bp.route("/rosters/<int:roster_id>/assignments/<int:assignment_id>/remove", methods=["POST"])
@roles_required(Role.SE_COORDINATOR)
def assignment_remove(roster_id: int, assignment_id: int):
    roster = load_or_404(Roster, roster_id)
    assignment = load_or_404(Assignment, assignment_id, Assignment.roster_id == roster.id)
    assignments.remove(roster, assignment)
    flash(_("The worker has been taken off the session."), "success")
    return _back_to(roster)


# --- a worker's own week ------------------------------------------------------------------------


@bp.route("/my-week", methods=["GET", "POST"])
@roles_required(Role.SE_WORKER, Role.SE_COORDINATOR)
def my_week():
    worker = found_or_404(staff.worker_for_user(current_user.id))
    if request.method == "POST":  # a new feed address; the old one stops working
        staff.renew_feed_token(worker)
        flash(_("Your calendar has a new address; the old one no longer works."), "success")
        return redirect(url_for("social_economy.my_week"))
    try:
        start = week_arg()
    except OutOfBounds as problem:  # a hand-made address: this week, and why
        flash(str(problem), "warning")
        start = None
    start = start or monday(date.today())
    feed = (
        url_for("social_economy.roster_feed", feed_token=worker.feed_token, _external=True)
        if worker.feed_token
        else None
    )
    return render_template(
        "social_economy/my_week.html",
        worker=worker,
        grids=[worker_week(worker, start), worker_week(worker, start + timedelta(weeks=1))],
        start=start,
        feed=feed,
        coordinator=is_coordinator(),
        week_key=week_key,
    )


@bp.route("/feed/<feed_token>.ics")
def roster_feed(feed_token: str):
    """Public by design: the token is the capability (calendar apps cannot log in)."""
    worker = found_or_404(staff.worker_by_feed_token(feed_token))
    with force_locale(worker.user.language):  # the worker's calendar speaks the worker's language
        name = _("%(network)s: my roster", network=g.network.name)
    body = calendar.build(g.network, worker, date.today(), name)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="rooster.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
