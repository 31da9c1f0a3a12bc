"""Matching a referral's question to the network's offers: the vectorised scoring agrees with the
plain reference, the reasons read well, and the job and pages work for the two partners only."""

from __future__ import annotations

import json
import random
from datetime import date, time, timedelta
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from saas.catalogue import services as catalogue
from saas.catalogue.models import ActivitySession, CostKind, Location
from saas.catalogue.schedule import to_local
from saas.extensions import db
from saas.matching import services as matching
from saas.matching.scoring import vectorised
from saas.matching.scoring.features import (
    BAND_CODES,
    TIMES,
    WEEKDAYS,
    OfferFeatures,
    Question,
    weekdays_of,
)
from saas.matching.scoring.reasons import detail_codes, explain, explanation, stored_codes
from saas.matching.scoring.reference import GATED, score_reference, top_k_reference
from saas.matching.scoring.vectorised import encode_offers, encode_questions, top_k_vectorised
from saas.models_base import utcnow
from saas.partners.models import Partner, Sector
from saas.referrals.models import Referral, Status
from tenants.context import network_scope
from tenants.models import Role
from tests import catalogue_factories as cf
from tests import factories as f
from tests.confirm_support import confirmed

# --- the vectorised matcher agrees with the reference ---------------------------------------

THEMES = ["slapen", "peuter", "taal", "spel", "voeding", "opvoeding"]
LANGS = ["nl", "tr", "ar", "fr"]
PLACES = ["Beringen-Mijn", "Paal", "Koersel"]


def _some(values, most=3):
    return st.lists(st.sampled_from(values), max_size=most, unique=True)


questions_st = st.builds(
    Question.of,
    age_bands=_some(BAND_CODES, 2),
    themes=_some([*THEMES, "nergens"], 3),  # "nergens": a theme no offer has
    languages=_some([*LANGS, "so"], 2),
    neighbourhood=st.sampled_from([*PLACES, "", "Elders"]),
    days=_some(WEEKDAYS, 3),
    times=_some(TIMES, 2),
)


@st.composite
def offers_st(draw, most=150):
    count = draw(st.integers(0, most))
    offers = []
    for i in range(count):
        low = draw(st.sampled_from([0, 12, 36, 72, 144]))
        capacity = draw(st.sampled_from([None, None, 1, 4, 12]))
        offers.append(
            OfferFeatures.of(
                id=1000 + 3 * i,
                age_min_months=low,
                age_max_months=low + draw(st.sampled_from([0, 24, 36, 72, 200])),
                themes=draw(_some(THEMES, 3)),
                languages=draw(_some(LANGS, 2)),
                neighbourhood=draw(st.sampled_from([*PLACES, ""])),
                days=draw(_some(WEEKDAYS, 2)),
                start_hour=draw(st.integers(8, 20)),
                cost_kind=draw(st.sampled_from(["free", "reduced", "amount"])),
                capacity=capacity,
                sessions_soon=draw(st.integers(0, 3)),
                seats_left=draw(st.integers(0, 12)),
            )
        )
    return offers


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    questions=st.lists(questions_st, max_size=12),
    offers=offers_st(),
    k=st.integers(1, 12),
    chunk=st.integers(1, 8),
    block=st.sampled_from([2, 4, 64]),
)
def test_the_vectorised_matcher_agrees_with_the_reference(questions, offers, k, chunk, block):
    # small blocks make the top-k search use its bound on little data
    with mock.patch.object(vectorised, "BLOCK", block):
        matrix = encode_offers(offers)
        fast = top_k_vectorised(encode_questions(questions, matrix), matrix, k, chunk=chunk)
    assert fast.as_lists() == top_k_reference(questions, offers, k)


