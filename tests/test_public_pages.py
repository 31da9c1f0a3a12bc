"""The families' activity page, as a parent who reads little Dutch meets it: who organises it with
whom, the days it is not held and why, where it is (with a map link), free / no registration /
ages in plain words, pictograms with their words, and a link to pass on that opens in the
reader's own language. Bad links get a friendly page, never a 500."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import holidays
from flask_babel import force_locale, format_date
from sqlalchemy import select, update

from saas.catalogue import pictograms, services
from saas.catalogue.models import (
    ActionLine,
    ActivitySession,
    Closure,
    ClosureKind,
    Location,
    Offer,
    OrganiserRole,
)
from saas.catalogue.schedule import WEEKDAYS, is_public_holiday
from saas.extensions import db
from saas.partners.models import Partner, Sector
from tenants.context import network_scope
from tests import catalogue_factories as cf
from tests import factories as f

SPRITE = Path(__file__).resolve().parent.parent / "static" / "pictograms.svg"


def _first_holiday_ahead() -> date:
    """The first Belgian public holiday from next week on (there is one within 80 days)."""
    day = date.today() + timedelta(days=7)
    while not is_public_holiday(day):
        day += timedelta(days=1)
    return day


def _world(app):
    """A weekly offer on the weekday of the next public holiday, with a closure day, a cancelled
    session, a confirmed host and a speaker who has not answered yet."""
    net = f.network(app, "beringen")
    owner = f.partner(app, net, "Kind & Gezin", Sector.HEALTH)
    host = f.partner(app, net, "Basisschool De Mijnlamp", Sector.EDUCATION)
    speaker = f.partner(app, net, "CLB Beringen", Sector.EDUCATION)
    holiday = _first_holiday_ahead()
    start = date.today() - timedelta(days=(date.today().weekday() - holiday.weekday()) % 7)
    later = [holiday + timedelta(weeks=n) for n in range(1, 8)]
    closed, cancelled = [d for d in later if not is_public_holiday(d)][:2]
    with app.app_context(), network_scope(net.id):
        db.session.add(
            Closure(kind=ClosureKind.CLOSURE, label="Teamdag", starts_on=closed, ends_on=closed)
        )
        db.session.commit()
    offer = cf.offer(
        app,
        net,
        owner,
        title="Speelochtend",
        start=start,
        rrule=f"FREQ=WEEKLY;BYDAY={WEEKDAYS[holiday.weekday()]};UNTIL={start + timedelta(weeks=15):%Y%m%d}",
        code="voorschools_klasje",
        themes=["spelen", "voorlezen", "taal"],
    )
    with app.test_request_context(), network_scope(net.id):
        row = db.session.get(Offer, offer.id)
        services.set_organiser(row, db.session.get(Partner, host.id), OrganiserRole.HOST)
        services.set_organiser(row, db.session.get(Partner, speaker.id), OrganiserRole.SPEAKER)
        session = db.session.execute(
            select(ActivitySession).where(
                ActivitySession.offer_id == offer.id,
                ActivitySession.occurrence.startswith(cancelled.isoformat()),
            )
        ).scalar_one()
        services.cancel_session(session, "Begeleidster ziek")
        db.session.commit()
    return net, offer, holiday, closed, cancelled


def _nl(app, day: date) -> str:
    with app.test_request_context(), force_locale("nl"):
        return format_date(day, "full")


def test_the_activity_page_says_who_where_and_which_days_are_skipped(app, client):
    _net, offer, holiday, closed, cancelled = _world(app)
    html = client.get(f"/beringen/activity/{offer.id}?lang=nl").get_data(as_text=True)

    assert "Basisschool De Mijnlamp" in html  # the host who organises it too
    assert "CLB Beringen" not in html  # invited to speak, not confirmed yet
    name = holidays.Belgium(years=holiday.year, language="nl")[holiday]
    skipped = html.split(">Op deze dagen is er geen activiteit</h2>")[1]
    assert f"{_nl(app, holiday)}: feestdag ({name})" in skipped
    assert f"{_nl(app, closed)}: gesloten (Teamdag)" in skipped
    assert f"{_nl(app, cancelled)}: geannuleerd" in skipped
    # the place opens in a map application, with no script or map tiles on the page
    assert 'href="geo:0,0?q=Kioskplein%201%2C%203582%20Beringen"' in html
    assert "https://www.openstreetmap.org/search?query=Kioskplein%201%2C%203582%20Beringen" in html
    assert "<script" not in html and "<iframe" not in html
    # plain words for what a parent must know first
    assert "Gratis: je betaalt niets." in html
    assert "Inschrijven hoeft niet: kom gewoon langs." in html
    assert "Voor kinderen tot 6 jaar" in html


def test_skipped_dates_read_in_the_families_language(app, client):
    _net, offer, holiday, _closed, _cancelled = _world(app)
    french = client.get(f"/beringen/activity/{offer.id}?lang=fr").get_data(as_text=True)
    assert holidays.Belgium(years=holiday.year, language="fr")[holiday] in french
    arabic = client.get(f"/beringen/activity/{offer.id}?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in arabic
    # times stay readable left to right inside the Arabic text
    assert re.search(r'<bdi class="dorp-time" dir="ltr">[^<]*\d{1,2}:\d\d', arabic)
    assert "Teamdag" not in arabic  # the closure's Dutch name is not shown to an Arabic reader


def test_the_share_link_names_no_language_so_the_reader_gets_their_own(app, client):
    _net, offer, *_ = _world(app)
    arabic = client.get(f"/beringen/activity/{offer.id}?lang=ar").get_data(as_text=True)
    link = re.search(r'id="share-link" type="url" readonly dir="ltr" value="([^"]+)"', arabic)
    assert link, "no share link"
    assert link.group(1) == f"http://localhost/beringen/activity/{offer.id}"
    assert "mailto:?subject=" in arabic and f"localhost/beringen/activity/{offer.id}" in arabic
    reader = app.test_client()
    turkish = reader.get(f"/beringen/activity/{offer.id}", headers={"Accept-Language": "tr"})
    assert '<html lang="tr" dir="ltr">' in turkish.get_data(as_text=True)
    assert "Set-Cookie" not in turkish.headers  # nothing kept about the reader
    # "add to my calendar" is the activity's own .ics
    assert f'href="/beringen/activity/{offer.id}.ics"' in arabic
    feed = reader.get(f"/beringen/activity/{offer.id}.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"


def test_the_language_switch_is_not_outvoted_by_a_language_in_the_link(app, client):
    _net, offer, *_ = _world(app)
    arabic = client.get(f"/beringen/activity/{offer.id}?lang=ar").get_data(as_text=True)
    switch = re.search(r'href="(/language/en\?next=[^"]+)"', arabic).group(1)
    assert "lang" not in switch.split("?", 1)[1].replace("/language/en", "")
    landed = client.get(switch.replace("&amp;", "&"), follow_redirects=True)
    assert '<html lang="en" dir="ltr">' in landed.get_data(as_text=True)


def test_every_type_and_action_line_has_a_pictogram_with_its_word(app, client):
    drawn = set(re.findall(r'<symbol id="pict-([a-z]+)"', SPRITE.read_text()))
    wanted = {pictograms.TYPES.get(code, "activity") for code, *_ in services.DEFAULT_TYPES}
    wanted |= set(pictograms.ACTION_LINES.values()) | set(pictograms.THEMES.values())
    assert wanted | {"activity"} <= drawn
    assert set(pictograms.LABELS) == drawn
    assert set(pictograms.ACTION_LINES) == set(ActionLine.members())

    net, offer, *_ = _world(app)
    # the world's offer falls on public holidays; from Christmas to New Year both of its days in
    # the families' fortnight are holidays, so the families' page gets a session of its own
    cf.offer(
        app,
        net,
        f.partner(app, net, "Huis van het Kind", Sector.WELFARE),
        title="Speelnamiddag",
        location=cf.place(app, net, name="Bibliotheek Beringen"),
        start=date.today() + timedelta(days=1),
        rrule="",
        code="voorschools_klasje",
        themes=["spelen", "voorlezen", "taal"],
        skip_public_holidays=False,
    )
    for url in ["/beringen/?lang=nl", f"/beringen/activity/{offer.id}?lang=nl"]:
        html = client.get(url).get_data(as_text=True)
        shown = re.findall(
            r'<span class="dorp-pict"><svg[^>]*aria-hidden="true"[^>]*><use href="[^"]+#pict-'
            r'([a-z]+)"></use></svg><span class="dorp-pict-label">([^<]+)</span>',
            html,
        )
        assert html.count('class="dorp-pict"') == len(shown) > 0, url
        assert all(label.strip() for _key, label in shown), url
        keys = [key for key, _label in shown]
        assert {"school", "play", "language"} <= set(keys), url
    assert "Voorlezen" in html and "Spelen" in html and "Taal" in html  # the page shows all


def test_links_nobody_can_read_get_a_friendly_page(app, client):
    _net, offer, *_ = _world(app)
    for url in [
        "/beringen/?age=abc&day=9&time=noon&neighbourhood=Nergens&line=3&type=x&lang=xx&foo=1",
        "/beringen/?age=-1&partner=99999999999999&page=-4",
        f"/beringen/activity/{offer.id}?lang=klingon&share=1",
        "/beringen/flyer?period=year&from=never&location=abc&partner=-1",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="nl"' in response.get_data(as_text=True), url
    assert client.get("/beringen/activity/abc").status_code == 404
    assert client.get("/beringen/activity/99999999999").status_code == 404


def test_an_activity_whose_place_has_no_address_still_reads(app, client):
    net, offer, *_ = _world(app)
    with app.app_context(), network_scope(net.id):
        db.session.execute(update(Location).values(address=" "))
        db.session.execute(update(Offer).values(rrule="FREQ=NONSENSE"))
        db.session.commit()
    response = client.get(f"/beringen/activity/{offer.id}?lang=nl")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Vraag het adres aan de organisator." in html
    assert "geo:" not in html


def test_skipped_dates_are_found_with_a_fixed_number_of_queries(app):
    net, offer, *_ = _world(app)
    from saas.catalogue.skipped import SkipReason, skipped_dates

    with app.test_request_context(), network_scope(net.id):
        row = db.session.get(Offer, offer.id)
        with f.counting(app) as statements:
            found = skipped_dates(row, "nl")
    assert {s.reason for s in found} == set(SkipReason) - {SkipReason.SCHOOL_HOLIDAY}
    assert len(statements) <= 3, statements
    assert datetime.combine(found[0].day, time()) >= datetime.combine(date.today(), time())
