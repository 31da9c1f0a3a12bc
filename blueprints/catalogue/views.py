"""The network's shared catalogue for staff: the lists, and one offer with its co-organisers."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from blueprints import confirm
from blueprints.auth.forms import ConfirmForm
from blueprints.catalogue.access import (
    ANY_MEMBER,
    PUBLISHERS,
    own_partner_ids,
    publishable_partners,
    require,
)
from blueprints.catalogue.blueprint import bp
from blueprints.catalogue.forms import HideForm, OrganiserForm
from blueprints.catalogue.offer_form import offer_data, offer_form, show_error
from blueprints.forms import choices, form_status
from blueprints.links import page_link_args
from blueprints.loading import found_or_404, load_or_404
from saas import caching
from saas.catalogue import browse, listings, queries, services
from saas.catalogue import permissions as perm
from saas.catalogue.filter_lists import filter_lists
from saas.catalogue.models import AGE_BANDS, ActionLine, Offer, OfferPartner, OrganiserRole
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner
from saas.partners.queries import active_partner_names
from tenants.access import has_role, roles_required
from tenants.models import Role

# --- the catalogue --------------------------------------------------------------------------


@bp.route("/")
@roles_required(*ANY_MEMBER)
def index():
    if "page" in request.args:  # links from before keyset paging: the first page, same filters
        kept = {k: v for k, v in request.args.items(multi=True) if k != "page"}
        return redirect(url_for("catalogue.index", **kept))
    filters = queries.Filters.from_args(request.args)
    steward = has_role(Role.STEWARD)
    try:
        after, before = (_cursor(name) for name in ("after", "before"))
        lost = False
    except browse.BadCursor:
        after = before = None
        lost = True
    results = _results(filters, after, before, lost, steward, str(get_locale()))
    return render_template("catalogue/index.html", results=results, steward=steward)


def _results(
    filters: queries.Filters,
    after: browse.Key | None,
    before: browse.Key | None,
    lost: bool,
    steward: bool,
    language: str,
) -> Markup:
    """The filter form and the page of cards. They are the same for every member who sees the
    same offers (stewards also see hidden ones) in the same language, so they are rendered once
    per version of the network's data (`saas.caching`: any change to an offer, place, type or
    partner shows at once) and kept; the person's own part of the page is rendered every time."""
    chosen = sorted(page_link_args(filters, language).items())
    detail = (language, steward, chosen, after, before, lost, browse.PAGE_SIZE)

    def render() -> str:
        return render_template(
            "catalogue/_results.html",
            page=browse.page(filters, after=after, before=before, include_hidden=steward),
            filters=filters,
            links=dict(chosen),
            lost_cursor=lost,
            lists=filter_lists(language),
            action_lines=ActionLine.members(),
        )

    kept = caching.kept("catalogue-page", g.network.id, detail, str, render)
    return Markup(kept)  # noqa: S704 (our own autoescaped template output, or its copy)


def _cursor(name: str) -> browse.Key | None:
    token = request.args.get(name)
    return browse.read(token) if token is not None else None


@bp.route("/mine")
@roles_required(*PUBLISHERS)
def mine():
    offers = listings.offers_of([p.id for p in publishable_partners()])
    co = listings.organiser_links(list(own_partner_ids()))
    return render_template("catalogue/mine.html", offers=offers, co=co)


@bp.route("/gaps")
@roles_required(Role.STEWARD, Role.MUNICIPALITY_VIEWER)
def gaps():
    return render_template("catalogue/gaps.html", table=queries.coverage(), bands=AGE_BANDS)


# --- creating and editing -----------------------------------------------------------------


@bp.route("/offers/new", methods=["GET", "POST"])
@roles_required(*PUBLISHERS)
def new_offer():
    salon = request.args.get("salon") == "1"
    form = offer_form(None, salon)
    if not form.partner_id.choices:
        abort(403)
    if request.method == "GET":
        form.start_date.data = date.today() + timedelta(days=7)
    if form.validate_on_submit():
        partner = next(p for p in publishable_partners() if p.id == form.partner_id.data)
        try:
            offer = services.create_offer(
                offer_data(form),
                partner=partner,
                user=current_user,
                speaker_id=form.speaker_partner_id.data if "speaker_partner_id" in form else 0,
                publish_now=request.form.get("publish") == "1",
            )
        except services.OfferError as exc:
            db.session.rollback()  # the offer may be flushed before a later step refused
            show_error(form, exc)
        else:
            flash(_("“%(title)s” has been saved.", title=offer.title), "success")
            return redirect(url_for("catalogue.offer_detail", offer_id=offer.id))
    return render_template(
        "catalogue/offer_form.html", form=form, offer=None, salon=salon
    ), form_status()