def test_agreement_on_a_larger_set_with_many_ties():
    rng = random.Random(7)
    offers = [
        OfferFeatures.of(
            id=i + 1,
            age_min_months=rng.choice([0, 36, 72]),
            age_max_months=rng.choice([72, 144, 216]),
            themes=rng.sample(THEMES[:3], rng.randint(0, 2)),
            languages=rng.sample(LANGS[:2], rng.randint(1, 2)),
            neighbourhood=rng.choice(PLACES),
            days=[rng.choice(WEEKDAYS[:2])],
            start_hour=rng.choice([9, 14]),
            cost_kind=rng.choice(["free", "amount"]),
        )
        for i in range(1500)
    ]
    questions = [
        Question.of(
            age_bands=rng.sample(BAND_CODES, rng.randint(0, 1)),
            themes=rng.sample(THEMES[:3], rng.randint(0, 2)),
            languages=rng.sample(LANGS[:2], rng.randint(0, 1)),
            neighbourhood=rng.choice([*PLACES, ""]),
            days=rng.sample(WEEKDAYS[:2], rng.randint(0, 1)),
            times=rng.sample(TIMES[:2], rng.randint(0, 1)),
        )
        for _ in range(60)
    ]
    matrix = encode_offers(offers)
    fast = top_k_vectorised(encode_questions(questions, matrix), matrix, 10, chunk=16)
    assert fast.as_lists() == top_k_reference(questions, offers, 10)
    assert all(len(row) == 10 for row in fast.as_lists())
    assert fast.ids.dtype == np.int64


def test_no_offers_or_no_questions():
    matrix = encode_offers([])
    q = [Question.of(age_bands=["0-3"])]
    assert top_k_vectorised(encode_questions(q, matrix), matrix).as_lists() == [[]]
    assert top_k_reference(q, []) == [[]]
    one = [OfferFeatures.of(id=5)]
    matrix = encode_offers(one)
    assert top_k_vectorised(encode_questions([], matrix), matrix).as_lists() == []


# --- the formula and its reasons -------------------------------------------------------------

FAMILY_Q = Question.of(
    age_bands=["0-3"],
    themes=["Slapen", "peuter"],
    languages=["nl", "tr"],
    neighbourhood=" beringen-mijn ",
    days=["MO", "TH"],
    times=["morning"],
)


def _toddler_group(**changes) -> OfferFeatures:
    data = {
        "id": 1,
        "age_min_months": 0,
        "age_max_months": 36,
        "themes": ["slapen", "spel"],
        "languages": ["nl", "tr"],
        "neighbourhood": "Beringen-Mijn",
        "days": ["MO"],
        "start_hour": 9,
        "cost_kind": "free",
        "capacity": None,
        "sessions_soon": 2,
    }
    return OfferFeatures.of(**{**data, **changes})


def test_age_is_a_gate_and_the_rest_adds_up():
    assert score_reference(FAMILY_Q, _toddler_group(age_min_months=72, age_max_months=144)) == (
        GATED
    )
    # the fit, in thousands: age 250·36/37 (0 to 36 months inclusive, for 0 to 3 years)
    # + themes 250·1/3; then language 150 + place 100 + day 60 + time 40 + free 50
    # + unlimited seats 60 + soon 40
    assert (
        score_reference(FAMILY_Q, _toddler_group())
        == (1000 * (243 + 83) + 150 + 100 + 60 + 40 + 50 + 60 + 40) / 1_000_000
    )
    full = _toddler_group(capacity=10, seats_left=0)
    half = _toddler_group(capacity=10, seats_left=5)
    assert score_reference(FAMILY_Q, full) < score_reference(FAMILY_Q, half)
    assert score_reference(FAMILY_Q, half) < score_reference(FAMILY_Q, _toddler_group())


def test_the_offers_days_come_from_its_rule_or_its_start():
    assert weekdays_of("FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20270628", None) == {"MO", "TH"}
    assert weekdays_of("FREQ=MONTHLY;BYDAY=1WE;UNTIL=20271231", None) == {"WE"}
    assert weekdays_of("", date(2027, 3, 5)) == {"FR"}
    assert weekdays_of("FREQ=DAILY;UNTIL=20270310", date(2027, 3, 1)) == set(WEEKDAYS)


