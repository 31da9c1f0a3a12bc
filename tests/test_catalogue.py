"""The shared activity catalogue through HTTP: offers, drafts, rights, sessions, headcounts,
calendars, the families' pages and flyers, places and closures, and the gaps table."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from saas.catalogue import queries, services
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
from saas.partners.models import Partner, Sector
from tenants.context import network_scope
from tenants.models import Role
from tests import catalogue_factories as cf
from tests import factories as f
from tests.confirm_support import confirmed
from tests.mail import messages

TITLE, TITLE_FR = "Peuterspeelmoment", "Moment des tout-petits"
BIKES = "Op twee wielen"
ELSEWHERE = "Zwemmen Sint-Truiden"
CAT = "/beringen/catalogue"  # the staff pages of the network under test
COUNTED = ["adults", "children_0_3", "children_3_6", "children_6_12", "children_12_plus"]
NUMBERS = dict(
    zip(
        [*COUNTED, "first_time_families", "kindergarten_on_time"],
        ["5", "3", "2", "0", "0", "1", "1"],
        strict=True,
    )
)


@dataclass
class Cast:
    net: f.Ref
    partners: dict[str, f.Ref] = field(default_factory=dict)
    people: dict[str, f.Ref] = field(default_factory=dict)
    places: dict[str, f.Ref] = field(default_factory=dict)
    types: dict[str, int] = field(default_factory=dict)


def cast_of(app, slug="beringen") -> Cast:
    """A network with an owner partner, a co-organiser, a host, a speaker, an unrelated partner
    and a social-economy employer, two places, and a person for each role."""
    cast = Cast(net=f.network(app, slug))
    for key, name, sector in [
        ("owner", "Kind en Gezin", Sector.WELFARE),
        ("co", "Basisschool De Klimop", Sector.EDUCATION),
        ("host", "Bibliotheek Beringen", Sector.LEISURE),
        ("speaker", "CAW Limburg", Sector.WELFARE),
        ("other", "Sportdienst", Sector.LEISURE),
        ("se", "Maatwerkbedrijf Kompas", Sector.SOCIAL_ECONOMY),
    ]:
        partner = cast.partners[key] = f.partner(app, cast.net, name, sector)
        if key != "se":
            grant = (cast.net, Role.PARTNER_ADMIN, partner)
            cast.people[key] = f.user(app, f"{key}@{slug}.example", grant)
    roles = {"steward": Role.STEWARD, "coordinator": Role.SE_COORDINATOR}
    for key, role in (roles | {"municipality": Role.MUNICIPALITY_VIEWER}).items():
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
    """The offer form as a browser sends it: weekly from `start` (tomorrow) for `weeks` more."""
    start = start or date.today() + timedelta(days=1)
    what = {"title": TITLE, "description": "Samen knutselen en zingen", "themes": "Knutselen, Taal"}
    french = {"title_fr": TITLE_FR, "description_fr": "Bricoler et chanter ensemble"}
    ages = {"age_min": "0", "age_min_unit": "years", "age_max": "6", "age_max_unit": "years"}
    when = {"start_date": start.isoformat(), "start_time": "09:30", "end_time": "11:00"}
    repeat = {"frequency": "weekly", "weekdays": [WEEKDAYS[start.weekday()]]}
    until = (start + timedelta(weeks=weeks)).isoformat()
    ids = {"partner_id": cast.partners["owner"].id, "location_id": cast.places["kolonie"].id}
    ids |= {"type_id": cast.types["voorschools_klasje"], "speaker_partner_id": "0"}
    what |= {"action_lines": ["1", "2"], "languages": ["nl", "tr"], "capacity": "12"}
    # public holidays are not skipped (the box is left empty): the dates stay predictable
    rest = {"cost_kind": "free", "skip_closures": "y", "publish": "1" if publish else "0"}
    empty = ["rrule", "cost_amount", "cost_note", "registration_note", "registration_url"]
    rest |= dict.fromkeys(empty, "")
    return ids | what | french | ages | when | repeat | rest | {"until": until} | changes


def create(client, cast: Cast, *, salon=False, **changes) -> int:
    url = f"{CAT}/offers/new" + ("?salon=1" if salon else "")
    response = client.post(url, data=offer_form(cast, **changes))
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    return int(response.headers["Location"].rsplit("/", 1)[-1])


# two sessions already held (13 and 6 days ago), then five to come
PAST_AND_FUTURE = {"start": date.today() - timedelta(days=13), "weeks": 6}


def sessions_of(app, cast: Cast, offer_id: int) -> list[ActivitySession]:
    found = [s for s in rows(app, cast, ActivitySession) if s.offer_id == offer_id]
    return sorted(found, key=lambda s: s.starts_at)


def rows(app, cast: Cast, model) -> list:
    with app.app_context(), network_scope(cast.net.id):
        result = list(db.session.execute(select(model).order_by(model.id)).scalars())
        db.session.expunge_all()
        return result


def count(app, cast: Cast, model) -> int:
    return len(rows(app, cast, model))


def load(app, cast: Cast, model, row_id: int):
    return next((row for row in rows(app, cast, model) if row.id == row_id), None)


def post(client, url: str, data: dict | None = None, *, confirm: bool = False) -> int:
    """The status of posting `data`; with `confirm`, of confirming on the page it leads to."""
    if confirm:
        return confirmed(client, url, data).status_code
    return client.post(url, data=data or {}).status_code


def page(client, url: str, status=200, *, cookie_free=False) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    assert not (cookie_free and "Set-Cookie" in response.headers), url
    return response.get_data(as_text=True)


def public(client, url: str, status=200) -> str:
    """A families' page: no login, and never a cookie."""
    return page(client, url, status, cookie_free=True)


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
    """An offer of the first partner made in the database: weekly from tomorrow, five dates."""
    start = date.today() + timedelta(days=1)
    rule = f"FREQ=WEEKLY;UNTIL={start + timedelta(weeks=4):%Y%m%d}"
    where = {"location": cast.places["kolonie"], "start": start, "rrule": rule}
    where["skip_public_holidays"] = False
    owner = cast.partners["owner"]
    ref = cf.offer(app, cast.net, owner, title=title, published=published, **where)
    if hidden:
        with app.test_request_context(), network_scope(cast.net.id):
            services.hide(db.session.get(Offer, ref.id), "Dubbel ingevoerd")
            db.session.commit()
    return ref.id


