"""The steward's places and closure days: where activities happen and when the network rests."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import exists, select

from blueprints.auth.forms import ConfirmForm
from blueprints.catalogue.blueprint import bp
from blueprints.catalogue.forms import ClosureForm, LocationForm, OfferTypeForm
from saas.audit.services import record
from saas.catalogue.models import ActivitySession, Closure, ClosureKind, Location, Offer, OfferType
from saas.catalogue.services import sync_sessions
from saas.extensions import db
from tenants.access import roles_required
from tenants.models import Role


def _page(location_form=None, closure_form=None, type_form=None, status=200):
    places = (
        db.session.execute(select(Location).order_by(Location.neighbourhood, Location.name))
        .scalars()
        .all()
    )
    closures = db.session.execute(select(Closure).order_by(Closure.starts_on)).scalars().all()
    return render_template(
        "catalogue/places.html",
        places=places,
        closures=closures,
        location_form=location_form or LocationForm(prefix="place"),
        closure_form=closure_form or ClosureForm(prefix="closure"),
        type_form=type_form or OfferTypeForm(prefix="type"),
        types=db.session.execute(select(OfferType).order_by(OfferType.sort, OfferType.id))
        .scalars()
        .all(),
        confirm=ConfirmForm(),
    ), status


@bp.route("/places", methods=["GET", "POST"])
@roles_required(Role.STEWARD)
def places():
    if request.method == "GET":
        return _page()
    if "place-name" in request.form:
        form = LocationForm(prefix="place")
        if form.validate_on_submit():
            name = form.name.data.strip()
            if db.session.execute(select(Location.id).where(Location.name == name)).first():
                form.name.errors.append(_("There is already a place with this name."))
            else:
                place = Location(
                    name=name,
                    address=form.address.data.strip(),
                    neighbourhood=form.neighbourhood.data.strip(),
                    accessibility=(form.accessibility.data or "").strip(),
                )
                db.session.add(place)
                db.session.flush()
                record("location.created", place)
                flash(_("The place has been added."), "success")
                return redirect(url_for("catalogue.places"))
        return _page(location_form=form, status=422)
    if "type-name_nl" in request.form:
        return _add_type()
    form = ClosureForm(prefix="closure")
    if form.validate_on_submit():
        if form.ends_on.data < form.starts_on.data:
            form.ends_on.errors.append(_("The last day must not be before the first day."))
        else:
            closure = Closure(
                kind=ClosureKind(form.kind.data),
                label=form.label.data.strip(),
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
            )
            db.session.add(closure)
            db.session.flush()
            record("closure.created", closure)
            _resync_all()
            flash(
                _("The period has been added; future sessions in it are taken off the schedule."),
                "success",
            )
            return redirect(url_for("catalogue.places"))
    return _page(closure_form=form, status=422)


@bp.route("/closures/<int:closure_id>/delete", methods=["POST"])
@roles_required(Role.STEWARD)
def delete_closure(closure_id: int):
    closure = db.session.execute(
        select(Closure).where(Closure.id == closure_id)
    ).scalar_one_or_none()
    if closure is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        record("closure.deleted", closure)
        db.session.delete(closure)
        db.session.flush()
        _resync_all()
        flash(_("The period has been removed."), "info")
    return redirect(url_for("catalogue.places"))


@bp.route("/places/<int:location_id>/delete", methods=["POST"])
@roles_required(Role.STEWARD)
def delete_place(location_id: int):
    place = db.session.execute(
        select(Location).where(Location.id == location_id)
    ).scalar_one_or_none()
    if place is None:
        abort(404)
    used = db.session.execute(
        select(
            exists().where(Offer.location_id == place.id)
            | exists().where(ActivitySession.location_id == place.id)
        )
    ).scalar()
    if ConfirmForm().validate_on_submit():
        if used:
            flash(_("This place is used by activities: change them first."), "warning")
        else:
            record("location.deleted", place)
            db.session.delete(place)
            flash(_("The place has been removed."), "info")
    return redirect(url_for("catalogue.places"))


def _resync_all() -> None:

    for offer in db.session.execute(select(Offer)).scalars():
        sync_sessions(offer)


def _add_type():

    form = OfferTypeForm(prefix="type")
    if form.validate_on_submit():
        code = (
            re.sub(r"[^a-z0-9]+", "_", form.name_nl.data.strip().lower()).strip("_")[:40] or "type"
        )
        taken = db.session.execute(select(OfferType.id).where(OfferType.code == code)).first()
        if taken:
            form.name_nl.errors.append(_("This type already exists."))
        else:
            last = (
                db.session.execute(select(OfferType.sort).order_by(OfferType.sort.desc()))
                .scalars()
                .first()
                or 0
            )
            kind = OfferType(
                code=code,
                name_nl=form.name_nl.data.strip(),
                name_en=form.name_en.data.strip(),
                is_salon=form.is_salon.data,
                is_thematic=form.is_thematic.data,
                sort=last + 1,
            )
            db.session.add(kind)
            db.session.flush()
            record("offer_type.created", kind)
            flash(_("The type has been added."), "success")
            return redirect(url_for("catalogue.places"))
    return _page(type_form=form, status=422)