def test_explain_gives_short_codes(app):
    codes = explain(FAMILY_Q, _toddler_group())
    assert codes == [
        "age",
        "theme:slapen",
        "language:tr",
        "language:nl",
        "neighbourhood",
        "free",
        "day:MO",
        "time:morning",
        "soon",
    ]
    assert stored_codes(codes) == [
        "age",
        "theme",
        "language",
        "neighbourhood",
        "free",
        "day",
        "time",
        "soon",
    ]
    # the stored kinds become the same details again from the question
    assert detail_codes(stored_codes(codes), FAMILY_Q, _toddler_group()) == codes
    partly = Question.of(age_bands=["0-3", "6-12"])
    assert explain(partly, _toddler_group()) == ["age_partly", "free", "soon"]
    assert explain(Question(), _toddler_group(capacity=8, seats_left=0, cost_kind="amount")) == [
        "full"
    ]


def test_the_explanation_is_one_translated_line(app):
    codes = explain(FAMILY_Q, _toddler_group())
    with app.test_request_context("/?lang=en"):
        line = explanation(codes)
        assert line == (
            "Right age · about slapen · speaks Turkish and Dutch · same neighbourhood · free"
            " · on Monday mornings · a session in the coming four weeks"
        )
        assert explanation(["day:TH"]) == "On Thursday"
        assert explanation(["time:evening", "seats"]) == "In the evening · places left"
        assert explanation(["language", "theme"]) == ""  # kinds without detail say nothing
    with app.test_request_context("/?lang=nl"):
        assert "maandag" in explanation(codes)


# --- the database side, the job and the pages -----------------------------------------------


@pytest.fixture
def town(app):
    net = f.network(app, "beringen")
    ocmw = f.partner(app, net, "OCMW Beringen")
    kg = f.partner(app, net, "Kind & Gezin", Sector.HEALTH)
    clb = f.partner(app, net, "CLB Beringen", Sector.EDUCATION)
    people = {
        "sender": f.user(app, "an@ocmw.example", (net, Role.PARTNER_ADMIN, ocmw)),
        "receiver": f.user(app, "cas@kg.example", (net, Role.PARTNER_ADMIN, kg)),
        "other_partner": f.user(app, "dirk@clb.example", (net, Role.PARTNER_ADMIN, clb)),
    }
    mijn = cf.place(app, net, "Buurthuis De Kolonie", "Beringen-Mijn")
    paal = cf.place(app, net, "Gemeenschapscentrum Paal", "Paal")
    type_id = cf.type_id(app, net)

    def offer(partner, title, *, location, ages, languages, cost=CostKind.FREE, capacity=None):
        with app.app_context(), network_scope(net.id):
            today = to_local(utcnow()).date()
            start = today - timedelta(days=today.weekday())  # this week's Monday
            data = catalogue.OfferData(
                title=title,
                type_id=type_id,
                location_id=location.id,
                start_date=start,
                start_time=time(9, 30),
                end_time=time(11, 0),
                rrule=f"FREQ=WEEKLY;BYDAY=MO;UNTIL={start + timedelta(days=120):%Y%m%d}",
                age_min_months=ages[0],
                age_max_months=ages[1],
                themes=["slapen", "spel"],
                languages=languages,
                cost_kind=cost,
                cost_cents=500 if cost == CostKind.AMOUNT else None,
                capacity=capacity,
            )
            o = catalogue.save_offer(None, data, partner=db.session.get(Partner, partner.id))
            catalogue.sync_sessions(o)
            catalogue.publish(o)
            db.session.commit()
            return f.Ref(id=o.id, name=title)

    offers = {
        "toddlers": offer(
            kg, "Peuterspeelhuis", location=mijn, ages=(0, 36), languages=["nl", "tr"]
        ),
        "school": offer(clb, "Huiswerkklas", location=paal, ages=(72, 144), languages=["nl"]),
        "paid": offer(
            kg, "Babymassage", location=paal, ages=(0, 24), languages=["nl"], cost=CostKind.AMOUNT
        ),
        "own": offer(ocmw, "Peuterpraat OCMW", location=mijn, ages=(0, 36), languages=["nl", "tr"]),
    }
    return {"net": net, "ocmw": ocmw, "kg": kg, "clb": clb, "people": people, "offers": offers}


