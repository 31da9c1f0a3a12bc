"""Open data: the catalogue in the Open Referral HSDS 3.0 shape, public, paged, never a family."""

from __future__ import annotations

import json
from datetime import date

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from saas.api.hsds import hsds_id
from saas.extensions import db
from tenants.context import network_scope
from tests import catalogue_factories as cf
from tests import factories as f
from tests.hsds_schema import page_of, schema_for
from tests.world import build_world

LISTS = {
    "services": "service",
    "organizations": "organization",
    "locations": "location",
    "service_at_locations": "service_at_location",
    "taxonomies": "taxonomy",
    "taxonomy_terms": "taxonomy_term",
}


def _valid(document: dict, schema: dict) -> None:
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert not problems, problems[:5]


@pytest.fixture
def world(app):
    beringen, sint_truiden = build_world(app)
    # a monthly salon with themes, so every taxonomy and the monthly rule are served too
    cf.offer(
        app,
        beringen.network,
        beringen.partner_a,
        title="Thematisch oudersalon",
        rrule="FREQ=MONTHLY;BYDAY=1TU;UNTIL=20270630",
        start=date(2027, 3, 2),
        themes=["slapen", "zindelijkheid"],
        location=f.Ref(id=beringen.location_id),
    )
    with app.test_request_context(), network_scope(beringen.network.id):
        from saas.catalogue import services
        from saas.catalogue.models import ActivitySession

        session = db.session.get(ActivitySession, beringen.session_id)
        services.cancel_session(session, "Ziekte")
        db.session.commit()
    return beringen, sint_truiden


@pytest.mark.parametrize("name", list(LISTS))
def test_every_list_validates_against_hsds_3(client, world, name):
    response = client.get(f"/beringen/hsds/{name}")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    _valid(body, page_of(LISTS[name]))
    assert body["contents"], f"{name} is empty"


def test_a_service_with_its_organization_and_locations_validates(client, world):
    beringen, _st = world
    service_id = hsds_id(beringen.network, "service", beringen.offer_id)
    response = client.get(f"/beringen/hsds/services/{service_id}")
    assert response.status_code == 200
    body = response.get_json()
    _valid(body, schema_for("service"))
    assert body["organization"]["name"] == beringen.partner_b.name
    assert body["service_at_locations"][0]["location"]["name"] == "Ontmoetingscentrum beringen"
    address = body["service_at_locations"][0]["location"]["addresses"][0]
    assert (address["postal_code"], address["state_province"], address["country"]) == (
        "3582",
        "Limburg",
        "BE",
    )
    for kind, key in (
        ("organizations", beringen.partner_b.id),
        ("locations", beringen.location_id),
    ):
        one = client.get(f"/beringen/hsds/{kind}/{hsds_id(beringen.network, kind[:-1], key)}")
        assert one.status_code == 200
        _valid(one.get_json(), schema_for(kind[:-1]))


def test_schedules_are_rrule_fields_with_the_exceptions_listed(client, world):
    _beringen, _st = world
    services = client.get("/beringen/hsds/services").get_json()["contents"]
    by_name = {s["name"]: s["schedules"][0] for s in services}
    weekly = by_name["Voorleesuurtje beringen"]
    assert (weekly["freq"], weekly["interval"], weekly["byday"]) == ("WEEKLY", 1, "MO")
    assert (weekly["dtstart"], weekly["valid_from"]) == ("2027-03-01", "2027-03-01")
    assert (weekly["until"], weekly["valid_to"]) == ("2027-06-28", "2027-06-28")
    assert (weekly["opens_at"], weekly["closes_at"]) == ("09:30", "11:30")
    assert "2027-03-29" in weekly["description"]  # Easter Monday is skipped
    assert "2027-05-17" in weekly["description"]  # Whit Monday too
    assert "cancelled: 2027-03-01" in weekly["description"]  # the first session was cancelled
    monthly = by_name["Thematisch oudersalon"]
    assert (monthly["freq"], monthly["byday"]) == ("MONTHLY", "1TU")


def test_taxonomies_cover_types_action_lines_themes_and_ages(client, world):
    terms = client.get("/beringen/hsds/taxonomy_terms?per_page=100").get_json()["contents"]
    taxonomies = {t["taxonomy"] for t in terms}
    assert taxonomies == {
        "Dorp offer types",
        "Huis van het Kind action lines",
        "Dorp themes",
        "Dorp age groups",
    }
    assert {"slapen", "zindelijkheid"} <= {t["code"] for t in terms}
    service = client.get("/beringen/hsds/services").get_json()["contents"][0]
    term_ids = {t["id"] for t in terms}
    assert service["attributes"] and all(
        a["taxonomy_term_id"] in term_ids for a in service["attributes"]
    )


def test_paging_and_modified_after(client, world):
    first = client.get("/beringen/hsds/services?per_page=1").get_json()
    assert (first["total_items"], first["total_pages"], first["size"]) == (2, 2, 1)
    assert first["first_page"] and not first["last_page"] and not first["empty"]
    second = client.get("/beringen/hsds/services?per_page=1&page=2").get_json()
    assert second["last_page"] and second["contents"][0]["id"] != first["contents"][0]["id"]
    beyond = client.get("/beringen/hsds/services?per_page=1&page=5").get_json()
    assert beyond["empty"] and beyond["contents"] == []
    later = client.get("/beringen/hsds/services?modified_after=2099-01-01T00:00:00Z").get_json()
    assert later["total_items"] == 0
    earlier = client.get("/beringen/hsds/services?modified_after=2000-01-01").get_json()
    assert earlier["total_items"] == 2


def test_bad_parameters_are_400_in_json_with_cors(client, world):
    for query in ("page=0", "per_page=1000", "page=x", "modified_after=gisteren"):
        response = client.get(f"/beringen/hsds/services?{query}")
        assert response.status_code == 400, query
        assert response.get_json()["error"]["code"] == "bad_request"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/beringen/hsds/services/not-a-uuid").status_code == 404


def test_hsds_never_contains_families_referrals_or_drafts(client, world):
    beringen, _st = world
    bodies = [
        client.get(f"/beringen/hsds/{name}?per_page=100").get_data(as_text=True) for name in LISTS
    ]
    service_id = hsds_id(beringen.network, "service", beringen.offer_id)
    bodies.append(client.get(f"/beringen/hsds/services/{service_id}").get_data(as_text=True))
    text = "\n".join(bodies)
    for secret in beringen.secrets:  # the family's label and question, e-mail addresses, drafts
        assert secret not in text
    for word in ("referral", "family_label", "question", "consent", "contact_value"):
        assert word not in text
    keys = set()

    def collect(value):
        if isinstance(value, dict):
            keys.update(value)
            for v in value.values():
                collect(v)
        elif isinstance(value, list):
            for v in value:
                collect(v)

    for body in bodies:
        collect(json.loads(body))
    assert not keys & {"family", "referrals", "email", "phones", "contacts"}


def test_another_networks_objects_are_not_found(client, world):
    _beringen, sint_truiden = world
    theirs = hsds_id(sint_truiden.network, "service", sint_truiden.offer_id)
    assert client.get(f"/beringen/hsds/services/{theirs}").status_code == 404
    mine = client.get("/beringen/hsds/services?per_page=100").get_data(as_text=True)
    for public in sint_truiden.public:
        assert public not in mine
    assert client.get("/nowhere/hsds/services").status_code == 404
