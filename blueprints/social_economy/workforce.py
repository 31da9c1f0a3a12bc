"""Workers' profiles and flexibility cards, the demand for staff, schools' wishes and contacts."""

from __future__ import annotations

from datetime import date, time

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from blueprints.social_economy.blueprint import bp
from blueprints.social_economy.forms import (
    CardForm,
    NeedForm,
    ProfileForm,
    TeamSlotForm,
    WishForm,
)
from saas.audit.services import record
from saas.catalogue.models import Offer
from saas.extensions import db
from saas.partners.models import Partner, PartnerState, Sector
from saas.workforce import solver, staff
from saas.workforce.cards import card_on, cards, save_card
from saas.workforce.contacts import confirm_contact, suggestions
from saas.workforce.demand import save_need
from saas.workforce.errors import WorkforceError
from saas.workforce.labels import COLOUR_LABELS, REASON_LABELS, SKILL_LABELS, WEEKDAYS
from saas.workforce.models import FixedContact, SchoolWish, StaffingNeed, TeamSlot, WorkerProfile
from tenants.access import has_role, roles_required
from tenants.models import Membership, Role

STAFF = (Role.SE_COORDINATOR, Role.SE_WORKER)
HOURS = list(range(solver.FIRST_HOUR, solver.LAST_HOUR))


def is_coordinator() -> bool:
    return has_role(Role.SE_COORDINATOR)


def worker_or_404(worker_id: int) -> WorkerProfile:
    """A worker of this network the person may see: a coordinator any, a worker only themself."""
    worker = db.session.execute(
        select(WorkerProfile).where(WorkerProfile.id == worker_id)
    ).scalar_one_or_none()
    if worker is None or (not is_coordinator() and worker.user_id != current_user.id):
        abort(404)
    return worker


def own_worker_or_404() -> WorkerProfile:
    worker = staff.worker_for_user(current_user.id)
    if worker is None:
        abort(404)
    return worker


# --- the team's workers ----------------------------------------------------------------------


@bp.route("/workers", methods=["GET", "POST"])
@roles_required(Role.SE_COORDINATOR)
def workers():
    """Workers in the planning; team members without a profile can be added."""
    if request.method == "POST":
        user_id = request.form.get("user_id", type=int)
        member = db.session.execute(
            select(Membership).where(
                Membership.user_id == user_id, Membership.role == Role.SE_WORKER
            )
        ).scalar_one_or_none()
        if member is None or staff.worker_for_user(member.user_id) is not None:
            flash(_("This person cannot be added to the planning."), "danger")
            return redirect(url_for("social_economy.workers")), 303
        worker = WorkerProfile(user_id=member.user_id)
        db.session.add(worker)
        db.session.flush()
        record("workforce.worker_added", worker)
        return redirect(url_for("social_economy.worker", worker_id=worker.id))
    team = staff.workers(active_only=False)
    have = {w.user_id for w in team}
    members = db.session.execute(
        select(Membership).where(Membership.role == Role.SE_WORKER).order_by(Membership.id)
    ).scalars()
    missing = [m for m in members if m.user_id not in have]
    return render_template(
        "social_economy/workers.html",
        team=team,
        missing=missing,
        slots=staff.team_slots(),
        slot_form=TeamSlotForm(),
        weekdays=WEEKDAYS,
        skill_labels=SKILL_LABELS,
    )


@bp.route("/team-slot", methods=["POST"])
@roles_required(Role.SE_COORDINATOR)
def team_slot():
    form = TeamSlotForm()
    if form.validate_on_submit() and form.end_time.data > form.start_time.data:
        slot = TeamSlot(
            label=form.label.data.strip(),
            weekday=form.weekday.data,
            start_time=form.start_time.data,
            end_time=form.end_time.data,
        )
        db.session.add(slot)
        flash(_("The team slot has been added: nobody is rostered then."), "success")
    else:
        flash(
            _("The team slot needs a name, a day and a time that ends after it starts."), "danger"
        )
        return redirect(url_for("social_economy.workers")), 303
    return redirect(url_for("social_economy.workers"))