FAMILY = {
    "family_label": "Mama van Amir, maandaggroep",
    "question": "Zoekt een plek om met haar peuter te spelen",
    "themes": "slapen, peuter",
    "age_bands": ["0-3"],
    "languages": ["nl", "tr"],
    "neighbourhood": "Beringen-Mijn",
    "preferred_days": ["MO"],
    "preferred_times": ["morning"],
    "contact_way": "sender",
    "consent": "y",
    "consent_given_by": "parent",
    "consent_purpose": "Gecontacteerd worden over een peutergroep",
}


def client_of(app, who):
    client = app.test_client()
    f.login(client, who)
    return client


def _referral(app, town) -> int:
    sender = client_of(app, town["people"]["sender"])
    response = sender.post(
        "/beringen/referrals/new?lang=en",
        data={"from_partner_id": town["ocmw"].id, "to_partner_id": town["kg"].id, **FAMILY},
    )
    assert response.status_code == 302
    with app.app_context(), network_scope(town["net"].id):
        return db.session.execute(select(Referral.id).order_by(Referral.id.desc())).scalar()


def test_the_sender_starts_matching_and_sees_the_best_offer_first(app, town, run_jobs):
    referral_id = _referral(app, town)
    sender = client_of(app, town["people"]["sender"])
    base = f"/beringen/referrals/{referral_id}"
    started = sender.post(base + "/match")
    assert started.status_code == 302
    assert started.headers["Location"].endswith(f"{base}?matching=1#matches")
    running = sender.get(base + "/matches?fragment=1&lang=en").get_data(as_text=True)
    assert 'data-state="running"' in running
    assert sender.get(base + "/matches?format=json").get_json()["state"] == "running"

    run_jobs()
    page = sender.get(base + "/matches?fragment=1&lang=en").get_data(as_text=True)
    assert 'data-state="done"' in page
    assert page.index("Peuterspeelhuis") < page.index("Babymassage")
    assert "Huiswerkklas" not in page  # for 6 to 12: not for a toddler
    assert "Peuterpraat OCMW" not in page  # the sender's own activity
    assert "Right age · about slapen · speaks Turkish" in page
    assert f"to={town['kg'].id}&amp;offer={town['offers']['toddlers'].id}" in page

    data = sender.get(base + "/matches?format=json&lang=en").get_json()
    assert data["state"] == "done"
    ids = [s["offer_id"] for s in data["suggestions"]]
    assert ids == [town["offers"]["toddlers"].id, town["offers"]["paid"].id]
    best = data["suggestions"][0]
    assert best["session_id"] is not None and best["partner"] == "Kind & Gezin"
    assert "same neighbourhood" in best["explanation"]
    assert "on Monday mornings" in best["explanation"]

    # the whole page, for a browser without JavaScript, and the receiver sees it too
    whole = sender.get(base + "/matches?lang=en").get_data(as_text=True)
    assert "<html" in whole and "Peuterspeelhuis" in whole
    receiver = client_of(app, town["people"]["receiver"])
    assert receiver.get(base + "/matches?format=json").get_json()["state"] == "done"