def not_public(app, cast: Cast, offer_id: int) -> None:
    anonymous = app.test_client()
    flyer = f"/beringen/flyer?from={date.today() + timedelta(days=1)}"
    for url in ["/beringen/", flyer, f"{flyer}&period=month"]:
        assert TITLE not in public(anonymous, url), url
    public(anonymous, f"/beringen/activity/{offer_id}", 404)
    assert anonymous.get(f"/beringen/activity/{offer_id}.ics").status_code == 404
    assert TITLE not in summaries(feed(anonymous, "/beringen/agenda.ics"))
    mine = f"/beringen/partners/{cast.partners['owner'].id}/agenda.ics"
    assert summaries(feed(anonymous, mine)) == []


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
    assert offer.translations["fr"]["title"] == TITLE_FR and list(offer.translations) == ["fr"]
    sessions = sessions_of(app, cast, offer_id)
    days = [to_local(s.starts_at).date() for s in sessions]
    assert days == [start + timedelta(weeks=n) for n in range(8)]
    assert {to_local(s.starts_at).time() for s in sessions} == {time(9, 30)}
    assert {to_local(s.ends_at).time() for s in sessions} == {time(11, 0)}
    assert TITLE in page(owner, f"{CAT}/offers/{offer_id}")

    # another partner's offer, different in every way; and one that starts in three weeks
    other = as_(app, cast.people["other"])
    later = start + timedelta(days=1)
    theirs = {"partner_id": cast.partners["other"].id, "location_id": cast.places["paal"].id}
    bikes = {"title": BIKES, "description": "Leren fietsen op het plein", "themes": "Verkeer"}
    bikes |= {"age_min": "8", "age_max": "12", "languages": ["nl", "ar"], "action_lines": ["4"]}
    bikes |= {"cost_kind": "amount", "cost_amount": "2.50", "start_time": "14:00"}
    bikes |= {"type_id": cast.types["fietsles"], "end_time": "15:30", "start": later}
    create(other, cast, weekdays=[WEEKDAYS[later.weekday()]], **theirs, **bikes)
    create(other, cast, title="Zomerkamp", start=start + timedelta(days=22), **theirs)

    listed = page(owner, f"{CAT}/")
    assert TITLE in listed and BIKES in listed and "Zomerkamp" in listed
    p, t = cast.partners, cast.types
    filters = {  # each filter: a value that finds only the toddlers, one only the bikes
        "age": (3, 10),
        "day": (start.weekday(), later.weekday()),
        "neighbourhood": ("Beringen-Mijn", "Paal"),
        "language": ("tr", "ar"),
        "line": (2, 4),
        "type": (t["voorschools_klasje"], t["fietsles"]),
        "partner": (p["owner"].id, p["other"].id),
        "q": ("KNUTSEL", "fietsen"),
    }
    cases = [("free=1", True, False), ("q=taal", True, False)]  # free only; a theme
    cases.append(("age=abc&day=9&line=3&type=x&partner=-1", True, True))  # unreadable: unused
    for name, (for_toddlers, for_bikes) in filters.items():
        cases += [(f"{name}={for_toddlers}", True, False), (f"{name}={for_bikes}", False, True)]
    for query, shows_toddlers, shows_bikes in cases:
        body = page(owner, f"{CAT}/?{query}")
        assert (TITLE in body, BIKES in body) == (shows_toddlers, shows_bikes), query

    # families see this week and next, with their own filters; not what starts later
    anonymous = app.test_client()
    home = public(anonymous, "/beringen/")
    assert TITLE in home and BIKES in home and "Zomerkamp" not in home and "€ 2,50" in home
    paal = public(anonymous, "/beringen/?neighbourhood=Paal")
    assert TITLE not in paal and BIKES in paal
    toddlers = public(anonymous, f"/beringen/?age=2&day={start.weekday()}")
    assert TITLE in toddlers and BIKES not in toddlers
    morning, afternoon = (
        public(anonymous, f"/beringen/?time={t}") for t in ("morning", "afternoon")
    )
    assert TITLE in morning and BIKES not in morning
    assert TITLE not in afternoon and BIKES in afternoon
    assert TITLE not in public(anonymous, "/beringen/?time=evening")
    assert TITLE in public(anonymous, f"/beringen/activity/{offer_id}")


