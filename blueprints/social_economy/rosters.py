"""Rosters: create, solve on the `roster` queue (the page refreshes itself while it runs), lock,
change by hand within the hard rules, publish; a worker's own week and calendar feed."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import select

from blueprints.social_economy.blueprint import bp
from blueprints.social_economy.forms import AssignForm, RosterForm
from blueprints.social_economy.workforce import is_coordinator, own_worker_or_404
from saas.audit.services import record
from saas.catalogue.models import ActivitySession
from saas.catalogue.schedule import to_local
from saas.connections import redis_connection
from saas.extensions import db
from saas.workforce import calendar, solving
from saas.workforce.assignments import manual_assign, my_assignments, set_lock
from saas.workforce.errors import WorkforceError
from saas.workforce.labels import REASON_LABELS, STATUS_LABELS
from saas.workforce.models import Assignment, Roster, RosterStatus, WorkerProfile
from saas.workforce.rosters import coverage, create_roster, monday, publish
from saas.workforce.staff import new_feed_token, workers
from tenants.access import roles_required
from tenants.models import Role


def _roster_or_404(roster_id: int) -> Roster:
    roster = db.session.execute(select(Roster).where(Roster.id == roster_id)).scalar_one_or_none()
    if roster is None:
        abort(404)
    return roster


def _solve(roster: Roster) -> None:
    """Ask for a solve; the job starts once this request has committed (workers.relays)."""
    solving.request_solve(roster)
    flash(_("The roster is being solved. This page refreshes until it is done."), "info")


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
        form.weeks.data = 4
    elif form.validate_on_submit():
        try:
            roster = create_roster(form.starts_on.data, form.weeks.data, current_user.id)
        except WorkforceError as problem:
            error = str(problem)
        else:
            record("workforce.roster_created", roster)
            _solve(roster)
            return redirect(url_for("social_economy.roster", roster_id=roster.id))
    items = list(db.session.execute(select(Roster).order_by(Roster.starts_on.desc())).scalars())
    status = 422 if request.method == "POST" else 200
    return render_template(
        "social_economy/rosters.html", form=form, rosters=items, error=error, labels=STATUS_LABELS
    ), status


@bp.route("/rosters/<int:roster_id>")
@roles_required(Role.SE_COORDINATOR)
def roster(roster_id: int):
    roster = _roster_or_404(roster_id)
    cover = coverage(roster)
    form = AssignForm()
    team = workers()
    form.worker_id.choices = [(w.id, w.name) for w in team]
    form.session_id.choices = [
        (s.id, f"{to_local(s.starts_at):%d/%m %H:%M} {s.offer.title}")
        for s, _n, _a in cover["rows"]
    ]
    sessions = {s.id: s for s, _n, _a in cover["rows"]}
    names = {w.id: w.name for w in team}
    return render_template(
        "social_economy/roster.html",
        roster=roster,
        cover=cover,
        form=form,
        progress=_progress(roster),
        labels=STATUS_LABELS,
        reason_labels=REASON_LABELS,
        sessions=sessions,
        names=names,
        to_local=to_local,
    )


@bp.route("/rosters/<int:roster_id>/solve", methods=["POST"])
@roles_required(Role.SE_COORDINATOR)
def roster_solve(roster_id: int):
    roster = _roster_or_404(roster_id)
    if roster.status == RosterStatus.SOLVING:
        flash(_("The roster is already being solved."), "info")
    else:
        _solve(roster)
        record("workforce.roster_solve", roster)
    return redirect(url_for("social_economy.roster", roster_id=roster.id))


@bp.route("/rosters/<int:roster_id>/publish", methods=["POST"])
@roles_required(Role.SE_COORDINATOR)
def roster_publish(roster_id: int):
    roster = _roster_or_404(roster_id)
    try:
        people = publish(roster)
    except WorkforceError as problem:
        flash(str(problem), "danger")
        return redirect(url_for("social_economy.roster", roster_id=roster.id)), 303
    record("workforce.roster_published", roster, workers=len(people))
    flash(_("The roster is published; %(n)d workers have been told.", n=len(people)), "success")
    return redirect(url_for("social_economy.roster", roster_id=roster.id))


@bp.route("/rosters/<int:roster_id>/assign", methods=["POST"])
@roles_required(Role.SE_COORDINATOR)
def roster_assign(roster_id: int):
    roster = _roster_or_404(roster_id)
    worker = db.session.execute(
        select(WorkerProfile).where(WorkerProfile.id == request.form.get("worker_id", type=int))
    ).scalar_one_or_none()
    session = db.session.execute(
        select(ActivitySession).where(
            ActivitySession.id == request.form.get("session_id", type=int)
        )
    ).scalar_one_or_none()
    if worker is None or session is None:
        flash(_("Choose a worker and a session."), "danger")
        return redirect(url_for("social_economy.roster", roster_id=roster.id)), 303
    try:
        manual_assign(roster, worker, session)
    except WorkforceError as problem:
        flash(str(problem), "danger")
        return redirect(url_for("social_economy.roster", roster_id=roster.id)), 303
    record("workforce.assigned", roster, worker_id=worker.id, session_id=session.id)
    flash(_("Added and locked: a new solve keeps it."), "success")
    return redirect(url_for("social_economy.roster", roster_id=roster.id))


def _assignment_or_404(roster: Roster, assignment_id: int) -> Assignment:
    assignment = db.session.execute(
        select(Assignment).where(Assignment.id == assignment_id, Assignment.roster_id == roster.id)
    ).scalar_one_or_none()
    if assignment is None:
        abort(404)
    return assignment


@bp.route("/rosters/<int:roster_id>/assignments/<int:assignment_id>/lock", methods=["POST"])
@roles_required(Role.SE_COORDINATOR)
def assignment_lock(roster_id: int, assignment_id: int):
    roster = _roster_or_404(roster_id)
    assignment = _assignment_or_404(roster, assignment_id)
    try:
        set_lock(assignment, not assignment.locked)
    except WorkforceError as problem:
        flash(str(problem), "danger")
        return redirect(url_for("social_economy.roster", roster_id=roster.id)), 303
    return redirect(url_for("social_economy.roster", roster_id=roster.id))


@bp.route("/rosters/<int:roster_id>/assignments/<int:assignment_id>/remove", methods=["POST"])
@roles_required(Role.SE_COORDINATOR)
def assignment_remove(roster_id: int, assignment_id: int):
    roster = _roster_or_404(roster_id)
    assignment = _assignment_or_404(roster, assignment_id)
    db.session.delete(assignment)
    record("workforce.unassigned", roster, session_id=assignment.session_id)
    flash(_("The worker has been taken off the session."), "success")
    return redirect(url_for("social_economy.roster", roster_id=roster.id))


# --- a worker's own week ------------------------------------------------------------------------


@bp.route("/my-week", methods=["GET", "POST"])
@roles_required(Role.SE_WORKER, Role.SE_COORDINATOR)
def my_week():
    worker = own_worker_or_404()
    if request.method == "POST":  # a new feed address; the old one stops working
        new_feed_token(worker)
        record("workforce.feed_token_renewed", worker)
        flash(_("Your calendar has a new address; the old one no longer works."), "success")
        return redirect(url_for("social_economy.my_week"))
    start = request.args.get("week", type=date.fromisoformat) if request.args.get("week") else None
    start = monday(start or date.today())
    shifts = my_assignments(worker, start, start + timedelta(weeks=2))
    feed = (
        url_for("social_economy.roster_feed", feed_token=worker.feed_token, _external=True)
        if worker.feed_token
        else None
    )
    return render_template(
        "social_economy/my_week.html",
        worker=worker,
        shifts=shifts,
        start=start,
        feed=feed,
        to_local=to_local,
        coordinator=is_coordinator(),
        timedelta=timedelta,
    )


@bp.route("/feed/<feed_token>.ics")
def roster_feed(feed_token: str):
    """Public by design: the token is the capability (calendar apps cannot log in)."""
    if len(feed_token) > 64:
        abort(404)
    worker = db.session.execute(
        select(WorkerProfile).where(
            WorkerProfile.feed_token == feed_token, WorkerProfile.active.is_(True)
        )
    ).scalar_one_or_none()
    if worker is None:
        abort(404)
    body = calendar.build(g.network, worker, date.today(), f"{g.network.name}: {_('my roster')}")
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="rooster.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