def test_redis_holds_ids_and_kinds_only_and_the_job_can_run_twice(app, town, run_jobs):
    from saas.connections import redis_connection
    from workers.matching_jobs import match_referral_job

    referral_id = _referral(app, town)
    net_id = town["net"].id
    with app.app_context():
        assert match_referral_job(net_id, referral_id) == 2
        raw = redis_connection().get(f"dorp:matching:{net_id}:{referral_id}").decode()
        first = json.loads(raw)["suggestions"]
        assert match_referral_job(net_id, referral_id) == 2  # idempotent
        again = json.loads(redis_connection().get(f"dorp:matching:{net_id}:{referral_id}"))
        assert again["suggestions"] == first
        ttl = redis_connection().ttl(f"dorp:matching:{net_id}:{referral_id}")
        assert 0 < ttl <= matching.RESULT_TTL
    for secret in ("Mama van Amir", "slapen", "Beringen-Mijn", '"tr"', "peuter"):
        assert secret not in raw
    assert set(first[0]) == {"offer_id", "session_id", "score", "codes"}


def test_job_arguments_are_ids_only(app, town):
    from rq import Queue

    from saas.connections import redis_connection
    from workers.decorators import JobArgumentError
    from workers.matching_jobs import match_referral_job
    from workers.queues import MATCHING

    referral_id = _referral(app, town)
    sender = client_of(app, town["people"]["sender"])
    assert sender.post(f"/beringen/referrals/{referral_id}/match").status_code == 302
    with app.app_context():
        jobs = Queue(MATCHING, connection=redis_connection()).get_jobs()
        assert [j.func_name for j in jobs] == ["workers.matching_jobs.match_referral_job"]
        assert jobs[0].args == (town["net"].id, referral_id)
        assert all(type(a) is int for a in jobs[0].args)
        assert not jobs[0].kwargs
        with app.test_request_context(), network_scope(town["net"].id):
            referral = db.session.get(Referral, referral_id)
            with pytest.raises(JobArgumentError):
                match_referral_job.enqueue(town["net"].id, referral)
            with pytest.raises(JobArgumentError):
                match_referral_job.enqueue(town["net"].id, "Mama van Amir")


def test_another_partner_gets_404_on_both_routes(app, town, run_jobs):
    referral_id = _referral(app, town)
    base = f"/beringen/referrals/{referral_id}"
    other = client_of(app, town["people"]["other_partner"])
    assert other.post(base + "/match").status_code == 404
    assert other.get(base + "/matches").status_code == 404
    assert other.get(base + "/matches?format=json").status_code == 404
    assert other.get(base + "/matches?fragment=1").status_code == 404
    run_jobs()  # nothing was queued for them
    with app.app_context():
        from saas.connections import redis_connection

        assert redis_connection().get(f"dorp:matching:{town['net'].id}:{referral_id}") is None


def test_a_full_session_is_skipped_for_the_next_one_with_room(app, town):
    with app.app_context(), network_scope(town["net"].id):
        toddlers = town["offers"]["toddlers"].id
        from saas.catalogue.models import Offer

        db.session.get(Offer, toddlers).capacity = 1
        sessions = db.session.execute(
            select(ActivitySession.id)
            .where(ActivitySession.offer_id == toddlers, ActivitySession.starts_at > utcnow())
            .order_by(ActivitySession.starts_at)
        ).scalars()
        first, second = list(sessions)[:2]
        db.session.add(
            Referral(
                from_partner_id=town["ocmw"].id,
                to_partner_id=town["kg"].id,
                offer_id=toddlers,
                session_id=first,
                status=Status.SENT,
            )
        )
        db.session.commit()
        features = {o.id: o for o in matching.offer_features()}
        assert features[toddlers].next_session_id == second
        assert features[toddlers].seats_left == 1 and features[toddlers].capacity == 1
        assert features[toddlers].sessions_soon >= 2
        assert features[town["offers"]["school"].id].capacity is None