BAD_INPUT = [
    ({"until": ""}, "end date"),  # weekly, never ends
    ({"until": (date.today() - timedelta(days=30)).isoformat()}, "no dates"),
    ({"end_time": "09:00"}, "end time must be after"),
    ({"age_min": "6", "age_max": "2"}, "lowest age"),
    ({"location_id": "999999"}, "Not a valid choice"),
    ({"location_id": "kolonie"}, "Invalid Choice"),
    ({"type_id": "999999"}, "Not a valid choice"),
    ({"title": "   "}, "This field is required"),
    ({"title": "x" * 201}, "Field cannot be longer than 200"),
    ({"start_date": "morgen"}, "Not a valid date"),
    ({"start_time": "25:99"}, "Not a valid time"),
    ({"age_min": "veel"}, "Not a valid integer"),
    ({"age_max": "500"}, "Number must be between"),
    ({"action_lines": ["99"]}, "not a valid choice"),
    ({"languages": ["klingon"]}, "not a valid choice"),
    ({"frequency": "daily"}, "Not a valid choice"),
    ({"cost_kind": "gratis"}, "Not a valid choice"),
    ({"cost_kind": "amount"}, "Please give the price"),
    ({"cost_kind": "amount", "cost_amount": "veel"}, "Not a valid decimal"),
    ({"capacity": "-3"}, "Number must be between"),
    ({"registration_url": "javascript:alert(1)"}, "Invalid URL"),
    ({"rrule": "FREQ=YEARLY;COUNT=3"}, "daily, weekly or monthly"),
    ({"rrule": "FREQ=DAILY;UNTIL=20350101"}, "three years"),
]


def test_bad_offer_input_is_answered_with_a_message_and_saves_nothing(app):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    for changes, message in BAD_INPUT:
        response = owner.post(f"{CAT}/offers/new?lang=en", data=offer_form(cast, **changes))
        assert response.status_code == 422, (changes, response.status_code)
        assert message in response.get_data(as_text=True), (changes, message)
    speaker_is_owner = offer_form(
        cast,
        speaker_partner_id=cast.partners["owner"].id,
        type_id=cast.types["oudersalon_thematisch"],
    )
    response = owner.post(f"{CAT}/offers/new?salon=1&lang=en", data=speaker_is_owner)
    assert response.status_code == 422
    assert "already part of this activity" in response.get_data(as_text=True)
    assert [count(app, cast, model) for model in (Offer, ActivitySession, OfferPartner)] == [0] * 3


def test_an_offer_posted_without_the_advanced_rule_field_is_saved(app):
    cast = cast_of(app)
    data = offer_form(cast)
    del data["rrule"]  # a script, or a form without the "Advanced" part
    response = as_(app, cast.people["owner"]).post(f"{CAT}/offers/new", data=data)
    assert response.status_code == 302


def test_a_repeated_action_line_counts_once(app):
    cast = cast_of(app)
    offer_id = create(as_(app, cast.people["owner"]), cast, action_lines=["2", "2"])
    assert load(app, cast, Offer, offer_id).action_lines == 2  # not 4, social integration