@bp.route("/workers/<int:worker_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def worker(worker_id: int):
    worker = worker_or_404(worker_id)
    form = ProfileForm(obj=None) if is_coordinator() else None
    if form is not None and request.method == "GET":
        form.languages.data = worker.language_list
        form.skills.data = worker.skill_list
        form.trainings.data = worker.training_list
        form.contract_hours.data = worker.contract_minutes // 60
        form.home_area.data = worker.home_area
        form.max_travel_km.data = worker.max_travel_km
        form.active.data = worker.active
    if form is not None and form.validate_on_submit():
        worker.languages = ",".join(form.languages.data)
        worker.skills = ",".join(form.skills.data)
        worker.trainings = ",".join(form.trainings.data)
        worker.contract_minutes = form.contract_hours.data * 60
        worker.home_area = (form.home_area.data or "").strip()
        worker.max_travel_km = form.max_travel_km.data
        worker.active = form.active.data
        record("workforce.profile_changed", worker)
        flash(_("The profile has been saved."), "success")
        return redirect(url_for("social_economy.worker", worker_id=worker.id))
    status = 422 if request.method == "POST" else 200
    if request.method == "POST" and form is None:
        abort(403)
    return render_template(
        "social_economy/worker.html",
        worker=worker,
        form=form,
        skill_labels=SKILL_LABELS,
        card=card_on(worker, date.today()),
        hours=HOURS,
        weekdays=WEEKDAYS,
    ), status


# --- flexibility cards ---------------------------------------------------------------------------


def _grid_from(form) -> str:
    """The 91 cells of the posted grid; an absent cell is an error like an unknown colour."""
    cells = []
    for day in range(7):
        for hour in HOURS:
            cells.append(form.get(f"c-{day}-{hour}", ""))
    if any(len(c) != 1 for c in cells):
        raise WorkforceError(_("The card holds an unknown colour: only red, orange and green."))
    return "".join(cells)


@bp.route("/my-card")
@roles_required(Role.SE_WORKER, Role.SE_COORDINATOR)
def my_card():
    return redirect(url_for("social_economy.card", worker_id=own_worker_or_404().id))


@bp.route("/workers/<int:worker_id>/card", methods=["GET", "POST"])
@roles_required(*STAFF)
def card(worker_id: int):
    worker = worker_or_404(worker_id)
    history = cards(worker)
    current = card_on(worker, date.today())
    form = CardForm()
    grid = current.grid if current else solver.ORANGE * solver.CELLS
    error = None
    if request.method == "GET":
        form.valid_from.data = date.today()
    elif form.validate_on_submit():
        try:
            grid = _grid_from(request.form)
            save_card(worker, grid, form.valid_from.data, form.reason.data or "", current_user.id)
        except WorkforceError as problem:
            error = str(problem)
        else:
            record("workforce.card_saved", worker, valid_from=form.valid_from.data.isoformat())
            flash(_("The flexibility card has been saved."), "success")
            return redirect(url_for("social_economy.card", worker_id=worker.id))
    else:
        error = _("Please give the date from which the card is valid.")
    status = 422 if request.method == "POST" else 200
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
    ), status


# --- demand ---------------------------------------------------------------------------------------


def _need_offers() -> list[Offer]:
    return list(
        db.session.execute(
            select(Offer).where(Offer.published_at.is_not(None)).order_by(Offer.title)
        ).scalars()
    )


@bp.route("/demand", methods=["GET", "POST"])
@roles_required(Role.SE_COORDINATOR)
def demand():
    form = NeedForm()
    form.offer_id.choices = [(o.id, o.title) for o in _need_offers()]
    error = None
    if request.method == "GET":
        form.workers.data = 1
    elif form.validate_on_submit():
        offer = db.session.get(Offer, form.offer_id.data)
        try:
            save_need(offer, form.workers.data, form.skills.data, form.languages.data)
        except WorkforceError as problem:
            error = str(problem)
        else:
            flash(_("The activity's need for staff has been saved."), "success")
            return redirect(url_for("social_economy.demand"))
    needs = list(db.session.execute(select(StaffingNeed).order_by(StaffingNeed.id)).scalars())
    status = 422 if request.method == "POST" else 200
    return render_template(
        "social_economy/demand.html",
        form=form,
        needs=needs,
        error=error,
        skill_labels=SKILL_LABELS,
    ), status


@bp.route("/demand/<int:offer_id>/remove", methods=["POST"])
@roles_required(Role.SE_COORDINATOR)
def demand_remove(offer_id: int):
    need = db.session.execute(
        select(StaffingNeed).where(StaffingNeed.offer_id == offer_id)
    ).scalar_one_or_none()
    if need is None:
        abort(404)
    db.session.delete(need)
    flash(_("The activity no longer needs staff from the team."), "success")
    return redirect(url_for("social_economy.demand"))


# --- schools: wishes, suggestions and fixed contacts -------------------------------------------------