def test_the_offers_are_read_in_a_fixed_number_of_queries(app, town):
    def statements_for_features() -> int:
        count = 0

        def counter(*_args):
            nonlocal count
            count += 1

        with app.app_context(), network_scope(town["net"].id):
            engine = db.engine
            event.listen(engine, "before_cursor_execute", counter)
            try:
                matching.offer_features()
            finally:
                event.remove(engine, "before_cursor_execute", counter)
        return count

    few = statements_for_features()
    with app.app_context(), network_scope(town["net"].id):
        place = db.session.execute(select(Location)).scalars().first()
        extra = [f.Ref(id=place.id)] * 6
    for i, loc in enumerate(extra):
        cf.offer(app, town["net"], town["clb"], title=f"Extra {i}", location=loc)
    assert statements_for_features() == few


def test_an_anonymised_referral_has_no_suggestions(app, town, run_jobs):
    referral_id = _referral(app, town)
    sender = client_of(app, town["people"]["sender"])
    base = f"/beringen/referrals/{referral_id}"
    sender.post(base + "/match")
    run_jobs()
    assert confirmed(sender, base + "/withdraw").status_code == 302
    assert sender.get(base + "/matches?format=json").get_json() == {
        "state": "none",
        "computed_at": None,
        "suggestions": [],
    }
    started = sender.post(base + "/match")
    assert started.status_code == 302


def test_the_section_for_the_referral_page_renders_without_inline_script(app, town, client):
    from flask import g, render_template_string

    from blueprints.auth.forms import ConfirmForm
    from tenants.models import Network

    referral_id = _referral(app, town)
    with app.test_request_context(f"/beringen/referrals/{referral_id}?matching=1&lang=en"):
        g.network = db.session.get(Network, town["net"].id)
        with network_scope(town["net"].id):
            referral = db.session.get(Referral, referral_id)
            html = render_template_string(
                '{% include "referrals/_match_section.html" %}',
                referral=referral,
                confirm=ConfirmForm(),
            )
    base = f"/beringen/referrals/{referral_id}"
    assert f'action="{base}/match"' in html
    assert f'data-src="{base}/matches?fragment=1"' in html
    assert f'<a href="{base}/matches">Refresh</a>' in html
    assert '<script src="/static/matching.js" defer></script>' in html
    assert "<script>" not in html
    script = client.get("/static/matching.js")
    assert script.status_code == 200 and "javascript" in script.content_type


