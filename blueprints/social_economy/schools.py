"""The demand for staff, and schools: their wished profile, suggested workers, a fixed contact."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints import confirm
from blueprints.forms import form_status, id_from
from blueprints.loading import found_or_404
from blueprints.social_economy.blueprint import bp
from blueprints.social_economy.forms import NeedForm, WishForm
from saas.workforce import demand as staffing
from saas.workforce import schools as school_wishes
from saas.workforce.contacts import confirm_contact, contact_for, suggestions
from saas.workforce.errors import WorkforceError
from saas.workforce.labels import REASON_LABELS, SKILL_LABELS
from tenants.access import roles_required
from tenants.models import Role

# --- demand ---------------------------------------------------------------------------------------


@bp.route("/demand", methods=["GET", "POST"])
@roles_required(Role.SE_COORDINATOR)
def demand():
    offers = {o.id: o for o in staffing.offers_to_staff()}
    form = NeedForm()
    form.offer_id.choices = [(o.id, o.title) for o in offers.values()]
    error = None
    if request.method == "GET":
        form.workers.data = 1
    elif form.validate_on_submit():
        try:
            staffing.save_need(
                offers[form.offer_id.data], form.workers.data, form.skills.data, form.languages.data
            )
        except WorkforceError as problem:
            error = str(problem)
        else:
            flash(_("The activity's need for staff has been saved."), "success")
            return redirect(url_for("social_economy.demand"))
    return render_template(
        "social_economy/demand.html",
        form=form,
        needs=staffing.needs(),
        error=error,
        skill_labels=SKILL_LABELS,
    ), form_status()


@bp.route("/demand/<int:offer_id>/remove", methods=["GET", "POST"])
@roles_required(Role.SE_COORDINATOR)
def demand_remove(offer_id: int):
    need = found_or_404(staffing.need_for(offer_id))
    page = confirm.ask(
        confirm.Confirmation(
            action="staffing_need.remove",
            title=_("Remove the staffing need of “%(title)s”?", title=need.offer.title),
            button=_("Remove the need"),
            back=url_for("social_economy.demand"),
            rows=[need],
            lost=[
                _(
                    "The activity no longer needs workers from the team: new rosters no longer "
                    "plan anyone for it (%(n)d per session, with the skills and languages asked).",
                    n=need.workers,
                )
            ],
            undo=_("You can set its need again on this page."),
        )
    )
    if page is not None:
        return page
    staffing.remove_need(need)
    flash(_("The activity no longer needs staff from the team."), "success")
    return redirect(url_for("social_economy.demand"))


# --- schools: wishes, suggestions and fixed contacts ---------------------------------------------


@bp.route("/schools")
@roles_required(Role.SE_COORDINATOR)
def schools():
    return render_template("social_economy/schools.html", **school_wishes.overview())


@bp.route("/schools/<int:partner_id>", methods=["GET", "POST"])
@roles_required(Role.SE_COORDINATOR)
def school(partner_id: int):
    partner = found_or_404(school_wishes.school(partner_id))
    wish = school_wishes.wish_for(partner.id)
    form = WishForm()
    error = None
    if request.method == "GET":
        form.fill_from(wish)
    elif form.validate_on_submit() and form.end_time.data > form.start_time.data:
        school_wishes.save_wish(partner, wish, form.wish())
        flash(_("The school's wished profile has been saved."), "success")
        return redirect(url_for("social_economy.school", partner_id=partner.id))
    else:
        error = _("Please check the wished profile: the hours must end after they start.")
    return render_template(
        "social_economy/school.html",
        partner=partner,
        wish=wish,
        form=form,
        error=error,
        contact=contact_for(partner.id),
        ranked=suggestions(wish, date.today()) if wish is not None else [],
        skill_labels=SKILL_LABELS,
        reason_labels=REASON_LABELS,
    ), form_status()


@bp.route("/schools/<int:partner_id>/contact", methods=["POST"])
@roles_required(Role.SE_COORDINATOR)
def school_contact(partner_id: int):
    partner = found_or_404(school_wishes.school(partner_id))
    try:
        worker = confirm_contact(partner, id_from(request.form, "worker_id"), current_user.id)
    except WorkforceError as problem:
        flash(str(problem), "danger")
        return redirect(url_for("social_economy.school", partner_id=partner.id)), 303
    flash(
        _(
            "%(name)s is now the fixed contact of %(school)s.",
            name=worker.name,
            school=partner.name,
        ),
        "success",
    )
    return redirect(url_for("social_economy.school", partner_id=partner.id))
