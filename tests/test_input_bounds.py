"""Extreme dates and numbers (issue #18, finding 6): every date the web, the API and the open data
take lies in saas.bounds' window (2000-01-01 to 2099-12-31), every id fits an INTEGER column, and
anything outside is refused with a message, never a 500, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from saas.bounds import OutOfBounds, check_date
from saas.catalogue import services
from saas.catalogue.models import ActivitySession, Closure, Offer
from saas.extensions import db
from saas.workforce.errors import WorkforceError
from saas.workforce.models import Assignment, FixedContact, Roster, WorkerProfile
from saas.workforce.rosters import create_roster
from tenants.models import Role
from tests import factories as f
from tests.api_support import ALL_READ, bearer, token_for
from tests.test_catalogue import CAT, as_, cast_of, offer_form
from tests.world import build_network

TOO_EARLY = ["0001-01-01", "1999-12-31"]
TOO_LATE = ["2100-01-01", "9999-12-31"]
OUTSIDE = TOO_EARLY + TOO_LATE
WINDOW = ("2000-01-01", "2099-12-31")
HUGE_IDS = [str(2**31), str(2**63), "99999999999999999999"]


def count(ctx, network_id: int, model) -> int:
    with ctx(network_id):
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


# --- the rule itself -----------------------------------------------------------------------------


def test_check_date_refuses_the_ends_of_the_calendar_and_keeps_the_window(app):
    with app.test_request_context():
        for day in (date(1, 1, 1), date(1999, 12, 31), date(2100, 1, 1), date(9999, 12, 31)):
            with pytest.raises(OutOfBounds, match="2000"):
                check_date(day)
        for day in (date(2000, 1, 1), date(2099, 12, 31), None):
            check_date(day)


# --- the API -------------------------------------------------------------------------------------


@pytest.fixture
def api(app):
    cast = build_network(app, "beringen")
    secret, _id = token_for(app, cast, ALL_READ)
    return app.test_client(), bearer(secret)


@pytest.mark.parametrize("name", ["from", "to"])
@pytest.mark.parametrize("day", OUTSIDE)
def test_api_refuses_a_session_date_outside_the_window_and_says_which(api, name, day):
    client, headers = api
    response = client.get(f"/api/v1/beringen/sessions?{name}={day}", headers=headers)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request"
    assert all(end in error["details"][name][0] for end in WINDOW)


def test_api_answers_sessions_at_both_ends_of_the_window(api):
    client, headers = api
    first = client.get("/api/v1/beringen/sessions?from=2000-01-01", headers=headers)
    last = client.get("/api/v1/beringen/sessions?from=2099-12-31", headers=headers)
    assert (first.status_code, last.status_code) == (200, 200)


def test_api_refuses_an_offer_id_beyond_an_integer(api):
    client, headers = api
    for value in HUGE_IDS:
        response = client.get(f"/api/v1/beringen/sessions?offer={value}", headers=headers)
        assert response.status_code == 400, value


def test_the_openapi_document_tells_the_date_window(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    params = {p["name"]: p for p in spec["paths"]["/api/v1/{slug}/sessions"]["get"]["parameters"]}
    for name in ("from", "to"):
        assert all(end in params[name]["description"] for end in WINDOW), params[name]
    assert params["offer"]["schema"]["maximum"] == 2**31 - 1


# --- the open data -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment",
    [
        "0001-01-01T00:00:00+14:00",  # converting to UTC falls off the start of the calendar
        "9999-12-31T23:59:59-14:00",  # ... and off its end
        "0001-01-01",
        "9999-12-31",
        "1999-12-31T23:59:59Z",
    ],
)
def test_open_data_refuses_modified_after_outside_the_window(app, client, moment):
    build_network(app, "beringen")
    response = client.get("/beringen/hsds/services", query_string={"modified_after": moment})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_open_data_takes_modified_after_inside_the_window(app, client):
    build_network(app, "beringen")
    for moment in ("2000-01-01T00:00:00+14:00", "2099-12-31T23:59:59-14:00", "2020-01-01"):
        response = client.get("/beringen/hsds/services", query_string={"modified_after": moment})
        assert response.status_code == 200, moment


# --- the team's pages ----------------------------------------------------------------------------


@pytest.fixture
def team(app):
    return build_network(app, "beringen")


@pytest.mark.parametrize("day", [*OUTSIDE, "morgen"])
def test_my_week_out_of_the_window_shows_this_week_with_a_message(app, team, day):
    client = app.test_client()
    f.login(client, team.people[Role.SE_WORKER])
    response = client.get(f"/beringen/team/my-week?lang=en&week={day}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    if day == "morgen":  # not a date at all: how to write a week
        assert "This is not a week Dorp knows: write it as 2026-W49" in page
    else:
        assert "Choose a date between" in page
    this_monday = date.today() - timedelta(days=date.today().weekday())
    assert this_monday.strftime("%Y") in page


def test_my_week_at_the_end_of_the_window_is_shown(app, team):
    client = app.test_client()
    f.login(client, team.people[Role.SE_WORKER])
    response = client.get("/beringen/team/my-week?lang=en&week=2099-12-31")
    assert response.status_code == 200
    assert "Choose a date between" not in response.get_data(as_text=True)


@pytest.mark.parametrize("day", OUTSIDE)
def test_coordinator_cannot_start_a_roster_outside_the_window(app, team, ctx, day):
    before = count(ctx, team.network.id, Roster)
    client = app.test_client()
    f.login(client, team.people[Role.SE_COORDINATOR])
    response = client.post(
        "/beringen/team/rosters?lang=en", data={"starts_on": day, "ends_on": day}
    )
    assert response.status_code == 422
    assert "Choose a date between" in response.get_data(as_text=True)
    assert count(ctx, team.network.id, Roster) == before


@pytest.mark.parametrize("day", [date(9999, 12, 31), date(2099, 12, 31), date(1, 1, 1)])
def test_the_roster_service_refuses_a_period_outside_the_window(app, team, day):
    # 2099-12-31 is in the window, but its weeks run past it
    from tenants.context import network_scope

    with app.test_request_context(), network_scope(team.network.id):
        with pytest.raises(WorkforceError):
            create_roster(day, day, None)
        db.session.rollback()


@pytest.mark.parametrize("field", ["worker_id", "session_id"])
def test_a_huge_id_posted_to_a_roster_is_refused_not_a_database_error(app, team, ctx, field):
    client = app.test_client()
    f.login(client, team.people[Role.SE_COORDINATOR])
    before = count(ctx, team.network.id, Assignment)
    for value in HUGE_IDS:
        data = {"worker_id": team.worker_id, "session_id": team.session_id, field: value}
        response = client.post(f"/beringen/team/rosters/{team.roster_id}/assign", data=data)
        assert response.status_code == 303, value
    assert count(ctx, team.network.id, Assignment) == before


def test_huge_ids_posted_to_the_team_pages_are_refused(app, team, ctx):
    client = app.test_client()
    f.login(client, team.people[Role.SE_COORDINATOR])
    for value in HUGE_IDS:
        added = client.post("/beringen/team/workers", data={"user_id": value})
        contact = client.post(
            f"/beringen/team/schools/{team.partner_b.id}/contact", data={"worker_id": value}
        )
        assert (added.status_code, contact.status_code) == (303, 303), value
    assert count(ctx, team.network.id, WorkerProfile) == 1
    assert count(ctx, team.network.id, FixedContact) == 0


def test_huge_ids_in_a_new_referrals_address_are_ignored(app, team):
    client = app.test_client()
    f.login(client, team.people[Role.PARTNER_ADMIN])
    for value in HUGE_IDS:
        response = client.get(f"/beringen/referrals/new?to={value}&offer={value}")
        assert response.status_code == 200, value


# --- the catalogue -------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["start_date", "until"])
@pytest.mark.parametrize("day", OUTSIDE)
def test_an_offer_with_a_date_outside_the_window_is_refused_with_a_message(app, ctx, field, day):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    response = owner.post(f"{CAT}/offers/new?lang=en", data=offer_form(cast, **{field: day}))
    assert response.status_code == 422
    assert "Choose a date between" in response.get_data(as_text=True)
    assert count(ctx, cast.net.id, Offer) == 0


@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31)])
def test_the_offer_service_refuses_a_first_date_outside_the_window(app, day):
    from datetime import time

    from tenants.context import network_scope

    cast = cast_of(app)
    data = services.OfferData(
        title="Peuterspeelmoment",
        type_id=cast.types["voorschools_klasje"],
        location_id=cast.places["kolonie"].id,
        start_date=day,
        start_time=time(9, 30),
        end_time=time(11),
    )
    with app.test_request_context(), network_scope(cast.net.id):
        with pytest.raises(services.OfferError, match="2000") as refused:
            services.validate_offer(data)
        assert refused.value.field == "start_date"


@pytest.mark.parametrize("day", OUTSIDE)
def test_a_closure_outside_the_window_is_refused(app, ctx, day):
    cast = cast_of(app)
    steward = as_(app, cast.people["steward"])
    before = count(ctx, cast.net.id, Closure)
    data = {
        "closure-kind": "closure",
        "closure-label": "Teamdag",
        "closure-starts_on": "2027-01-04",
        "closure-ends_on": day,
    }
    response = steward.post(f"{CAT}/places?lang=en", data=data)
    assert response.status_code == 422
    assert "Choose a date between" in response.get_data(as_text=True)
    assert count(ctx, cast.net.id, Closure) == before


@pytest.mark.parametrize("day", TOO_LATE)
def test_a_session_cannot_be_moved_beyond_the_window(app, ctx, day):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    assert owner.post(f"{CAT}/offers/new", data=offer_form(cast)).status_code == 302
    with ctx(cast.net.id):
        session = db.session.execute(select(ActivitySession).limit(1)).scalar_one()
        session_id, starts_at = session.id, session.starts_at
    move = {"start_time": "13:00", "end_time": "14:30", "location_id": cast.places["paal"].id}
    response = owner.post(f"{CAT}/sessions/{session_id}/move?lang=en", data={**move, "day": day})
    assert response.status_code == 422
    assert "Choose a date between" in response.get_data(as_text=True)
    with ctx(cast.net.id):
        assert db.session.get(ActivitySession, session_id).starts_at == starts_at


# --- the families' pages -------------------------------------------------------------------------


@pytest.mark.parametrize("day", [*OUTSIDE, "2099-12-31", "2000-01-01", "gisteren"])
@pytest.mark.parametrize("period", ["week", "month"])
def test_a_flyer_for_any_date_is_a_page(app, client, day, period):
    build_network(app, "beringen")
    response = client.get(f"/beringen/flyer?period={period}&from={day}")
    assert response.status_code == 200


# --- every form ----------------------------------------------------------------------------------


def _forms(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _forms(sub)


def test_every_date_field_of_every_form_keeps_to_the_window(app):
    from flask_wtf import FlaskForm
    from wtforms import DateField, DateTimeField, DateTimeLocalField

    from blueprints.forms import DateWithinBounds

    dated = []
    for form in set(_forms(FlaskForm)):
        if not form.__module__.startswith("blueprints."):
            continue
        for name in dir(form):
            unbound = getattr(form, name)
            if getattr(unbound, "field_class", None) in (
                DateField,
                DateTimeField,
                DateTimeLocalField,
            ):
                validators = unbound.kwargs.get("validators", [])
                assert any(isinstance(v, DateWithinBounds) for v in validators), (form, name)
                dated.append(f"{form.__name__}.{name}")
    assert len(dated) >= 7, dated  # offer (2), move, closure (2), card, roster


# --- the spreadsheet import ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "first, last", [("01/01/0001", ""), ("9999-12-31", ""), ("2027-03-01", "31/12/9999")]
)
def test_an_imported_line_with_a_date_outside_the_window_is_refused_on_its_line(
    app, ctx, first, last
):
    import io

    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    repeat = "wekelijks;ma" if last else "eenmalig;"
    text = (
        "titel;soort;locatie;datum;van;tot;herhaling;dagen;laatste datum;leeftijd van;"
        "leeftijd tot;talen;prijs;inschrijving;actielijnen\n"
        f"Kookatelier;babysalon;Buurthuis De Kolonie;{first};9:30;11:30;{repeat};{last};"
        "0;12;nl;gratis;nee;2\n"
    )
    data = {
        "partner_id": str(cast.partners["owner"].id),
        "file": (io.BytesIO(text.encode()), "aanbod.csv"),
    }
    response = owner.post(f"{CAT}/import?lang=en", data=data, content_type="multipart/form-data")
    assert response.status_code in (200, 422)
    assert "Choose a date between" in response.get_data(as_text=True)
    assert count(ctx, cast.net.id, Offer) == 0