def _school_or_404(partner_id: int) -> Partner:
    partner = db.session.execute(
        select(Partner).where(Partner.id == partner_id, Partner.state != PartnerState.SUSPENDED)
    ).scalar_one_or_none()
    if partner is None:
        abort(404)
    return partner


def _wish(partner_id: int) -> SchoolWish | None:
    return db.session.execute(
        select(SchoolWish).where(SchoolWish.partner_id == partner_id)
    ).scalar_one_or_none()


@bp.route("/schools")
@roles_required(Role.SE_COORDINATOR)
def schools():
    wishes = {w.partner_id: w for w in db.session.execute(select(SchoolWish)).scalars()}
    contacts = {c.partner_id: c for c in db.session.execute(select(FixedContact)).scalars()}
    partners = [
        p
        for p in db.session.execute(
            select(Partner).where(Partner.state != PartnerState.SUSPENDED).order_by(Partner.name)
        ).scalars()
        if p.sector == Sector.EDUCATION or p.id in wishes
    ]
    return render_template(
        "social_economy/schools.html", partners=partners, wishes=wishes, contacts=contacts
    )


@bp.route("/schools/<int:partner_id>", methods=["GET", "POST"])
@roles_required(Role.SE_COORDINATOR)
def school(partner_id: int):
    partner = _school_or_404(partner_id)
    wish = _wish(partner.id)
    form = WishForm(obj=None)
    if request.method == "GET" and wish is not None:
        form.tasks.data = wish.task_list
        form.languages.data = wish.language_list
        form.profile.data = wish.profile
        form.neighbourhood.data = wish.neighbourhood
        form.weekdays.data = [str(d) for d in wish.weekday_list]
        form.start_time.data = wish.start_time
        form.end_time.data = wish.end_time
        form.hours_per_week.data = wish.hours_per_week
    elif request.method == "GET":
        form.start_time.data, form.end_time.data, form.hours_per_week.data = time(12), time(13), 2
    error = None
    if request.method == "POST":
        if form.validate_on_submit() and form.end_time.data > form.start_time.data:
            if wish is None:
                wish = SchoolWish(partner_id=partner.id)
                db.session.add(wish)
            wish.tasks = ",".join(form.tasks.data)
            wish.languages = ",".join(form.languages.data)
            wish.profile = form.profile.data or ""
            wish.neighbourhood = (form.neighbourhood.data or "").strip()
            wish.weekdays = ",".join(sorted(form.weekdays.data))
            wish.start_time, wish.end_time = form.start_time.data, form.end_time.data
            wish.hours_per_week = form.hours_per_week.data
            flash(_("The school's wished profile has been saved."), "success")
            return redirect(url_for("social_economy.school", partner_id=partner.id))
        error = _("Please check the wished profile: the hours must end after they start.")
    contact = db.session.execute(
        select(FixedContact).where(FixedContact.partner_id == partner.id)
    ).scalar_one_or_none()
    ranked = suggestions(wish, date.today()) if wish is not None else []
    status = 422 if request.method == "POST" else 200
    return render_template(
        "social_economy/school.html",
        partner=partner,
        wish=wish,
        form=form,
        error=error,
        ranked=ranked,
        contact=contact,
        skill_labels=SKILL_LABELS,
        reason_labels=REASON_LABELS,
    ), status


@bp.route("/schools/<int:partner_id>/contact", methods=["POST"])
@roles_required(Role.SE_COORDINATOR)
def school_contact(partner_id: int):
    partner = _school_or_404(partner_id)
    worker_id = request.form.get("worker_id", type=int)
    worker = db.session.execute(
        select(WorkerProfile).where(WorkerProfile.id == worker_id, WorkerProfile.active.is_(True))
    ).scalar_one_or_none()
    if worker is None:
        flash(_("Choose a worker of the team."), "danger")
        return redirect(url_for("social_economy.school", partner_id=partner.id)), 303
    confirm_contact(partner.id, worker, current_user.id)
    record("workforce.contact_confirmed", partner, worker_id=worker.id)
    flash(
        _(
            "%(name)s is now the fixed contact of %(school)s.",
            name=worker.name,
            school=partner.name,
        ),
        "success",
    )
    return redirect(url_for("social_economy.school", partner_id=partner.id))


@bp.context_processor
def _planning_context() -> dict:
    return {
        "is_coordinator": is_coordinator(),
        "is_worker": current_user.is_authenticated
        and staff.worker_for_user(current_user.id) is not None,
    }