@bp.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"])
@roles_required()
def edit_offer(offer_id: int):
    offer = load_or_404(Offer, offer_id)
    require(offer, perm.EDIT)
    salon = offer.type.is_salon
    form = offer_form(offer, salon)
    form.partner_id.choices = choices([(offer.partner_id, offer.partner.name)])
    form.partner_id.data = offer.partner_id
    if form.validate_on_submit():
        try:
            services.save_offer(offer, offer_data(form), user=current_user)
        except services.OfferError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("catalogue.offer_detail", offer_id=offer.id))
    return render_template(
        "catalogue/offer_form.html", form=form, offer=offer, salon=salon
    ), form_status()


# --- one offer --------------------------------------------------------------------------------


@bp.route("/offers/<int:offer_id>")
@roles_required()
def offer_detail(offer_id: int):
    offer = load_or_404(Offer, offer_id)
    rights = require(offer, perm.VIEW)
    now = utcnow()
    sessions = listings.offer_sessions(offer.id, since=now - timedelta(days=60), limit=40)
    my_partner_ids = own_partner_ids()
    organiser_form = OrganiserForm()
    organiser_form.partner_id.choices = choices(active_partner_names(excluding=offer.partner_id))
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
    offer = load_or_404(Offer, offer_id)
    require(offer, perm.PUBLISH)
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
    offer = load_or_404(Offer, offer_id)
    require(offer, perm.HIDE)
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
    offer = load_or_404(Offer, offer_id)
    require(offer, perm.ORGANISERS)
    form = OrganiserForm()
    form.partner_id.choices = choices(active_partner_names())
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


@bp.route("/offers/<int:offer_id>/organisers/<int:link_id>/remove", methods=["GET", "POST"])
@roles_required()
def remove_organiser(offer_id: int, link_id: int):
    offer = load_or_404(Offer, offer_id)
    require(offer, perm.ORGANISERS)
    link = load_or_404(OfferPartner, link_id, OfferPartner.offer_id == offer.id)
    back = url_for("catalogue.offer_detail", offer_id=offer.id)
    partner = db.session.get(Partner, link.partner_id)
    name = partner.name if partner is not None else ""
    page = confirm.ask(
        confirm.Confirmation(
            action="offer.remove_organiser",
            title=_("Remove %(partner)s from “%(title)s”?", partner=name, title=offer.title),
            button=_("Remove the partner"),
            back=back,
            heading=str(link.role.label),
            rows=[link],
            lost=[
                _(
                    "%(partner)s is no longer %(role)s of this activity: its people can no "
                    "longer change it or its sessions, or record attendance, as that role allowed.",
                    partner=name,
                    role=str(link.role.label).lower(),
                )
            ],
            undo=_("You can add %(partner)s again on the activity's page.", partner=name),
        )
    )
    if page is not None:
        return page
    services.remove_organiser(link)
    flash(_("The partner has been removed from this activity."), "info")
    return redirect(back)


@bp.route("/offers/<int:offer_id>/answer", methods=["POST"])
@roles_required(Role.PARTNER_ADMIN, Role.PARTNER_MEMBER)
def answer_speaker(offer_id: int):
    offer = load_or_404(Offer, offer_id)
    require(offer, perm.ANSWER)
    link = found_or_404(services.speaker_link(offer, own_partner_ids()))
    if ConfirmForm().validate_on_submit():
        services.answer_speaker(link, request.form.get("answer") == "confirm")
        flash(_("Thank you, your answer has been sent."), "success")
    return redirect(url_for("catalogue.offer_detail", offer_id=offer.id))


@bp.route("/offers/<int:offer_id>/follow", methods=["POST"])
@roles_required()
def follow_offer(offer_id: int):
    offer = load_or_404(Offer, offer_id)
    require(offer, perm.VIEW)
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