def test_a_draft_is_seen_by_its_owner_only_until_published(app):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    offer_id = create(owner, cast, publish=False)
    assert load(app, cast, Offer, offer_id).published_at is None
    assert len(sessions_of(app, cast, offer_id)) == 8  # the schedule is ready for publishing

    assert TITLE in page(owner, f"{CAT}/offers/{offer_id}")
    assert TITLE in page(owner, f"{CAT}/mine")
    other = as_(app, cast.people["other"])
    page(other, f"{CAT}/offers/{offer_id}", 404)
    page(other, f"{CAT}/offers/{offer_id}/edit", 404)
    for who in (owner, other, as_(app, cast.people["steward"])):
        assert TITLE not in page(who, f"{CAT}/")
    not_public(app, cast, offer_id)

    assert post(owner, f"{CAT}/offers/{offer_id}/publish") == 302
    assert TITLE in page(other, f"{CAT}/")
    assert TITLE in public(app.test_client(), "/beringen/")


def test_each_co_organiser_role_may_do_its_own_part_only(app, run_jobs, environ):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    salon = {"type_id": cast.types["oudersalon_thematisch"], **PAST_AND_FUTURE}
    speaker_id = cast.partners["speaker"].id
    offer_id = create(owner, cast, salon=True, speaker_partner_id=speaker_id, **salon)
    base = f"{CAT}/offers/{offer_id}"
    urls = [f"{CAT}/sessions/{s.id}" for s in sessions_of(app, cast, offer_id)]
    held, coming = urls[0], urls[2]
    edit = offer_form(cast, title="Oudersalon: slapen", **salon)
    move = {"day": f"{date.today() + timedelta(days=3)}", "start_time": "13:00"}
    move |= {"end_time": "14:00", "location_id": cast.places["kolonie"].id}
    roles = {"co": "organiser", "host": "host", "other": "host"}
    add = {key: {"partner_id": cast.partners[key].id, "role": r} for key, r in roles.items()}
    clients = {key: as_(app, cast.people[key]) for key in ("co", "host", "other", "speaker")}
    clients["owner"] = owner
    checks = [  # (who, url, POST data or None for GET, expected status)
        ("owner", f"{base}/organisers", add["co"], 302),
        ("owner", f"{base}/organisers", add["host"], 302),
        ("co", f"{base}/edit", None, 200),
        ("co", f"{base}/edit", edit, 302),
        ("co", f"{coming}/cancel", {"reason": "Staking"}, 302),
        ("co", f"{coming}/move", move, 422),  # a cancelled session does not move
        ("co", f"{coming}/cancel", {"action": "restore"}, 302),
        ("co", f"{coming}/move", move, 302),
        ("co", f"{held}/headcount", NUMBERS, 302),
        ("co", f"{base}/publish", {"action": "unpublish"}, 403),
        ("co", f"{base}/publish", {}, 403),
        ("co", f"{base}/organisers", add["other"], 403),
        ("host", f"{held}/headcount", NUMBERS, 302),
        ("host", f"{base}/edit", edit, 403),
        ("host", f"{coming}/cancel", {}, 403),
        ("other", base, None, 200),
        ("other", f"{base}/edit", None, 403),
        ("other", f"{base}/edit", edit, 403),
        ("other", f"{coming}/move", move, 403),
        ("other", f"{held}/headcount", NUMBERS, 403),
        ("other", f"{base}/answer", {"answer": "confirm"}, 403),
        ("other", f"{base}/hide", {"reason": "Niet van ons"}, 403),
        ("speaker", f"{base}/edit", None, 403),
        ("speaker", f"{held}/headcount", NUMBERS, 403),
        ("speaker", f"{base}/answer", {"answer": "confirm"}, 302),
        ("owner", f"{base}/edit", None, 200),  # the owner may do it all
        ("owner", f"{base}/publish", {"action": "unpublish"}, 302),
        ("owner", f"{base}/publish", {}, 302),
        ("owner", f"{base}/organisers", add["other"], 302),
    ]
    for who, url, data, expected in checks:
        client = clients[who]
        cancel = url.endswith("/cancel") and "reason" in (data or {})
        status = (
            client.get(url).status_code if data is None else post(client, url, data, confirm=cancel)
        )
        assert status == expected, (who, url, data)
    offer = load(app, cast, Offer, offer_id)
    assert offer.title == "Oudersalon: slapen" and offer.published_at is not None
    assert count(app, cast, Headcount) == 2 and count(app, cast, OfferPartner) == 4
    link = next(r for r in rows(app, cast, OfferPartner) if r.partner_id == speaker_id)
    assert link.answer == Answer.CONFIRMED
    assert post(clients["speaker"], f"{base}/answer", {"answer": "decline"}) == 302
    assert load(app, cast, OfferPartner, link.id).answer == Answer.DECLINED
    run_jobs()
    subjects = [m["Subject"] for m in mail_to(environ, cast.people["owner"])]
    speaker_name = next(p for key, p in cast.partners.items() if key == "speaker")
    answers = [s for s in subjects if load(app, cast, Partner, speaker_name.id).name in s]
    assert len(answers) == 2 and all("Oudersalon: slapen" in s for s in answers)
    # the owner also hears what the co-organiser changed, cancelled and moved
    assert len(subjects) == 5 and all("Oudersalon: slapen" in s for s in subjects)
    assert any(TITLE in m["Subject"] for m in mail_to(environ, cast.people["speaker"]))  # asked


