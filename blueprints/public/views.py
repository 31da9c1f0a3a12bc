"""What families see, without an account or cookies: this week's activities, calendars, flyers."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Response, g, render_template, request
from flask_babel import get_locale
from markupsafe import Markup

from blueprints.conditional import public_cache
from blueprints.links import page_link_args
from blueprints.loading import load_or_404
from blueprints.public.blueprint import bp
from saas import caching
from saas.catalogue import calendar, listings, pictograms, queries, skipped
from saas.catalogue.filter_lists import filter_lists
from saas.catalogue.models import ActivitySession, Answer, Offer
from saas.catalogue.schedule import to_local
from saas.partners import queries as partner_queries
from saas.partners.models import Partner, PartnerState
from saas.urls import absolute_url

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
@public_cache
def home():
    filters = queries.Filters.from_args(request.args)
    main = _home_main(filters, queries.page_number(request.args), str(get_locale()))
    return render_template("public/home.html", main=main)


def _home_main(filters: queries.Filters, number: int, language: str) -> Markup:
    """Everything below the header: the same for everyone who made the same choice, on the same
    day, in the same language, so rendered once per version of the network's public data and
    kept (`saas.caching`). Families mostly get the whole answer from `public_cache`; this part
    also serves a signed-in person (whose header is their own) and a new address that makes the
    same choice."""
    today = date.today()
    links = page_link_args(filters, language)
    detail = (language, today.isoformat(), sorted(links.items()), number)

    def render() -> str:
        end = queries.week_start(today) + timedelta(days=14)  # this week and next
        page = queries.sessions_page(today, end, filters, number)
        return render_template(
            "public/_home_main.html",
            days=_by_day(page.items),
            page=page,
            filters=filters,
            links=links,
            partners_section=_partners_section(language),
            neighbourhoods=filter_lists(language).neighbourhoods,
            language=language,
            public=True,
        )

    kept = caching.kept("public-home", g.network.id, detail, str, render)
    return Markup(kept)  # noqa: S704 (our own autoescaped template output, or its copy)


def _partners_section(language: str) -> Markup:
    """The network's partners, the same whatever a family chose: rendered once per version of
    the network's public data and language (a partner's change bumps the version), so a family
    who picks an age or a day is not made to wait for two hundred partners' cards again."""

    def render() -> str:
        return render_template(
            "public/_partners.html", partners=partner_queries.active_partners(by_sector=True)
        )

    section = caching.kept("public-partners", g.network.id, language, str, render)
    return Markup(section)  # noqa: S704 (our own autoescaped template output, or its copy)


@bp.route("/activity/<int:offer_id>")
@public_cache
def activity(offer_id: int):
    offer = load_or_404(Offer, offer_id, *PUBLISHED)
    language = str(get_locale())
    sessions = listings.coming_sessions(offer.id, limit=12)
    # the link to pass on names no language: it opens in the reader's own (saas.i18n)
    share_url = absolute_url("public.activity", slug=g.network.slug, offer_id=offer.id)
    return render_template(
        "public/activity.html",
        offer=offer,
        sessions=sessions,
        language=language,
        co_organisers=[
            link
            for link in offer.organisers
            if link.answer == Answer.CONFIRMED and link.partner.state == PartnerState.ACTIVE
        ],
        skipped=skipped.skipped_dates(offer, language),
        doing=pictograms.what_you_do(offer, limit=6),
        helps=pictograms.for_action_lines(offer),
        share_url=share_url,
    )


def _ics(body: bytes, name: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{name}.ics"'
    response.headers["Cache-Control"] = "public, max-age=900"
    return response


@bp.route("/agenda.ics")
@public_cache
def agenda_feed():
    sessions = calendar.feed_sessions()
    return _ics(calendar.build(g.network, sessions, str(get_locale())), g.network.slug)


@bp.route("/activity/<int:offer_id>.ics")
@public_cache
def activity_feed(offer_id: int):
    offer = load_or_404(Offer, offer_id, *PUBLISHED)
    sessions = calendar.feed_sessions(offer_id=offer.id)
    return _ics(
        calendar.build(g.network, sessions, str(get_locale()), name=offer.title),
        f"activity-{offer.id}",
    )


@bp.route("/partners/<int:partner_id>/agenda.ics")
@public_cache
def partner_feed(partner_id: int):
    partner = load_or_404(Partner, partner_id, *ACTIVE)
    sessions = calendar.feed_sessions(partner_id=partner.id)
    return _ics(
        calendar.build(g.network, sessions, str(get_locale()), name=partner.name),
        f"partner-{partner.id}",
    )
