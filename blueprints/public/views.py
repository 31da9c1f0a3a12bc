"""What families see, without an account or cookies: this week's activities, calendars, flyers."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Response, g, render_template, request
from flask_babel import get_locale

from blueprints.loading import load_or_404
from blueprints.public.blueprint import bp
from saas.catalogue import calendar, listings, queries, services
from saas.catalogue.models import ActivitySession, Offer
from saas.catalogue.schedule import to_local
from saas.partners import queries as partner_queries
from saas.partners.models import Partner, PartnerState

# What families may see: a published offer the steward has not hidden, an active partner.
PUBLISHED = (Offer.published_at.is_not(None), Offer.hidden_at.is_(None))
ACTIVE = (Partner.state == PartnerState.ACTIVE,)


def _by_day(sessions: list[ActivitySession]) -> list[tuple[date, list[ActivitySession]]]:
    days: dict[date, list[ActivitySession]] = {}
    for s in sessions:
        days.setdefault(to_local(s.starts_at).date(), []).append(s)
    return sorted(days.items())


@bp.before_request
def _closed_network_is_gone():
    """A closed network's pages for families are gone for good (410), with a friendly note."""
    if g.get("network") is not None and g.network.is_closed:
        return render_template("public/closed.html"), 410
    return None


@bp.route("/")
def home():
    filters = queries.Filters.from_args(request.args)
    today = date.today()
    end = queries.week_start(today) + timedelta(days=14)  # this week and next
    page = queries.sessions_page(today, end, filters, queries.page_number(request.args))
    return render_template(
        "public/home.html",
        days=_by_day(page.items),
        page=page,
        filters=filters,
        partners=partner_queries.active_partners(by_sector=True),
        neighbourhoods=services.neighbourhoods(),
        language=str(get_locale()),
        public=True,
    )


@bp.route("/activity/<int:offer_id>")
def activity(offer_id: int):
    offer = load_or_404(Offer, offer_id, *PUBLISHED)
    sessions = listings.coming_sessions(offer.id, limit=12)
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
    offer = load_or_404(Offer, offer_id, *PUBLISHED)
    sessions = calendar.feed_sessions(offer_id=offer.id)
    return _ics(
        calendar.build(g.network, sessions, str(get_locale()), name=offer.title),
        f"activity-{offer.id}",
    )


@bp.route("/partners/<int:partner_id>/agenda.ics")
def partner_feed(partner_id: int):
    partner = load_or_404(Partner, partner_id, *ACTIVE)
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
    location = listings.location(location_id) if (location_id := _id_arg("location")) else None
    partner = (
        partner_queries.active_partner(partner_id) if (partner_id := _id_arg("partner")) else None
    )
    sessions = queries.sessions_between(
        start,
        end,
        queries.Filters(),
        location_id=location.id if location else None,
        partner_id=partner.id if partner else None,
    )
    return render_template(
        "public/flyer.html",
        days=_by_day(sessions),
        start=start,
        end=end - timedelta(days=1),
        period=period,
        location=location,
        partner=partner,
        places=services.locations(),
        schools=listings.flyer_partners(),
        language=str(get_locale()),
    )