def test_the_social_economy_coordinator_creates_salons_for_its_employer_only(app):
    cast = cast_of(app)
    coordinator = as_(app, cast.people["coordinator"])
    page(coordinator, f"{CAT}/offers/new?salon=1")
    salon = {"salon": True, "type_id": cast.types["babysalon"], "title": "Babysalon Kompas"}
    offer_id = create(coordinator, cast, partner_id=cast.partners["se"].id, **salon)
    assert load(app, cast, Offer, offer_id).partner_id == cast.partners["se"].id
    page(coordinator, f"{CAT}/offers/{offer_id}/edit")
    for partner in ("owner", "other"):
        data = offer_form(cast, partner_id=cast.partners[partner].id, type_id=salon["type_id"])
        assert post(coordinator, f"{CAT}/offers/new?salon=1", data) == 422
    assert count(app, cast, Offer) == 1


def test_steward_hides_an_offer_with_a_reason_and_shows_it_again(app):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    offer_id = create(owner, cast)
    base = f"{CAT}/offers/{offer_id}"
    assert post(owner, f"{base}/hide", {"reason": "Mijn eigen reden"}) == 403
    steward = as_(app, cast.people["steward"])
    assert post(steward, f"{base}/hide", {"reason": ""}) == 302
    assert load(app, cast, Offer, offer_id).hidden_at is None  # a reason is needed

    assert post(steward, f"{base}/hide", {"reason": "Foute leeftijd"}) == 302
    other = as_(app, cast.people["other"])
    assert TITLE not in page(other, f"{CAT}/")
    page(other, base, 404)
    assert "Foute leeftijd" in page(owner, base)  # the owner is told why
    not_public(app, cast, offer_id)
    flagged = page(steward, f"{CAT}/?lang=en")
    assert TITLE in flagged and "Hidden" in flagged

    assert post(steward, f"{base}/hide", {"action": "show"}) == 302
    assert load(app, cast, Offer, offer_id).hidden_at is None
    assert TITLE in page(other, f"{CAT}/")
    assert TITLE in public(app.test_client(), "/beringen/")
    assert TITLE in summaries(feed(app.test_client(), "/beringen/agenda.ics"))


def test_a_cancelled_session_shows_to_families_and_is_mailed_around(app, run_jobs, environ):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    offer_id = create(owner, cast)
    co = {"partner_id": cast.partners["co"].id, "role": "organiser"}
    assert post(owner, f"{CAT}/offers/{offer_id}/organisers", co) == 302
    follower = as_(app, cast.people["other"])
    assert post(follower, f"{CAT}/offers/{offer_id}/follow", {"follow": "1"}) == 302
    run_jobs()
    before = len(messages(environ))

    first = sessions_of(app, cast, offer_id)[0]
    reason = {"reason": "Ziekte van de begeleider"}
    assert post(owner, f"{CAT}/sessions/{first.id}/cancel", reason, confirm=True) == 302
    cancelled = load(app, cast, ActivitySession, first.id)
    assert cancelled.status == SessionStatus.CANCELLED and cancelled.note == reason["reason"]
    home = public(app.test_client(), "/beringen/")
    card = r'class="dorp-session is-cancelled"[^>]*>(?:(?!</article>).)*'  # one session's card
    assert re.search(card + TITLE, home, re.S)
    assert "<s>" in public(app.test_client(), f"/beringen/activity/{offer_id}")

    run_jobs()
    new = messages(environ)[before:]
    assert sorted(m["To"] for m in new) == sorted(cast.people[k].email for k in ("co", "other"))
    for m in new:
        assert TITLE in m["Subject"]
        assert reason["reason"] in m.get_body(preferencelist=("plain",)).get_content()