def test_a_failing_job_tells_the_page_to_stop_waiting(app, town):
    from workers.matching_jobs import match_referral_job

    referral_id = _referral(app, town)
    with (
        app.app_context(),
        mock.patch.object(matching, "match_referral", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        match_referral_job(town["net"].id, referral_id)
    sender = client_of(app, town["people"]["sender"])
    page = sender.get(f"/beringen/referrals/{referral_id}/matches?fragment=1&lang=en")
    assert 'data-state="failed"' in page.get_data(as_text=True)
    assert "did not work" in page.get_data(as_text=True)


def test_the_pages_script_starts_matching_without_leaving_the_page(app, town, run_jobs):
    referral_id = _referral(app, town)
    sender = client_of(app, town["people"]["sender"])
    base = f"/beringen/referrals/{referral_id}"
    started = sender.post(base + "/match", headers={"X-Requested-With": "fetch"})
    assert started.status_code == 202 and started.get_json() == {"state": "running"}
    run_jobs()
    assert sender.get(base + "/matches?format=json").get_json()["state"] == "done"
    assert confirmed(sender, base + "/move", {"action": "cancel"}).status_code == 302
    refused = sender.post(base + "/match", headers={"X-Requested-With": "fetch"})
    assert refused.status_code == 409 and refused.get_json()["state"] == "none"


# --- the question's themes and the child's age come first (#19) ----------------------------


def test_an_infant_massage_question_ranks_the_baby_massage_before_the_mothers_bike_lesson():
    # a baby of a few months (the 0 to 3 band), a question about baby massage; the family's
    # language, neighbourhood, day and time all suit the bike lesson, and none suit the massage
    question = Question.of(
        age_bands=["0-3"],
        themes=["babymassage"],
        languages=["ar"],
        neighbourhood="Beverlo",
        days=["FR"],
        times=["afternoon"],
    )
    bike = OfferFeatures.of(
        id=1,
        age_min_months=0,
        age_max_months=143,  # the mothers bring children of any age
        themes=["fietsen", "mobiliteit", "zelfstandigheid"],
        languages=["nl", "ar"],
        neighbourhood="Beverlo",
        days=["FR"],
        start_hour=13,
        cost_kind="free",
        sessions_soon=2,
    )
    massage = OfferFeatures.of(
        id=2,
        age_min_months=0,
        age_max_months=12,
        themes=["babymassage", "hechting", "borstvoeding", "slapen"],
        languages=["nl"],
        neighbourhood="Paal",
        days=["TH"],
        start_hour=9,
        cost_kind="amount",
        capacity=10,
        sessions_soon=1,
        seats_left=0,  # even full in the coming weeks
    )
    offers = [bike, massage]
    assert [i for i, _s in top_k_reference([question], offers)[0]] == [2, 1]
    matrix = encode_offers(offers)
    fast = top_k_vectorised(encode_questions([question], matrix), matrix).as_lists()
    assert [i for i, _s in fast[0]] == [2, 1]

    # without any theme, the age still decides: the offer for babies fits a baby best
    ages_only = Question.of(age_bands=["0-3"], languages=["ar"], neighbourhood="Beverlo")
    assert [i for i, _s in top_k_reference([ages_only], offers)[0]] == [2, 1]


def test_the_themes_a_question_names_count_as_asked(app):
    vocabulary = ["babymassage", "hechting", "fietsen", "slapen"]
    named = matching.named_themes("Mama zoekt BABYMASSAGE, en hulp bij het slapen.", vocabulary)
    assert sorted(named) == ["babymassage", "slapen"]
    assert matching.named_themes("Zoekt een fietsenstalling", vocabulary) == []  # whole words
    referral = Referral(question="Zoekt babymassage voor haar baby", themes="", age_bands="0-3")
    assert matching.question_of(referral, vocabulary).themes == {"babymassage"}
    assert matching.question_of(referral).themes == frozenset()


def _link(app, town, offer_key: str, partner_key: str, answer: str = "confirmed") -> None:
    from saas.catalogue.models import OfferPartner

    with app.app_context(), network_scope(town["net"].id):
        db.session.add(
            OfferPartner(
                offer_id=town["offers"][offer_key].id,
                partner_id=town[partner_key].id,
                role="organiser",
                answer=answer,
            )
        )
        db.session.commit()


def test_the_senders_co_organised_activities_are_proposed_for_the_co_organiser(app, town, run_jobs):
    _link(app, town, "own", "kg")  # OCMW's toddler talk, co-organised by Kind & Gezin
    referral_id = _referral(app, town)
    sender = client_of(app, town["people"]["sender"])
    base = f"/beringen/referrals/{referral_id}"
    sender.post(base + "/match")
    run_jobs()
    data = sender.get(base + "/matches?format=json&lang=en").get_json()
    by_offer = {s["offer_id"]: s for s in data["suggestions"]}
    own = by_offer[town["offers"]["own"].id]
    assert own["partner_id"] == town["kg"].id and own["partner"] == "Kind & Gezin"
    page = sender.get(base + "/matches?fragment=1&lang=en").get_data(as_text=True)
    assert f"to={town['kg'].id}&amp;offer={town['offers']['own'].id}" in page


def test_an_activity_the_co_organiser_declined_is_still_not_proposed(app, town, run_jobs):
    _link(app, town, "own", "kg", answer="declined")
    referral_id = _referral(app, town)
    sender = client_of(app, town["people"]["sender"])
    sender.post(f"/beringen/referrals/{referral_id}/match")
    run_jobs()
    data = sender.get(f"/beringen/referrals/{referral_id}/matches?format=json").get_json()
    assert town["offers"]["own"].id not in [s["offer_id"] for s in data["suggestions"]]
