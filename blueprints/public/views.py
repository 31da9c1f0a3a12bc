"""What families see, without an account or cookies: this week's activities, calendars, flyers."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Response, abort, g, render_template, request
from flask_babel import get_locale
from sqlalchemy import or_, select

from blueprints.public.blueprint import bp
from saas.catalogue import calendar, queries, services
from saas.catalogue.models import ActivitySession, Location, Offer, OfferPartner
from saas.catalogue.schedule import to_local
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner, PartnerState


def _published_offer_or_404(offer_id: int) -> Offer:
    offer = db.session.execute(
        select(Offer).where(
            Offer.id == offer_id, Offer.published_at.is_not(None), Offer.hidden_at.is_(None)
        )
    ).scalar_one_or_none()
    if offer is None:
        abort(404)
    return offer


def _active_partner_or_404(partner_id: int) -> Partner:
    partner = db.session.execute(
        select(Partner).where(Partner.id == partner_id, Partner.state == PartnerState.ACTIVE)
    ).scalar_one_or_none()
    if partner is None:
        abort(404)
    return partner


def _by_day(sessions: list[ActivitySession]) -> list[tuple[date, list[ActivitySession]]]:

    days: dict[date, list[ActivitySession]] = {}
    for s in sessions:
        days.setdefault(to_local(s.starts_at).date(), []).append(s)
    return sorted(days.items())


@bp.route("/")
def home():
    filters = queries.Filters.from_args(request.args)
    today = date.today()
    end = queries.week_start(today) + timedelta(days=14)  # this week and next
    page = queries.sessions_page(today, end, filters, queries.page_number(request.args))
    partners = (
        db.session.execute(
            select(Partner)
            .where(Partner.state == PartnerState.ACTIVE)
            .order_by(Partner.sector, Partner.name)
        )
        .scalars()
        .all()
    )
    return render_template(
        "public/home.html",
        days=_by_day(page.items),
        page=page,
        filters=filters,
        partners=partners,
        neighbourhoods=services.neighbourhoods(),
        language=str(get_locale()),
        public=True,
    )


@bp.route("/activity/<int:offer_id>")
def activity(offer_id: int):
    offer = _published_offer_or_404(offer_id)
    sessions = (
        db.session.execute(
            select(ActivitySession)
            .where(ActivitySession.offer_id == offer.id, ActivitySession.ends_at >= utcnow())
            .order_by(ActivitySession.starts_at)
            .limit(12)
        )
        .scalars()
        .all()
    )
    return render_template(
        "public/activity.html", offer=offer, sessions=sessions, language=str(get_locale())
    )


def _ics(body: bytes, name: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{name}.ics"'
    response.headers["Cache-Control"] = "public, max-age=900"
    return response


@bp.route("/agenda.ics")
def agenda_feed():

    sessions = calendar.feed_sessions()
    return _ics(calendar.build(g.network, sessions, str(get_locale())), g.network.slug)


@bp.route("/activity/<int:offer_id>.ics")
def activity_feed(offer_id: int):

    offer = _published_offer_or_404(offer_id)
    sessions = calendar.feed_sessions(offer_id=offer.id)
    return _ics(
        calendar.build(g.network, sessions, str(get_locale()), name=offer.title),
        f"activity-{offer.id}",
    )


@bp.route("/partners/<int:partner_id>/agenda.ics")
def partner_feed(partner_id: int):

    partner = _active_partner_or_404(partner_id)
    sessions = calendar.feed_sessions(partner_id=partner.id)
    return _ics(
        calendar.build(g.network, sessions, str(get_locale()), name=partner.name),
        f"partner-{partner.id}",
    )


def _id_arg(name: str) -> int | None:
    value = request.args.get(name, type=int)
    return value if value is not None and 1 <= value <= 2**31 - 1 else None


def _day_arg(name: str) -> date:
    """A date within five years of today, else today: a flyer is about now."""
    try:
        day = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return date.today()
    return day if abs((day - date.today()).days) <= 5 * 366 else date.today()


@bp.route("/flyer")
def flyer():
    """A week or month on paper, for the whole network, one place or one school (partner)."""
    period = request.args.get("period", "week")
    start = _day_arg("from")
    if period == "month":
        start = start.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
    else:
        period, start = "week", queries.week_start(start)
        end = start + timedelta(days=7)
    location = partner = None
    if location_id := _id_arg("location"):
        location = db.session.execute(
            select(Location).where(Location.id == location_id)
        ).scalar_one_or_none()
    if partner_id := _id_arg("partner"):
        partner = db.session.execute(
            select(Partner).where(Partner.id == partner_id, Partner.state == PartnerState.ACTIVE)
        ).scalar_one_or_none()
    sessions = queries.sessions_between(
        start,
        end,
        queries.Filters(),
        location_id=location.id if location else None,
        partner_id=partner.id if partner else None,
    )
    places = db.session.execute(select(Location).order_by(Location.name)).scalars().all()
    schools = (
        db.session.execute(
            select(Partner)
            .where(
                Partner.state == PartnerState.ACTIVE,
                or_(
                    Partner.id.in_(select(Offer.partner_id).where(Offer.published_at.is_not(None))),
                    Partner.id.in_(select(OfferPartner.partner_id)),
                ),
            )
            .order_by(Partner.name)
        )
        .scalars()
        .all()
    )
    return render_template(
        "public/flyer.html",
        days=_by_day(sessions),
        start=start,
        end=end - timedelta(days=1),
        period=period,
        location=location,
        partner=partner,
        places=places,
        schools=schools,
        language=str(get_locale()),
    )