def test_a_session_moves_to_the_future_only(app):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    offer_id = create(owner, cast)
    first = sessions_of(app, cast, offer_id)[0]
    url = f"{CAT}/sessions/{first.id}/move?lang=en"
    move = {"start_time": "13:00", "end_time": "14:30", "location_id": cast.places["paal"].id}
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    refused = owner.post(url, data={**move, "day": yesterday})
    assert refused.status_code == 422 and "in the future" in refused.get_data(as_text=True)
    assert post(owner, url, {**move, "day": yesterday, "end_time": "12:00"}) == 422
    assert post(owner, url, {**move, "day": "gisteren"}) == 422
    assert load(app, cast, ActivitySession, first.id).starts_at == first.starts_at

    day = date.today() + timedelta(days=3)
    assert post(owner, url, {**move, "day": day.isoformat()}) == 302
    moved = load(app, cast, ActivitySession, first.id)
    assert moved.moved and moved.location_id == cast.places["paal"].id
    assert moved.starts_at == to_utc(datetime.combine(day, time(13, 0)))
    assert len(sessions_of(app, cast, offer_id)) == 8


def test_attendance_is_numbers_only_and_a_correction_keeps_the_history(app):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    offer_id = create(owner, cast, **PAST_AND_FUTURE)
    held, _held, coming, *_rest = sessions_of(app, cast, offer_id)
    url = f"{CAT}/sessions/{held.id}"

    form = re.search(r'<form[^>]*/headcount".*?</form>', page(owner, url), re.S).group(0)
    assert set(re.findall(r'name="([^"]+)"', form)) - {"csrf_token"} == set(NUMBERS)

    assert post(owner, f"{url}/headcount", {**NUMBERS, "name": "Fatima"}) == 302
    assert post(owner, f"{url}/headcount", {**NUMBERS, "adults": "6"}) == 302
    counted = rows(app, cast, Headcount)
    assert [r.adults for r in counted] == [5, 6]
    assert counted[0].children == 5 and counted[0].first_time_families == 1
    assert counted[0].kindergarten_on_time == 1  # the yardstick, a number like the rest
    bookkeeping = {"id", "network_id", "session_id", "recorded_by_id", "created_at"}
    assert {c.name for c in Headcount.__table__.columns} == bookkeeping | set(NUMBERS)
    body = page(owner, url)
    history = re.search(r"<tbody>(.*?)</tbody>", body, re.S).group(1)
    assert re.findall(r'<tr[^>]*><td>[^<]*</td><td class="text-end">(\d+)<', history) == ["6", "5"]
    assert "Fatima" not in body

    refused = owner.post(f"{CAT}/sessions/{coming.id}/headcount?lang=en", data=NUMBERS)
    assert refused.status_code == 422
    assert "once the session has started" in refused.get_data(as_text=True)
    assert post(owner, f"{url}/headcount", {**NUMBERS, "children_0_3": "-1"}) == 422
    assert post(owner, f"{url}/headcount", {**NUMBERS, "adults": "veel"}) == 422
    assert count(app, cast, Headcount) == 2


def test_calendar_feeds_hold_the_published_sessions_in_brussels_time(app):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    offer_id = create(owner, cast)
    host = {"partner_id": cast.partners["host"].id, "role": "host"}
    assert post(owner, f"{CAT}/offers/{offer_id}/organisers", host) == 302
    first = sessions_of(app, cast, offer_id)[0]
    assert post(owner, f"{CAT}/sessions/{first.id}/cancel", {"reason": "Ziek"}, confirm=True) == 302
    create(owner, cast, title="Kladversie", publish=False)
    quick_offer(app, cast, "Verborgen salon", hidden=True)
    quick_offer(app, cast_of(app, "sint-truiden"), ELSEWHERE)

    anonymous = app.test_client()
    partner_feed = "/beringen/partners/{}/agenda.ics".format
    feeds = ["/beringen/agenda.ics", f"/beringen/activity/{offer_id}.ics"]
    # the host's agenda has it too: a co-organiser
    feeds += [partner_feed(cast.partners[key].id) for key in ("owner", "host")]
    for url in feeds:
        cal = feed(anonymous, url)
        events = cal.walk("VEVENT")
        assert summaries(cal) == [TITLE] * 8, url
        assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Brussels"]
        assert all(e["DTSTART"].params["TZID"] == "Europe/Brussels" for e in events)
        assert cal.to_ical().count(b"DTSTART;TZID=Europe/Brussels:") == 8
        assert [str(e["STATUS"]) for e in events] == ["CANCELLED"] + ["CONFIRMED"] * 7
        assert str(events[0]["UID"]) == f"session-{first.id}@beringen.dorp"
        start = events[1].decoded("DTSTART")
        assert (start.hour, start.minute, str(start.tzinfo)) == (9, 30, "Europe/Brussels")
    assert summaries(feed(anonymous, partner_feed(cast.partners["other"].id))) == []
    assert summaries(feed(anonymous, "/sint-truiden/agenda.ics")) == [ELSEWHERE] * 5
    assert summaries(feed(anonymous, "/beringen/agenda.ics?lang=fr")) == [TITLE_FR] * 8


