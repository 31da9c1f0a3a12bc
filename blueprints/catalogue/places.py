"""The steward's places and closure days: where activities happen and when the network rests."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from blueprints import confirm
from blueprints.auth.forms import ConfirmForm
from blueprints.catalogue.blueprint import bp
from blueprints.catalogue.forms import ClosureForm, LocationForm, OfferTypeForm
from blueprints.loading import load_or_404
from saas.catalogue import places as catalogue_places
from saas.catalogue import services
from saas.catalogue.models import Closure, ClosureKind, Location
from saas.i18n import language_now, period_text
from tenants.access import roles_required
from tenants.models import Role


def _page(location_form=None, closure_form=None, type_form=None, status=200):
    return render_template(
        "catalogue/places.html",
        places=catalogue_places.places(),
        closures=catalogue_places.closures(),
        location_form=location_form or LocationForm(prefix="place"),
        closure_form=closure_form or ClosureForm(prefix="closure"),
        type_form=type_form or OfferTypeForm(prefix="type"),
        types=services.offer_types(),
        confirm=ConfirmForm(),
    ), status


def _refused(form, exc: catalogue_places.PlaceError) -> None:
    getattr(form, exc.field).errors.append(str(exc))


@bp.route("/places", methods=["GET", "POST"])
@roles_required(Role.STEWARD)
def places():
    if request.method == "GET":
        return _page()
    if "place-name" in request.form:
        return _add_place()
    if "type-name_nl" in request.form:
        return _add_type()
    return _add_closure()


def _add_place():
    form = LocationForm(prefix="place")
    if form.validate_on_submit():
        try:
            catalogue_places.add_place(
                name=form.name.data,
                address=form.address.data,
                neighbourhood=form.neighbourhood.data,
                accessibility=form.accessibility.data or "",
            )
        except catalogue_places.PlaceError as exc:
            _refused(form, exc)
        else:
            flash(_("The place has been added."), "success")
            return redirect(url_for("catalogue.places"))
    return _page(location_form=form, status=422)


def _add_closure():
    form = ClosureForm(prefix="closure")
    if form.validate_on_submit():
        try:
            catalogue_places.add_closure(
                kind=ClosureKind(form.kind.data),
                label=form.label.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
            )
        except catalogue_places.PlaceError as exc:
            _refused(form, exc)
        else:
            flash(
                _("The period has been added; future sessions in it are taken off the schedule."),
                "success",
            )
            return redirect(url_for("catalogue.places"))
    return _page(closure_form=form, status=422)


def _add_type():
    form = OfferTypeForm(prefix="type")
    if form.validate_on_submit():
        try:
            catalogue_places.add_offer_type(
                name_nl=form.name_nl.data,
                name_en=form.name_en.data,
                is_salon=form.is_salon.data,
                is_thematic=form.is_thematic.data,
            )
        except catalogue_places.PlaceError as exc:
            _refused(form, exc)
        else:
            flash(_("The type has been added."), "success")
            return redirect(url_for("catalogue.places"))
    return _page(type_form=form, status=422)


@bp.route("/closures/<int:closure_id>/delete", methods=["GET", "POST"])
@roles_required(Role.STEWARD)
def delete_closure(closure_id: int):
    closure = load_or_404(Closure, closure_id)
    period = _(
        "%(label)s, %(period)s",
        label=closure.label,
        period=period_text(closure.starts_on, closure.ends_on, language_now()),
    )
    page = confirm.ask(
        confirm.Confirmation(
            action="closure.delete",
            title=_("Remove this closing period?"),
            button=_("Remove the period"),
            back=url_for("catalogue.places"),
            heading=period,
            rows=[closure],
            lost=[
                _("The network is no longer closed in this period."),
                _(
                    "The coming sessions of the activities in this period come back in the schedule "
                    "and are shown to families."
                ),
            ],
            undo=_(
                "You can add the period again on the places page: its sessions then leave the "
                "schedule again."
            ),
        )
    )
    if page is not None:
        return page
    catalogue_places.delete_closure(closure)
    flash(_("The period has been removed."), "info")
    return redirect(url_for("catalogue.places"))


@bp.route("/places/<int:location_id>/delete", methods=["GET", "POST"])
@roles_required(Role.STEWARD)
def delete_place(location_id: int):
    place = load_or_404(Location, location_id)
    if catalogue_places.place_in_use(place):
        flash(_("This place is used by activities: change them first."), "warning")
        return redirect(url_for("catalogue.places"))
    page = confirm.ask(
        confirm.Confirmation(
            action="place.delete",
            title=_("Remove the place “%(name)s”?", name=place.name),
            button=_("Remove the place"),
            back=url_for("catalogue.places"),
            heading=place.address,
            rows=[place],
            lost=[
                _(
                    "The place, its address, neighbourhood and accessibility notes leave the "
                    "network's list of places (no activity or session uses it)."
                ),
            ],
            kept=[_("To use it again later, add it again as a new place.")],
        )
    )
    if page is not None:
        return page
    try:
        catalogue_places.delete_place(place)
    except catalogue_places.PlaceError as exc:
        flash(str(exc), "warning")
    else:
        flash(_("The place has been removed."), "info")
    return redirect(url_for("catalogue.places"))
