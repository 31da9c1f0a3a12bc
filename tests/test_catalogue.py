"""The shared activity catalogue through HTTP: offers, drafts, rights, sessions, headcounts,
calendars, the families' pages and flyers, places and closures, and the gaps table."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from saas.catalogue import services
from saas.catalogue.models import (
    ActivitySession,
    Answer,
    Headcount,
    Location,
    Offer,
    OfferPartner,
    OfferType,
    SessionStatus,
)
from saas.catalogue.schedule import WEEKDAYS, to_local, to_utc
from saas.extensions import db
from saas.partners.models import Sector
from tenants.context import network_scope
from tenants.models import Role
from tests import catalogue_factories as cf
from tests import factories as f
from tests.mail import messages

TITLE, TITLE_FR = "Peuterspeelmoment", "Moment des tout-petits"
OTHER_NETWORK_TITLE = "Zwemmen Sint-Truiden"


@dataclass
class Cast:
    net: f.Ref
    partners: dict[str, f.Ref] = field(default_factory=dict)
    people: dict[str, f.Ref] = field(default_factory=dict)
    places: dict[str, f.Ref] = field(default_factory=dict)
    types: dict[str, int] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"/{self.net.slug}/catalogue"


def cast_of(app, slug="beringen") -> Cast:
    """One network: an owner partner, a co-organiser, a host, a speaker, an unrelated partner, a
    social-economy employer, two places, and one person for each of them plus the steward,
    the social-economy coordinator and the municipality."""
    cast = Cast(net=f.network(app, slug))
    for key, name, sector in [
        ("owner", "Kind en Gezin", Sector.WELFARE),
        ("co", "Basisschool De Klimop", Sector.EDUCATION),
        ("host", "Bibliotheek Beringen", Sector.LEISURE),
        ("speaker", "CAW Limburg", Sector.WELFARE),
        ("other", "Sportdienst", Sector.LEISURE),
        ("se", "Maatwerkbedrijf Kompas", Sector.SOCIAL_ECONOMY),
    ]:
        cast.partners[key] = f.partner(app, cast.net, name, sector)
        if key != "se":
            cast.people[key] = f.user(
                app, f"{key}@{slug}.example", (cast.net, Role.PARTNER_ADMIN, cast.partners[key])
            )
    for key, role in [
        ("steward", Role.STEWARD),
        ("coordinator", Role.SE_COORDINATOR),
        ("municipality", Role.MUNICIPALITY_VIEWER),
    ]:
        cast.people[key] = f.user(app, f"{key}@{slug}.example", (cast.net, role))
    cast.places["kolonie"] = cf.place(app, cast.net, "Buurthuis De Kolonie", "Beringen-Mijn")
    cast.places["paal"] = cf.place(app, cast.net, "Sporthal Paal", "Paal")
    with app.app_context(), network_scope(cast.net.id):
        services.seed_offer_types()
        db.session.commit()
        cast.types = dict(db.session.execute(select(OfferType.code, OfferType.id)).all())
    return cast


def as_(app, who: f.Ref):
    client = app.test_client()
    f.login(client, who)
    return client


def offer_form(cast: Cast, *, start: date | None = None, weeks=7, publish=True, **changes):
    """The offer form as a partner fills it in: weekly from `start` (default tomorrow)."""
    start = start or date.today() + timedelta(days=1)
    data = {
        "partner_id": cast.partners["owner"].id,
        "title": TITLE,
        "description": "Samen knutselen en zingen",
        "type_id": cast.types["voorschools_klasje"],
        "action_lines": ["1", "2"],
        "age_min": "0",
        "age_min_unit": "years",
        "age_max": "6",
        "age_max_unit": "years",
        "themes": "Knutselen, Taal",
        "languages": ["nl", "tr"],
        "location_id": cast.places["kolonie"].id,
        "cost_kind": "free",
        "capacity": "12",
        "start_date": start.isoformat(),
        "start_time": "09:30",
        "end_time": "11:00",
        "frequency": "weekly",
        "weekdays": [WEEKDAYS[start.weekday()]],
        "until": (start + timedelta(weeks=weeks)).isoformat(),
        "skip_closures": "y",  # public holidays are not skipped: the dates stay predictable
        "speaker_partner_id": "0",
        "title_fr": TITLE_FR,
        "description_fr": "Bricoler et chanter ensemble",
        "publish": "1" if publish else "0",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def create(client, cast: Cast, *, salon=False, **changes) -> int:
    url = f"{cast.base}/offers/new" + ("?salon=1" if salon else "")
    response = client.post(url, data=offer_form(cast, **changes))
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def past_and_future(cast: Cast, **changes) -> dict:
    """Two sessions already held (13 and 6 days ago), then five to come."""
    return dict(start=date.today() - timedelta(days=13), weeks=6, **changes)


def sessions_of(app, cast: Cast, offer_id: int) -> list[ActivitySession]:
    with app.app_context(), network_scope(cast.net.id):
        rows = db.session.execute(
            select(ActivitySession)
            .where(ActivitySession.offer_id == offer_id)
            .order_by(ActivitySession.starts_at)
        ).scalars()
        result = list(rows)
        db.session.expunge_all()
        return result


def count(app, cast: Cast, model) -> int:
    with app.app_context(), network_scope(cast.net.id):
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def load(app, cast: Cast, model, row_id: int):
    with app.app_context(), network_scope(cast.net.id):
        row = db.session.get(model, row_id)
        db.session.expunge_all()
        return row


def page(client, url: str, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def public(client, url: str, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    assert "Set-Cookie" not in response.headers, url
    return response.get_data(as_text=True)


def feed(client, url: str) -> Calendar:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/calendar", url
    assert "Set-Cookie" not in response.headers, url
    return Calendar.from_ical(response.data)


def summaries(cal: Calendar) -> list[str]:
    return [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]


def mail_to(environ, who: f.Ref) -> list:
    return [m for m in messages(environ) if m["To"] == who.email]


def quick_offer(app, cast: Cast, title: str, *, published=True, hidden=False) -> int:
    """An offer made directly in the database: weekly from tomorrow, for four weeks."""
    start = date.today() + timedelta(days=1)
    ref = cf.offer(
        app,
        cast.net,
        next(iter(cast.partners.values())),
        title=title,
        location=next(iter(cast.places.values())),
        start=start,
        rrule=f"FREQ=WEEKLY;UNTIL={start + timedelta(weeks=4):%Y%m%d}",
        published=published,
        skip_public_holidays=False,
    )
    if hidden:
        with app.test_request_context(), network_scope(cast.net.id):
            services.hide(db.session.get(Offer, ref.id), "Dubbel ingevoerd")
            db.session.commit()
    return ref.id


# --- creating an offer --------------------------------------------------------------------


def test_partner_creates_an_offer_that_families_find_in_the_catalogue_and_this_week(app):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    start = date.today() + timedelta(days=1)
    offer_id = create(owner, cast)

    offer = load(app, cast, Offer, offer_id)
    assert offer.title == TITLE and offer.partner_id == cast.partners["owner"].id
    assert offer.published_at is not None and offer.hidden_at is None
    assert (offer.age_min_months, offer.age_max_months) == (0, 83)
    assert offer.action_lines == 3 and offer.languages == "nl,tr" and offer.capacity == 12
    assert offer.themes == "knutselen,taal" and offer.is_free
    assert offer.translations == {
        "fr": {"title": TITLE_FR, "description": "Bricoler et chanter ensemble"}
    }
    sessions = sessions_of(app, cast, offer_id)
    assert [to_local(s.starts_at).date() for s in sessions] == [
        start + timedelta(weeks=n) for n in range(8)
    ]
    assert {to_local(s.starts_at).time() for s in sessions} == {time(9, 30)}
    assert {to_local(s.ends_at).time() for s in sessions} == {time(11, 0)}
    assert TITLE in page(owner, f"{cast.base}/offers/{offer_id}")

    # a second offer, different in every way, by another partner; a third one starts later
    other = as_(app, cast.people["other"])
    later = start + timedelta(days=1)
    create(
        other,
        cast,
        partner_id=cast.partners["other"].id,
        title="Fietsles",
        description="Leren fietsen op het plein",
        themes="Verkeer",
        type_id=cast.types["fietsles"],
        action_lines=["4", "16"],
        age_min="8",
        age_max="12",
        languages=["nl", "ar"],
        location_id=cast.places["paal"].id,
        cost_kind="amount",
        cost_amount="2.50",
        start=later,
        weekdays=[WEEKDAYS[later.weekday()]],
        start_time="14:00",
        end_time="15:30",
    )
    create(
        other,
        cast,
        partner_id=cast.partners["other"].id,
        title="Zomerkamp",
        start=start + timedelta(days=22),
    )

    catalogue = page(owner, f"{cast.base}/")
    assert TITLE in catalogue and "Fietsles" in catalogue and "Zomerkamp" in catalogue
    p = cast.partners
    cases = [  # (query, shows the Peuterspeelmoment, shows the Fietsles)
        ("age=3", True, False),
        ("age=10", False, True),
        (f"day={start.weekday()}", True, False),
        (f"day={later.weekday()}", False, True),
        ("neighbourhood=Beringen-Mijn", True, False),
        ("neighbourhood=Paal", False, True),
        ("language=tr", True, False),
        ("language=ar", False, True),
        ("line=2", True, False),
        ("line=4", False, True),
        (f"type={cast.types['voorschools_klasje']}", True, False),
        (f"type={cast.types['fietsles']}", False, True),
        (f"partner={p['owner'].id}", True, False),
        (f"partner={p['other'].id}", False, True),
        ("free=1", True, False),
        ("q=KNUTSEL", True, False),
        ("q=taal", True, False),  # a theme
        ("q=fietsen", False, True),
        ("age=abc&day=9&line=3&type=x&partner=-1", True, True),  # unreadable: not applied
    ]
    for query, shows_a, shows_b in cases:
        body = page(owner, f"{cast.base}/?{query}")
        assert (TITLE in body, "Fietsles" in body) == (shows_a, shows_b), query

    # the families' page shows this week and next, with its own filters; not what starts later
    anonymous = app.test_client()
    home = public(anonymous, "/beringen/")
    assert TITLE in home and "Fietsles" in home and "Zomerkamp" not in home
    assert "€ 2,50" in home
    only_paal = public(anonymous, "/beringen/?neighbourhood=Paal")
    assert TITLE not in only_paal and "Fietsles" in only_paal
    toddlers = public(anonymous, f"/beringen/?age=2&day={start.weekday()}")
    assert TITLE in toddlers and "Fietsles" not in toddlers
    assert TITLE in public(anonymous, f"/beringen/activity/{offer_id}")


BAD_INPUT = [
    ({"until": ""}, "end date"),  # weekly without an end
    ({"until": (date.today() - timedelta(days=30)).isoformat()}, "no dates"),
    ({"end_time": "09:00"}, "end time must be after"),
    ({"age_min": "6", "age_max": "2"}, "lowest age"),
    ({"location_id": "999999"}, "Not a valid choice"),
    ({"location_id": "kolonie"}, "Invalid Choice"),
    ({"type_id": "999999"}, "Not a valid choice"),
    ({"partner_id": "999999"}, "Not a valid choice"),
    ({"title": "   "}, "This field is required"),
    ({"start_date": "morgen"}, "Not a valid date"),
    ({"start_time": "25:99"}, "Not a valid time"),
    ({"age_min": "veel"}, "Not a valid integer"),
    ({"age_max": "500"}, "Number must be between"),
    ({"action_lines": ["99"]}, "not a valid choice"),
    ({"languages": ["klingon"]}, "not a valid choice"),
    ({"weekdays": ["XX"]}, "not a valid choice"),
    ({"frequency": "daily"}, "Not a valid choice"),
    ({"cost_kind": "gratis"}, "Not a valid choice"),
    ({"cost_kind": "amount"}, "Please give the price"),
    ({"cost_amount": "veel", "cost_kind": "amount"}, "Not a valid decimal"),
    ({"capacity": "-3"}, "Number must be between"),
    ({"registration_url": "javascript:alert(1)"}, "Invalid URL"),
    ({"rrule": "FREQ=YEARLY;COUNT=3"}, "daily, weekly or monthly"),
    ({"rrule": "FREQ=DAILY;UNTIL=20350101"}, "three years"),
    ({"rrule": "nonsense;;=="}, "daily, weekly or monthly"),
    ({"speaker_partner_id": "owner"}, "Invalid Choice"),
    ({"title": "x" * 201}, "Field cannot be longer than 200"),
]


def test_bad_offer_input_is_answered_with_a_message_and_saves_nothing(app):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    for changes, message in BAD_INPUT:
        response = owner.post(f"{cast.base}/offers/new?lang=en", data=offer_form(cast, **changes))
        body = response.get_data(as_text=True)
        assert response.status_code == 422, (changes, response.status_code)
        assert message in body, (changes, message)
    assert count(app, cast, Offer) == 0
    assert count(app, cast, ActivitySession) == 0
    assert count(app, cast, OfferPartner) == 0


def test_a_speaker_that_is_the_owner_itself_is_refused_and_nothing_is_kept(app):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    data = offer_form(cast, speaker_partner_id=cast.partners["owner"].id)
    response = owner.post(f"{cast.base}/offers/new?lang=en", data=data)
    assert response.status_code == 422
    assert "already part of this activity" in response.get_data(as_text=True)
    assert count(app, cast, Offer) == 0 and count(app, cast, ActivitySession) == 0


# --- drafts and rights ------------------------------------------------------------------


def test_a_draft_is_seen_by_its_owner_only_until_published(app):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    offer_id = create(owner, cast, publish=False)
    assert load(app, cast, Offer, offer_id).published_at is None
    assert len(sessions_of(app, cast, offer_id)) == 8  # the schedule is ready for publishing

    assert TITLE in page(owner, f"{cast.base}/offers/{offer_id}")
    assert TITLE in page(owner, f"{cast.base}/mine")
    other = as_(app, cast.people["other"])
    page(other, f"{cast.base}/offers/{offer_id}", 404)
    page(other, f"{cast.base}/offers/{offer_id}/edit", 404)
    for who in (owner, other, as_(app, cast.people["steward"])):
        assert TITLE not in page(who, f"{cast.base}/")
    _not_public(app, cast, offer_id)

    assert owner.post(f"{cast.base}/offers/{offer_id}/publish").status_code == 302
    assert TITLE in page(other, f"{cast.base}/")
    assert TITLE in public(app.test_client(), "/beringen/")


def _not_public(app, cast: Cast, offer_id: int) -> None:
    anonymous = app.test_client()
    week = (date.today() + timedelta(days=1)).isoformat()
    for url in [
        "/beringen/",
        f"/beringen/flyer?from={week}",
        f"/beringen/flyer?period=month&from={week}",
    ]:
        assert TITLE not in public(anonymous, url), url
    public(anonymous, f"/beringen/activity/{offer_id}", 404)
    assert anonymous.get(f"/beringen/activity/{offer_id}.ics").status_code == 404
    assert TITLE not in summaries(feed(anonymous, "/beringen/agenda.ics"))
    partner_feed = f"/beringen/partners/{cast.partners['owner'].id}/agenda.ics"
    assert summaries(feed(anonymous, partner_feed)) == []


def test_each_co_organiser_role_may_do_its_own_part_only(app, run_jobs, environ):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    offer_id = create(
        owner,
        cast,
        salon=True,
        type_id=cast.types["oudersalon_thematisch"],
        speaker_partner_id=cast.partners["speaker"].id,
        **past_and_future(cast),
    )
    base = f"{cast.base}/offers/{offer_id}"
    for key in ("co", "host"):
        role = "organiser" if key == "co" else key
        response = owner.post(
            f"{base}/organisers", data={"partner_id": cast.partners[key].id, "role": role}
        )
        assert response.status_code == 302
    past, _past2, future, *_rest = [s.id for s in sessions_of(app, cast, offer_id)]
    numbers = {
        "adults": "4",
        "children_0_3": "2",
        "children_3_6": "1",
        "children_6_12": "0",
        "children_12_plus": "0",
        "first_time_families": "1",
    }
    edit = offer_form(
        cast,
        title="Oudersalon: slapen",
        type_id=cast.types["oudersalon_thematisch"],
        **past_and_future(cast),
    )
    move = {
        "day": (date.today() + timedelta(days=3)).isoformat(),
        "start_time": "13:00",
        "end_time": "14:00",
        "location_id": cast.places["kolonie"].id,
    }

    co = as_(app, cast.people["co"])
    assert page(co, f"{base}/edit") and co.post(f"{base}/edit", data=edit).status_code == 302
    assert load(app, cast, Offer, offer_id).title == "Oudersalon: slapen"
    assert (
        co.post(
            f"/beringen/catalogue/sessions/{future}/cancel", data={"reason": "Staking"}
        ).status_code
        == 302
    )
    assert co.post(f"/beringen/catalogue/sessions/{future}/move", data=move).status_code == 302
    assert (
        co.post(f"/beringen/catalogue/sessions/{past}/headcount", data=numbers).status_code == 302
    )
    assert co.post(f"{base}/publish", data={"action": "unpublish"}).status_code == 403
    assert co.post(f"{base}/publish").status_code == 403
    other_partner = {"partner_id": cast.partners["other"].id, "role": "host"}
    assert co.post(f"{base}/organisers", data=other_partner).status_code == 403

    host = as_(app, cast.people["host"])
    assert (
        host.post(f"/beringen/catalogue/sessions/{past}/headcount", data=numbers).status_code == 302
    )
    assert host.get(f"{base}/edit").status_code == 403
    assert host.post(f"{base}/edit", data=edit).status_code == 403
    assert host.post(f"/beringen/catalogue/sessions/{future}/cancel", data={}).status_code == 403

    other = as_(app, cast.people["other"])
    assert "Oudersalon: slapen" in page(other, base)
    assert other.get(f"{base}/edit").status_code == 403
    assert other.post(f"{base}/edit", data=edit).status_code == 403
    assert other.post(f"/beringen/catalogue/sessions/{future}/move", data=move).status_code == 403
    assert (
        other.post(f"/beringen/catalogue/sessions/{past}/headcount", data=numbers).status_code
        == 403
    )
    assert other.post(f"{base}/answer", data={"answer": "confirm"}).status_code == 403
    assert other.post(f"{base}/hide", data={"reason": "x"}).status_code == 403

    speaker = as_(app, cast.people["speaker"])
    assert speaker.get(f"{base}/edit").status_code == 403
    assert speaker.post(f"{base}/answer", data={"answer": "confirm"}).status_code == 302
    with app.app_context(), network_scope(cast.net.id):
        link = db.session.execute(
            select(OfferPartner).where(OfferPartner.partner_id == cast.partners["speaker"].id)
        ).scalar_one()
        assert link.answer == Answer.CONFIRMED
    assert speaker.post(f"{base}/answer", data={"answer": "decline"}).status_code == 302
    assert load(app, cast, OfferPartner, link.id).answer == Answer.DECLINED
    run_jobs()
    subjects = [m["Subject"] for m in mail_to(environ, cast.people["owner"])]
    assert len(subjects) == 2 and all("Oudersalon: slapen" in s for s in subjects)
    assert any(
        "Oudersalon: slapen" in m["Subject"] for m in mail_to(environ, cast.people["speaker"])
    )

    # the owner keeps every right
    assert owner.post(f"{base}/publish", data={"action": "unpublish"}).status_code == 302
    assert load(app, cast, Offer, offer_id).published_at is None
    assert owner.post(f"{base}/publish").status_code == 302
    assert load(app, cast, Offer, offer_id).published_at is not None
    assert owner.post(f"{base}/organisers", data=other_partner).status_code == 302
    assert count(app, cast, OfferPartner) == 4


def test_the_social_economy_coordinator_creates_salons_for_its_employer_only(app):
    cast = cast_of(app)
    coordinator = as_(app, cast.people["coordinator"])
    page(coordinator, f"{cast.base}/offers/new?salon=1")
    salon = dict(salon=True, type_id=cast.types["babysalon"], title="Babysalon Kompas")
    offer_id = create(coordinator, cast, partner_id=cast.partners["se"].id, **salon)
    assert load(app, cast, Offer, offer_id).partner_id == cast.partners["se"].id
    assert page(coordinator, f"{cast.base}/offers/{offer_id}/edit")
    response = coordinator.post(
        f"{cast.base}/offers/new?salon=1",
        data=offer_form(
            cast, partner_id=cast.partners["owner"].id, type_id=cast.types["babysalon"]
        ),
    )
    assert response.status_code == 422
    assert count(app, cast, Offer) == 1


# --- the steward hides ----------------------------------------------------------------------


def test_steward_hides_an_offer_with_a_reason_and_shows_it_again(app):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    offer_id = create(owner, cast)
    base = f"{cast.base}/offers/{offer_id}"
    assert owner.post(f"{base}/hide", data={"reason": "Mijn eigen reden"}).status_code == 403
    steward = as_(app, cast.people["steward"])
    assert steward.post(f"{base}/hide", data={"reason": ""}).status_code == 302
    assert load(app, cast, Offer, offer_id).hidden_at is None  # a reason is needed

    assert steward.post(f"{base}/hide", data={"reason": "Foute leeftijd"}).status_code == 302
    other = as_(app, cast.people["other"])
    assert TITLE not in page(other, f"{cast.base}/")
    page(other, base, 404)
    assert "Foute leeftijd" in page(owner, base)  # the owner is told why
    _not_public(app, cast, offer_id)
    flagged = page(steward, f"{cast.base}/?lang=en")
    assert TITLE in flagged and "Hidden" in flagged

    assert steward.post(f"{base}/hide", data={"action": "show"}).status_code == 302
    assert load(app, cast, Offer, offer_id).hidden_at is None
    assert TITLE in page(other, f"{cast.base}/")
    assert TITLE in public(app.test_client(), "/beringen/")
    assert TITLE in summaries(feed(app.test_client(), "/beringen/agenda.ics"))


# --- sessions ---------------------------------------------------------------------------------


def test_a_cancelled_session_shows_on_the_public_page_and_is_mailed_to_co_organisers_and_followers(
    app, run_jobs, environ
):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    offer_id = create(owner, cast)
    owner.post(
        f"{cast.base}/offers/{offer_id}/organisers",
        data={"partner_id": cast.partners["co"].id, "role": "organiser"},
    )
    follower = as_(app, cast.people["other"])
    assert (
        follower.post(f"{cast.base}/offers/{offer_id}/follow", data={"follow": "1"}).status_code
        == 302
    )
    run_jobs()
    before = len(messages(environ))

    first = sessions_of(app, cast, offer_id)[0]
    response = owner.post(
        f"{cast.base}/sessions/{first.id}/cancel", data={"reason": "Ziekte van de begeleider"}
    )
    assert response.status_code == 302
    cancelled = load(app, cast, ActivitySession, first.id)
    assert (
        cancelled.status == SessionStatus.CANCELLED and cancelled.note == "Ziekte van de begeleider"
    )
    home = public(app.test_client(), "/beringen/")
    assert re.search(r'class="dorp-session is-cancelled"[^>]*>.*?' + TITLE, home, re.S)
    assert "<s>" in public(app.test_client(), f"/beringen/activity/{offer_id}")

    run_jobs()
    new = messages(environ)[before:]
    assert sorted(m["To"] for m in new) == sorted(
        [cast.people["co"].email, cast.people["other"].email]
    )
    for m in new:
        assert TITLE in m["Subject"]
        assert "Ziekte van de begeleider" in m.get_body(preferencelist=("plain",)).get_content()


def test_a_session_moves_to_the_future_only(app):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    offer_id = create(owner, cast)
    first = sessions_of(app, cast, offer_id)[0]
    url = f"{cast.base}/sessions/{first.id}/move?lang=en"
    move = {"start_time": "13:00", "end_time": "14:30", "location_id": cast.places["paal"].id}
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    refused = owner.post(url, data={**move, "day": yesterday})
    assert refused.status_code == 422 and "in the future" in refused.get_data(as_text=True)
    backwards = owner.post(url, data={**move, "day": yesterday, "end_time": "12:00"})
    assert backwards.status_code == 422
    assert load(app, cast, ActivitySession, first.id).starts_at == first.starts_at

    day = date.today() + timedelta(days=3)
    assert owner.post(url, data={**move, "day": day.isoformat()}).status_code == 302
    moved = load(app, cast, ActivitySession, first.id)
    assert moved.moved and moved.location_id == cast.places["paal"].id
    assert moved.starts_at == to_utc(datetime.combine(day, time(13, 0)))
    assert len(sessions_of(app, cast, offer_id)) == 8


# --- headcounts ------------------------------------------------------------------------------


def test_attendance_is_numbers_only_and_a_correction_keeps_the_history(app):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    offer_id = create(owner, cast, **past_and_future(cast))
    held, _held2, coming, *_rest = sessions_of(app, cast, offer_id)
    url = f"{cast.base}/sessions/{held.id}"
    numbers = {
        "adults": "5",
        "children_0_3": "3",
        "children_3_6": "2",
        "children_6_12": "0",
        "children_12_plus": "0",
        "first_time_families": "1",
    }

    form = re.search(r'<form[^>]*/headcount".*?</form>', page(owner, url), re.S).group(0)
    asked = set(re.findall(r'name="([^"]+)"', form)) - {"csrf_token"}
    assert asked == set(numbers)

    assert owner.post(f"{url}/headcount", data={**numbers, "name": "Fatima"}).status_code == 302
    assert owner.post(f"{url}/headcount", data={**numbers, "adults": "6"}).status_code == 302
    with app.app_context(), network_scope(cast.net.id):
        rows = db.session.execute(select(Headcount).order_by(Headcount.id)).scalars().all()
        assert [r.adults for r in rows] == [5, 6]
        assert rows[0].children == 5 and rows[0].first_time_families == 1
    text_columns = [
        c.name
        for c in Headcount.__table__.columns
        if not isinstance(c.type.python_type(), int) and c.name != "created_at"
    ]
    assert text_columns == []
    body = page(owner, url)
    history = re.search(r"<tbody>(.*?)</tbody>", body, re.S).group(1)
    assert re.findall(r'</td><td class="text-end">(\d+)</td>', history)[:2] == ["6", "5"]
    assert "Fatima" not in body

    refused = owner.post(f"{cast.base}/sessions/{coming.id}/headcount?lang=en", data=numbers)
    assert refused.status_code == 422 and "once the session has started" in refused.get_data(
        as_text=True
    )
    assert owner.post(f"{url}/headcount", data={**numbers, "children_0_3": "-1"}).status_code == 422
    assert owner.post(f"{url}/headcount", data={**numbers, "adults": "veel"}).status_code == 422
    assert count(app, cast, Headcount) == 2


# --- calendars --------------------------------------------------------------------------------


def test_calendar_feeds_hold_the_published_sessions_in_brussels_time(app):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    offer_id = create(owner, cast)
    owner.post(
        f"{cast.base}/offers/{offer_id}/organisers",
        data={"partner_id": cast.partners["host"].id, "role": "host"},
    )
    first = sessions_of(app, cast, offer_id)[0]
    owner.post(f"{cast.base}/sessions/{first.id}/cancel", data={"reason": "Ziek"})
    create(owner, cast, title="Kladversie", publish=False)
    quick_offer(app, cast, "Verborgen salon", hidden=True)
    elsewhere = cast_of(app, "sint-truiden")
    quick_offer(app, elsewhere, OTHER_NETWORK_TITLE)

    anonymous = app.test_client()
    for url in [
        "/beringen/agenda.ics",
        f"/beringen/activity/{offer_id}.ics",
        f"/beringen/partners/{cast.partners['owner'].id}/agenda.ics",
        f"/beringen/partners/{cast.partners['host'].id}/agenda.ics",
    ]:
        raw = anonymous.get(url).data
        cal = feed(anonymous, url)
        events = cal.walk("VEVENT")
        assert summaries(cal) == [TITLE] * 8, url
        assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Brussels"]
        assert all(e["DTSTART"].params["TZID"] == "Europe/Brussels" for e in events)
        assert raw.count(b"DTSTART;TZID=Europe/Brussels:") == 8
        assert [str(e["STATUS"]) for e in events] == ["CANCELLED"] + ["CONFIRMED"] * 7
        assert str(events[0]["UID"]) == f"session-{first.id}@beringen.dorp"
        assert events[1].decoded("DTSTART").hour == 9 and events[1].decoded("DTSTART").minute == 30
    assert (
        summaries(feed(anonymous, f"/beringen/partners/{cast.partners['other'].id}/agenda.ics"))
        == []
    )
    assert summaries(feed(anonymous, "/sint-truiden/agenda.ics")) == [OTHER_NETWORK_TITLE] * 5
    french = feed(anonymous, "/beringen/agenda.ics?lang=fr")
    assert summaries(french) == [TITLE_FR] * 8


# --- the families' pages --------------------------------------------------------------------


def test_families_pages_need_no_login_set_no_cookie_and_speak_their_language(app):
    cast = cast_of(app)
    offer_id = create(as_(app, cast.people["owner"]), cast)
    anonymous = app.test_client()
    pages = ["/beringen/", f"/beringen/activity/{offer_id}", "/beringen/flyer"]
    for url in pages:
        public(anonymous, url)

    arabic = public(anonymous, "/beringen/?lang=ar")
    assert '<html lang="ar" dir="rtl">' in arabic
    assert TITLE in arabic and '<article class="dorp-session" lang="nl">' in arabic
    for code in ("fr", "tr", "en"):
        assert f'<html lang="{code}" dir="ltr">' in public(anonymous, f"/beringen/?lang={code}")
    french = public(anonymous, f"/beringen/activity/{offer_id}?lang=fr")
    assert TITLE_FR in french and "Bricoler et chanter ensemble" in french and TITLE not in french
    turkish = public(anonymous, f"/beringen/activity/{offer_id}?lang=tr")
    assert TITLE in turkish and TITLE_FR not in turkish

    chosen = anonymous.get("/language/fr?next=/beringen/")
    assert chosen.status_code == 302
    cookies = chosen.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("dorp_lang=fr;")
    remembered = public(anonymous, "/beringen/")
    assert '<html lang="fr"' in remembered and TITLE_FR in remembered

    staff = as_(app, cast.people["owner"])
    staff.get("/language/fr?next=/beringen/")
    for query in ("", "?lang=fr", "?lang=ar", "?lang=tr"):
        assert '<html lang="nl" dir="ltr">' in page(staff, f"{cast.base}/{query}"), query
    assert '<html lang="en" dir="ltr">' in page(staff, f"{cast.base}/?lang=en")
    assert '<html lang="fr"' in page(staff, "/beringen/")  # the public page is still public


def test_families_pages_show_only_this_networks_published_offers(app):
    cast = cast_of(app)
    elsewhere = cast_of(app, "sint-truiden")
    quick_offer(app, elsewhere, OTHER_NETWORK_TITLE)
    offer_id = create(as_(app, cast.people["owner"]), cast)
    anonymous = app.test_client()
    week = (date.today() + timedelta(days=1)).isoformat()
    urls = [
        "/beringen/",
        "/beringen/?lang=fr",
        f"/beringen/activity/{offer_id}",
        f"/beringen/flyer?from={week}",
        f"/beringen/flyer?period=month&from={week}",
    ]
    for url in urls:
        assert OTHER_NETWORK_TITLE not in public(anonymous, url), url
    assert OTHER_NETWORK_TITLE in public(anonymous, "/sint-truiden/")
    assert TITLE not in public(anonymous, "/sint-truiden/")
    with app.app_context(), network_scope(elsewhere.net.id):
        theirs = db.session.execute(select(Offer.id)).scalar_one()
    public(anonymous, f"/beringen/activity/{theirs}", 404)
    assert anonymous.get(f"/beringen/activity/{theirs}.ics").status_code == 404
    staff = as_(app, cast.people["owner"])
    assert OTHER_NETWORK_TITLE not in page(staff, f"{cast.base}/")
    page(staff, f"{cast.base}/offers/{theirs}", 404)


def test_the_flyer_lists_a_week_or_a_month_for_a_place_or_a_partner(app):
    cast = cast_of(app)
    offer_id = create(as_(app, cast.people["owner"]), cast)
    first, _second, *_rest = sessions_of(app, cast, offer_id)
    day = to_local(first.starts_at).date()
    anonymous = app.test_client()
    p, places = cast.partners, cast.places

    def listed(query: str) -> int:
        return public(anonymous, f"/beringen/flyer?from={day.isoformat()}&{query}").count(
            f"<strong>{TITLE}</strong>"
        )

    month_sessions = sum(
        1 for s in sessions_of(app, cast, offer_id) if to_local(s.starts_at).month == day.month
    )
    assert listed("period=week") == 1
    assert listed("period=month") == month_sessions
    assert listed(f"location={places['kolonie'].id}") == 1
    assert listed(f"location={places['paal'].id}") == 0
    assert listed(f"partner={p['owner'].id}") == 1
    assert listed(f"partner={p['other'].id}") == 0
    assert "Moment des tout-petits" in public(anonymous, f"/beringen/flyer?from={day}&lang=fr")


@pytest.mark.parametrize(
    "query",
    [
        "period=year",
        "from=gisteren",
        "from=2027-02-30",
        "location=abc&partner=-1",
        "location=&partner=",
        "location=99999&partner=99999",
    ],
)
def test_the_flyer_takes_garbage_parameters_calmly(app, query):
    f.network(app, "beringen")
    public(app.test_client(), f"/beringen/flyer?{query}")


@pytest.mark.parametrize(
    "query",
    [
        "location=99999999999999999999",
        "partner=99999999999999999999",
        "location=²",
        "from=9999-12-31",
        "period=month&from=9999-12-31",
        "from=0001-01-01",
    ],
)
def test_the_flyer_survives_out_of_range_parameters(app, query):
    f.network(app, "beringen")
    response = app.test_client().get(f"/beringen/flyer?{query}")
    assert response.status_code < 500, response.status_code


# --- places, closures and gaps -----------------------------------------------------------------


def test_a_closure_takes_future_sessions_off_and_a_place_in_use_stays(app):
    cast = cast_of(app)
    offer_id = create(as_(app, cast.people["owner"]), cast)
    steward = as_(app, cast.people["steward"])
    sessions = sessions_of(app, cast, offer_id)
    closed = to_local(sessions[2].starts_at).date()
    response = steward.post(
        f"{cast.base}/places",
        data={
            "closure-kind": "closure",
            "closure-label": "Teamdag",
            "closure-starts_on": (closed - timedelta(days=1)).isoformat(),
            "closure-ends_on": closed.isoformat(),
        },
    )
    assert response.status_code == 302
    left = [to_local(s.starts_at).date() for s in sessions_of(app, cast, offer_id)]
    assert closed not in left and len(left) == 7
    assert "Teamdag" in page(steward, f"{cast.base}/places")

    kolonie, paal = cast.places["kolonie"].id, cast.places["paal"].id
    assert steward.post(f"{cast.base}/places/{kolonie}/delete").status_code == 302
    assert load(app, cast, Location, kolonie) is not None
    assert steward.post(f"{cast.base}/places/{paal}/delete").status_code == 302
    assert load(app, cast, Location, paal) is None
    owner = as_(app, cast.people["owner"])
    assert owner.post(f"{cast.base}/places/{kolonie}/delete").status_code == 403


def test_the_gaps_table_shows_zero_for_every_line_and_age_without_an_offer(app):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    create(owner, cast, age_max="2")  # 0 to 2 years, action lines 1 and 2
    create(owner, cast, title="Kladversie", age_max="12", action_lines=["4"], publish=False)
    quick_offer(app, cast, "Verborgen", hidden=True)
    for who in ("steward", "municipality"):
        body = page(as_(app, cast.people[who]), f"{cast.base}/gaps")
        cells = re.findall(r"<td class=\"text-end[^\"]*\">(?:<strong>)?(\d+)", body)
        assert len(cells) == 20
        assert cells.count("0") == 18
        rows = re.findall(r"<tr><th scope=\"row\">.*?</tr>", body, re.S)
        assert [re.findall(r"(\d+)</", r)[:1] for r in rows][:2] == [["1"], ["1"]]
    page(owner, f"{cast.base}/gaps", 403)