def test_families_pages_need_no_login_set_no_cookie_and_speak_their_language(app):
    cast = cast_of(app)
    offer_id = create(as_(app, cast.people["owner"]), cast)
    anonymous = app.test_client()
    for url in ["/beringen/", f"/beringen/activity/{offer_id}", "/beringen/flyer"]:
        public(anonymous, url)

    arabic = public(anonymous, "/beringen/?lang=ar")
    assert '<html lang="ar" dir="rtl">' in arabic
    assert f'lang="nl"><bdi>{TITLE}</bdi>' in arabic  # no Arabic title: the Dutch one, marked
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
        assert '<html lang="nl" dir="ltr">' in page(staff, f"{CAT}/{query}"), query
    assert '<html lang="en" dir="ltr">' in page(staff, f"{CAT}/?lang=en")
    assert '<html lang="fr"' in page(staff, "/beringen/")  # the families' page keeps French


def test_families_pages_show_only_this_networks_published_offers(app):
    cast = cast_of(app)
    elsewhere = cast_of(app, "sint-truiden")
    theirs = quick_offer(app, elsewhere, ELSEWHERE)
    offer_id = create(as_(app, cast.people["owner"]), cast)
    anonymous = app.test_client()
    flyer = f"/beringen/flyer?from={date.today() + timedelta(days=1)}"
    theirs_partner = f"{flyer}&partner={elsewhere.partners['owner'].id}"
    flyers = [flyer, f"{flyer}&period=month", theirs_partner]
    for url in ["/beringen/", "/beringen/?lang=fr", f"/beringen/activity/{offer_id}", *flyers]:
        assert ELSEWHERE not in public(anonymous, url), url
    theirs_home = public(anonymous, "/sint-truiden/")
    assert ELSEWHERE in theirs_home and TITLE not in theirs_home
    public(anonymous, f"/beringen/activity/{theirs}", 404)
    assert anonymous.get(f"/beringen/activity/{theirs}.ics").status_code == 404
    staff = as_(app, cast.people["owner"])
    assert ELSEWHERE not in page(staff, f"{CAT}/")
    page(staff, f"{CAT}/offers/{theirs}", 404)


def test_the_flyer_lists_a_week_or_a_month_for_a_place_or_a_partner(app):
    cast = cast_of(app)
    offer_id = create(as_(app, cast.people["owner"]), cast)
    sessions = sessions_of(app, cast, offer_id)
    day = to_local(sessions[0].starts_at).date()
    anonymous = app.test_client()

    def listed(query: str) -> int:
        """The sessions the flyer shows: a card a day in a week, one card with its dates in a
        month."""
        body = public(anonymous, f"/beringen/flyer?from={day.isoformat()}&{query}")
        if "period=month" not in query:
            return body.count(f">{TITLE}</h3>")
        cards = body.split(f">{TITLE}</h2>")
        assert len(cards) <= 2, "a month shows an activity once"
        return cards[1].split("</ul>")[0].count("<li") if len(cards) == 2 else 0

    in_month = [s for s in sessions if to_local(s.starts_at).month == day.month]
    assert listed("period=week") == 1
    assert listed("period=month") == len(in_month)
    assert listed(f"location={cast.places['kolonie'].id}") == 1
    assert listed(f"location={cast.places['paal'].id}") == 0
    assert listed(f"partner={cast.partners['owner'].id}") == 1
    assert listed(f"partner={cast.partners['other'].id}") == 0
    assert TITLE_FR in public(anonymous, f"/beringen/flyer?from={day}&lang=fr")


