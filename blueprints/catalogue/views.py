"""The network's shared catalogue for staff: offers, their sessions, co-organisers, headcounts."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from blueprints.auth.forms import ConfirmForm
from blueprints.catalogue.blueprint import bp
from blueprints.catalogue.forms import (
    COST_KINDS,
    TRANSLATED,
    CancelForm,
    HeadcountForm,
    HideForm,
    MoveForm,
    OfferForm,
    OrganiserForm,
)
from blueprints.forms import choices
from saas.catalogue import permissions as perm
from saas.catalogue import queries, services
from saas.catalogue.models import (
    AGE_BANDS,
    ActionLine,
    ActivitySession,
    Offer,
    OfferPartner,
    OrganiserRole,
)
from saas.catalogue.schedule import ScheduleError, build_rrule, describe, to_local
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.access import acting_partners
from saas.partners.models import Partner, PartnerState
from tenants.access import has_role, memberships, roles_required
from tenants.models import Role

ANY_MEMBER = ()
PUBLISHERS = (Role.PARTNER_ADMIN, Role.PARTNER_MEMBER, Role.SE_COORDINATOR)


# --- loading and rights -------------------------------------------------------------------


def _offer_or_404(offer_id: int) -> Offer:
    offer = db.session.execute(select(Offer).where(Offer.id == offer_id)).scalar_one_or_none()
    if offer is None:
        abort(404)
    return offer


def _session_or_404(session_id: int) -> ActivitySession:
    session = db.session.execute(
        select(ActivitySession).where(ActivitySession.id == session_id)
    ).scalar_one_or_none()
    if session is None:
        abort(404)
    return session


def _rights(offer: Offer) -> set[str]:
    return perm.rights(offer, memberships())


def _require(offer: Offer, right: str) -> set[str]:
    rights = _rights(offer)
    if perm.VIEW not in rights:
        abort(404)
    if right not in rights:
        abort(403)
    return rights


def _publishable_partners() -> list[Partner]:
    """Partners this person may publish for: their own, and the social-economy employer for its
    coordinator (not its workers)."""
    return acting_partners(social_economy_roles=(Role.SE_COORDINATOR,))


# --- the catalogue --------------------------------------------------------------------------


@bp.route("/")
@roles_required(*ANY_MEMBER)
def index():
    filters = queries.Filters.from_args(request.args)
    steward = has_role(Role.STEWARD)
    page = queries.catalogue_page(
        filters, queries.page_number(request.args), include_hidden=steward
    )
    return render_template(
        "catalogue/index.html", page=page, filters=filters, steward=steward, **_filter_options()
    )


def _filter_options() -> dict:
    return {
        "types": services.offer_types(),
        "neighbourhoods": services.neighbourhoods(),
        "partners": db.session.execute(
            select(Partner).where(Partner.state == PartnerState.ACTIVE).order_by(Partner.name)
        )
        .scalars()
        .all(),
        "action_lines": ActionLine.members(),
    }


@bp.route("/mine")
@roles_required(*PUBLISHERS)
def mine():
    partner_ids = [p.id for p in _publishable_partners()]
    offers = (
        db.session.execute(
            select(Offer).where(Offer.partner_id.in_(partner_ids)).order_by(Offer.title)
        )
        .scalars()
        .all()
    )
    co = (
        db.session.execute(
            select(OfferPartner).where(
                OfferPartner.partner_id.in_([m.partner_id for m in memberships() if m.partner_id])
            )
        )
        .scalars()
        .all()
    )
    return render_template("catalogue/mine.html", offers=offers, co=co)


@bp.route("/gaps")
@roles_required(Role.STEWARD, Role.MUNICIPALITY_VIEWER)
def gaps():
    return render_template("catalogue/gaps.html", table=queries.coverage(), bands=AGE_BANDS)


# --- creating and editing -----------------------------------------------------------------


def _fill_choices(form: OfferForm, *, salon: bool) -> None:
    form.partner_id.choices = choices((p.id, p.name) for p in _publishable_partners())
    form.type_id.choices = choices(
        (t.id, t.name(str(get_locale()))) for t in services.offer_types(salons_only=salon)
    )
    form.location_id.choices = choices(
        (loc.id, f"{loc.name} ({loc.neighbourhood})") for loc in services.locations()
    )
    active = db.session.execute(
        select(Partner).where(Partner.state == PartnerState.ACTIVE).order_by(Partner.name)
    ).scalars()
    form.speaker_partner_id.choices = [
        *choices([(0, _("No speaker"))]),
        *choices((p.id, p.name) for p in active),
    ]


def _years(value: int, unit: str) -> int:
    return value if unit == "months" else value * 12


def _data(form: OfferForm) -> services.OfferData:
    frequency = form.frequency.data
    if (form.rrule.data or "").strip():
        rule = form.rrule.data.strip()
    else:
        try:
            rule = build_rrule(
                frequency="weekly" if frequency == "biweekly" else frequency,
                weekdays=form.weekdays.data,
                until=form.until.data,
                start=form.start_date.data,
                interval=2 if frequency == "biweekly" else 1,
            )
        except ScheduleError as exc:
            raise services.OfferError(str(exc), "until") from exc
    age_max = _years(form.age_max.data, form.age_max_unit.data)
    if form.age_max_unit.data == "years":
        age_max += 11  # "up to 6 years" includes the child who is 6 and a half
    cost = COST_KINDS.get(form.cost_kind.data)
    if cost is None:
        raise services.OfferError(_("Please choose a cost."), "cost_kind")
    return services.OfferData(
        title=form.title.data,
        description=form.description.data or "",
        translations={
            code: {
                "title": getattr(form, f"title_{code}").data or "",
                "description": getattr(form, f"description_{code}").data or "",
            }
            for code in TRANSLATED
        },
        type_id=form.type_id.data,
        location_id=form.location_id.data,
        action_lines=sum(
            {int(v) for v in form.action_lines.data or [] if v.isdigit()}
        ),  # each line once
        age_min_months=_years(form.age_min.data, form.age_min_unit.data),
        age_max_months=age_max,
        themes=(form.themes.data or "").split(","),
        languages=form.languages.data or ["nl"],
        cost_kind=cost,
        cost_cents=int(form.cost_amount.data * 100) if form.cost_amount.data is not None else None,
        cost_note=form.cost_note.data or "",
        registration_required=form.registration_required.data,
        registration_note=form.registration_note.data or "",
        registration_url=form.registration_url.data or "",
        capacity=form.capacity.data,
        start_date=form.start_date.data,
        start_time=form.start_time.data,
        end_time=form.end_time.data,
        rrule=rule,
        skip_public_holidays=form.skip_public_holidays.data,
        skip_school_holidays=form.skip_school_holidays.data,
        skip_closures=form.skip_closures.data,
    )


def _attach_error(form: OfferForm, exc: services.OfferError) -> None:
    field = {"schedule": "start_date", "age_min": "age_min", "cost_amount": "cost_amount"}.get(
        exc.field, exc.field
    )
    target = getattr(form, field, None) if field else None
    (target.errors if target is not None else form.title.errors).append(str(exc))


def _form_for(offer: Offer | None, salon: bool) -> OfferForm:
    if offer is None or request.method == "POST":
        form = OfferForm()
    else:
        plan = describe(offer.rrule, offer.start_date)
        form = OfferForm(
            obj=offer,
            age_min=offer.age_min_months,
            age_min_unit="months",
            age_max=offer.age_max_months,
            age_max_unit="months",
            action_lines=[str(int(a)) for a in offer.action_line_list],
            themes=", ".join(offer.theme_list),
            languages=offer.language_list,
            cost_kind=offer.cost_kind.value,
            cost_amount=(offer.cost_cents or 0) / 100 if offer.cost_cents is not None else None,
            frequency="biweekly" if plan["interval"] == 2 else plan["frequency"],
            weekdays=plan["weekdays"],
            until=plan["until"],
            **{
                f"title_{c}": (offer.translations or {}).get(c, {}).get("title", "")
                for c in TRANSLATED
            },
            **{
                f"description_{c}": (offer.translations or {}).get(c, {}).get("description", "")
                for c in TRANSLATED
            },
        )
    _fill_choices(form, salon=salon)
    if not salon or offer is not None:
        del form.speaker_partner_id  # only asked when a salon is created
    return form


@bp.route("/offers/new", methods=["GET", "POST"])
@roles_required(*PUBLISHERS)
def new_offer():
    salon = request.args.get("salon") == "1"
    form = _form_for(None, salon)
    if not form.partner_id.choices:
        abort(403)
    if request.method == "GET":
        form.start_date.data = date.today() + timedelta(days=7)
    if form.validate_on_submit():
        partner = next(p for p in _publishable_partners() if p.id == form.partner_id.data)
        try:
            offer = services.save_offer(None, _data(form), partner=partner, user=current_user)
            speaker_id = form.speaker_partner_id.data if "speaker_partner_id" in form else 0
            if speaker_id:
                speaker = db.session.get(Partner, speaker_id)
                if speaker is not None:
                    services.set_organiser(offer, speaker, OrganiserRole.SPEAKER)
            if request.form.get("publish") == "1":
                services.publish(offer)
        except services.OfferError as exc:
            db.session.rollback()
            _attach_error(form, exc)
        else:
            flash(_("“%(title)s” has been saved.", title=offer.title), "success")
            return redirect(url_for("catalogue.offer_detail", offer_id=offer.id))
    status = 422 if request.method == "POST" else 200
    return render_template("catalogue/offer_form.html", form=form, offer=None, salon=salon), status


@bp.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"])
@roles_required()
def edit_offer(offer_id: int):
    offer = _offer_or_404(offer_id)
    _require(offer, perm.EDIT)
    salon = offer.type.is_salon
    form = _form_for(offer, salon)
    form.partner_id.choices = choices([(offer.partner_id, offer.partner.name)])
    form.partner_id.data = offer.partner_id
    if form.validate_on_submit():
        try:
            services.save_offer(offer, _data(form), user=current_user)
        except services.OfferError as exc:
            db.session.rollback()
            _attach_error(form, exc)
        else:
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("catalogue.offer_detail", offer_id=offer.id))
    status = 422 if request.method == "POST" else 200
    return render_template("catalogue/offer_form.html", form=form, offer=offer, salon=salon), status


# --- one offer --------------------------------------------------------------------------------


@bp.route("/offers/<int:offer_id>")
@roles_required()
def offer_detail(offer_id: int):
    offer = _offer_or_404(offer_id)
    rights = _require(offer, perm.VIEW)
    now = utcnow()
    sessions = (
        db.session.execute(
            select(ActivitySession)
            .where(
                ActivitySession.offer_id == offer.id,
                ActivitySession.starts_at >= now - timedelta(days=60),
            )
            .order_by(ActivitySession.starts_at)
            .limit(40)
        )
        .scalars()
        .all()
    )
    my_partner_ids = {m.partner_id for m in memberships() if m.partner_id}
    organiser_form = OrganiserForm()
    organiser_form.partner_id.choices = choices(
        (p.id, p.name)
        for p in db.session.execute(
            select(Partner)
            .where(Partner.state == PartnerState.ACTIVE, Partner.id != offer.partner_id)
            .order_by(Partner.name)
        ).scalars()
    )
    return render_template(
        "catalogue/offer_detail.html",
        offer=offer,
        rights=rights,
        sessions=sessions,
        now=now,
        organiser_form=organiser_form,
        hide_form=HideForm(),
        confirm=ConfirmForm(),
        following=services.is_following(offer, current_user.id),
        my_partner_ids=my_partner_ids,
    )


@bp.route("/offers/<int:offer_id>/publish", methods=["POST"])
@roles_required()
def publish_offer(offer_id: int):
    offer = _offer_or_404(offer_id)
    _require(offer, perm.PUBLISH)
    if ConfirmForm().validate_on_submit():
        if request.form.get("action") == "unpublish":
            services.unpublish(offer)
            flash(_("The activity is no longer published."), "info")
        else:
            services.publish(offer)
            flash(_("The activity is published in the network's catalogue."), "success")
    return redirect(url_for("catalogue.offer_detail", offer_id=offer.id))


@bp.route("/offers/<int:offer_id>/hide", methods=["POST"])
@roles_required(Role.STEWARD)
def hide_offer(offer_id: int):
    offer = _offer_or_404(offer_id)
    _require(offer, perm.HIDE)
    if request.form.get("action") == "show":
        if ConfirmForm().validate_on_submit():
            services.unhide(offer)
            flash(_("The activity is visible again."), "success")
        return redirect(url_for("catalogue.offer_detail", offer_id=offer.id))
    form = HideForm()
    if form.validate_on_submit():
        services.hide(offer, form.reason.data)
        flash(_("The activity is hidden from the catalogue and the public pages."), "info")
    else:
        flash(_("Please give a reason for hiding the activity."), "warning")
    return redirect(url_for("catalogue.offer_detail", offer_id=offer.id))


@bp.route("/offers/<int:offer_id>/organisers", methods=["POST"])
@roles_required()
def add_organiser(offer_id: int):
    offer = _offer_or_404(offer_id)
    _require(offer, perm.ORGANISERS)
    form = OrganiserForm()
    form.partner_id.choices = choices(
        (p.id, p.name)
        for p in db.session.execute(
            select(Partner).where(Partner.state == PartnerState.ACTIVE)
        ).scalars()
    )
    if form.validate_on_submit():
        partner = db.session.get(Partner, form.partner_id.data)
        try:
            services.set_organiser(offer, partner, OrganiserRole(form.role.data))
        except services.OfferError as exc:
            flash(str(exc), "warning")
        else:
            flash(_("%(name)s has been added.", name=partner.name), "success")
    else:
        flash(_("Please choose a partner and a role."), "warning")
    return redirect(url_for("catalogue.offer_detail", offer_id=offer.id))


def _link_or_404(offer: Offer, link_id: int) -> OfferPartner:
    link = db.session.execute(
        select(OfferPartner).where(OfferPartner.id == link_id, OfferPartner.offer_id == offer.id)
    ).scalar_one_or_none()
    if link is None:
        abort(404)
    return link


@bp.route("/offers/<int:offer_id>/organisers/<int:link_id>/remove", methods=["POST"])
@roles_required()
def remove_organiser(offer_id: int, link_id: int):
    offer = _offer_or_404(offer_id)
    _require(offer, perm.ORGANISERS)
    link = _link_or_404(offer, link_id)
    if ConfirmForm().validate_on_submit():
        services.remove_organiser(link)
        flash(_("The partner has been removed from this activity."), "info")
    return redirect(url_for("catalogue.offer_detail", offer_id=offer.id))


@bp.route("/offers/<int:offer_id>/answer", methods=["POST"])
@roles_required(Role.PARTNER_ADMIN, Role.PARTNER_MEMBER)
def answer_speaker(offer_id: int):
    offer = _offer_or_404(offer_id)
    _require(offer, perm.ANSWER)
    mine = {m.partner_id for m in memberships() if m.partner_id}
    link = next(
        (
            link
            for link in offer.organisers
            if link.partner_id in mine and link.role == OrganiserRole.SPEAKER
        ),
        None,
    )
    if link is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        confirm = request.form.get("answer") == "confirm"
        services.answer_speaker(link, confirm)
        flash(_("Thank you, your answer has been sent."), "success")
    return redirect(url_for("catalogue.offer_detail", offer_id=offer.id))


@bp.route("/offers/<int:offer_id>/follow", methods=["POST"])
@roles_required()
def follow_offer(offer_id: int):
    offer = _offer_or_404(offer_id)
    _require(offer, perm.VIEW)
    if ConfirmForm().validate_on_submit():
        on = request.form.get("follow") == "1"
        services.follow(offer, current_user.id, on)
        flash(
            _("You will get an e-mail when this activity changes.")
            if on
            else _("You no longer follow this activity."),
            "info",
        )
    return redirect(url_for("catalogue.offer_detail", offer_id=offer.id))


# --- one session ------------------------------------------------------------------------------


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
    session = _session_or_404(session_id)
    return _session_page(session, _require(session.offer, perm.VIEW))


@bp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@roles_required()
def cancel_session(session_id: int):
    session = _session_or_404(session_id)
    _require(session.offer, perm.SESSIONS)
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
    session = _session_or_404(session_id)
    rights = _require(session.offer, perm.SESSIONS)
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
    session = _session_or_404(session_id)
    rights = _require(session.offer, perm.HEADCOUNT)
    form = HeadcountForm()
    if form.validate_on_submit():
        numbers = {
            name: getattr(form, name).data
            for name in (
                "adults",
                "children_0_3",
                "children_3_6",
                "children_6_12",
                "children_12_plus",
                "first_time_families",
            )
        }
        numbers["kindergarten_on_time"] = form.kindergarten_on_time.data or 0
        try:
            services.record_headcount(session, numbers, current_user.id)
        except services.OfferError as exc:
            form.adults.errors.append(str(exc))
        else:
            flash(_("The attendance has been saved."), "success")
            return redirect(url_for("catalogue.session_detail", session_id=session.id))
    return _session_page(session, rights, count_form=form, status=422)