@pytest.mark.parametrize(
    "query",
    [
        "period=year",
        "from=gisteren",
        "from=2027-02-30",
        "location=abc&partner=-1",
        "location=&partner=",
        "location=99999&partner=99999",
        "location=99999999999999999999",
        "partner=99999999999999999999",
        "location=²",
        "from=9999-12-31",
        "period=month&from=9999-12-31",
        "from=0001-01-01",
    ],
)
def test_the_flyer_takes_garbage_parameters_calmly(app, query):
    f.network(app, "beringen")
    response = app.test_client().get(f"/beringen/flyer?{query}")
    assert response.status_code == 200, response.status_code
    assert "Set-Cookie" not in response.headers


def test_a_closure_takes_future_sessions_off_and_a_place_in_use_stays(app):
    cast = cast_of(app)
    offer_id = create(as_(app, cast.people["owner"]), cast)
    steward = as_(app, cast.people["steward"])
    closed = to_local(sessions_of(app, cast, offer_id)[2].starts_at).date()
    closure = {"closure-kind": "closure", "closure-label": "Teamdag"}
    day_before = closed - timedelta(days=1)
    closure |= {"closure-starts_on": f"{day_before}", "closure-ends_on": f"{closed}"}
    assert post(steward, f"{CAT}/places", closure) == 302
    left = [to_local(s.starts_at).date() for s in sessions_of(app, cast, offer_id)]
    assert closed not in left and len(left) == 7
    assert "Teamdag" in page(steward, f"{CAT}/places")
    backwards = {**closure, "closure-starts_on": (closed + timedelta(days=2)).isoformat()}
    assert post(steward, f"{CAT}/places", backwards) == 422

    kolonie, paal = cast.places["kolonie"].id, cast.places["paal"].id
    assert post(as_(app, cast.people["owner"]), f"{CAT}/places/{kolonie}/delete") == 403
    assert post(steward, f"{CAT}/places/{kolonie}/delete") == 302
    assert load(app, cast, Location, kolonie) is not None  # in use: refused
    assert post(steward, f"{CAT}/places/{paal}/delete", confirm=True) == 302
    assert load(app, cast, Location, paal) is None


def test_the_gaps_table_shows_zero_for_every_line_and_age_without_an_offer(app):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    create(owner, cast, age_max="2")  # 0 to 2 years: action lines 1 and 2, first age band
    create(owner, cast, title="Kladversie", age_max="12", action_lines=["4"], publish=False)
    quick_offer(app, cast, "Verborgen", hidden=True)
    for who in ("steward", "municipality"):
        body = page(as_(app, cast.people[who]), f"{CAT}/gaps")
        lines = re.findall(r'<tr><th scope="row">.*?</tr>', body, re.S)
        cells = [re.findall(r'<td class="text-end[^"]*">(?:<strong>)?(\d+)', tr) for tr in lines]
        assert cells == [["1", "0", "0", "0"], ["1", "0", "0", "0"]] + [["0"] * 4] * 3
        assert body.count("table-warning") == 18
    page(owner, f"{CAT}/gaps", 403)


def test_a_busy_fortnight_is_shown_page_by_page_in_time_order(app):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    offer_id = create(owner, cast, weeks=0)  # one session, tomorrow at 09:30
    first = sessions_of(app, cast, offer_id)[0]
    with app.app_context(), network_scope(cast.net.id):
        for n in range(1, queries.SESSIONS_PAGE_SIZE + 10):  # every two hours after it
            starts = first.starts_at + timedelta(hours=2 * n)
            db.session.add(
                ActivitySession(
                    offer_id=offer_id,
                    occurrence=f"extra-{n}",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=1),
                )
            )
        db.session.commit()
    anonymous = app.test_client()
    one, two = (public(anonymous, f"/beringen/?page={n}") for n in (1, 2))
    size = queries.SESSIONS_PAGE_SIZE
    assert one.count('class="dorp-session') == size and 'rel="next"' in one
    assert two.count('class="dorp-session') == 10 and 'rel="prev"' in two
    assert "?page=2" in one or "&amp;page=2" in one
    assert public(anonymous, "/beringen/?page=3").count('class="dorp-session') == 0


def test_a_time_of_day_is_local_time_on_both_sides_of_a_clock_change():
    # 29 March 2026: Belgium moves from UTC+1 to UTC+2. Mornings are 00:00-12:00 local.
    before, after = date(2026, 3, 28), date(2026, 3, 29)
    [condition] = queries._local_ranges(before, after + timedelta(days=1), None, "morning")
    bounds = [c.right.value for clause in condition.clauses for c in clause.clauses]
    assert bounds == [
        datetime(2026, 3, 27, 23, 0, tzinfo=UTC),
        datetime(2026, 3, 28, 11, 0, tzinfo=UTC),
        datetime(2026, 3, 28, 23, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 10, 0, tzinfo=UTC),
    ]
