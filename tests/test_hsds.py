"""Open data: the catalogue in the Open Referral HSDS 3.0 shape, public, paged, never a family."""

from __future__ import annotations

import json
from datetime import date

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from saas.api.hsds import hsds_id
from saas.extensions import db
from saas.iso639 import is_language_code
from tenants.context import network_scope
from tests import catalogue_factories as cf
from tests import factories as f
from tests.hsds_schema import CORE, page_of, schema_for
from tests.snapshots import built_once
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


def profile(client) -> dict[str, dict]:
    """The merged schemas of the profile Dorp publishes, as a reader fetches them."""
    index = client.get("/hsds-profile/").get_json()
    files = {}
    for name in index["compiled"]:
        response = client.get(f"/hsds-profile/schema/compiled/{name}")
        assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"]
        files[name] = response.get_json()
    assert set(files) == set(CORE)
    return files


def served_valid(client, document: dict, name: str, *, page: bool = False) -> None:
    """Valid HSDS 3.0 (the standard's schema) and valid in Dorp's profile (its merged schemas)."""
    for files in (CORE, profile(client)):
        _valid(document, (page_of if page else schema_for)(name, files))


@pytest.fixture
def world(app):
    return _world(app)


@built_once
def _world(app):
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
    served_valid(client, body, LISTS[name], page=True)
    assert body["contents"], f"{name} is empty"


def test_a_service_with_its_organization_and_locations_validates(client, world):
    beringen, _st = world
    service_id = hsds_id(beringen.network, "service", beringen.offer_id)
    response = client.get(f"/beringen/hsds/services/{service_id}")
    assert response.status_code == 200
    body = response.get_json()
    served_valid(client, body, "service")
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
        served_valid(client, one.get_json(), kind[:-1])


def test_schedules_are_rrule_fields_with_the_exceptions_listed(client, world):
    _beringen, _st = world
    services = client.get("/beringen/hsds/services").get_json()["contents"]
    by_name = {s["name"]: s["schedules"] for s in services}
    winter, summer = by_name["Voorleesuurtje beringen"]  # summer time starts on 28 March 2027
    for part in (winter, summer):
        assert (part["freq"], part["interval"], part["byday"]) == ("WEEKLY", 1, "MO")
        assert (part["dtstart"], part["until"]) == ("2027-03-01", "2027-06-28")
    assert (winter["valid_from"], winter["valid_to"]) == ("2027-03-01", "2027-03-22")
    assert (summer["valid_from"], summer["valid_to"]) == ("2027-03-29", "2027-06-28")
    assert "2027-03-29" in summer["description"]  # Easter Monday is skipped
    assert "2027-05-17" in summer["description"]  # Whit Monday too
    assert "cancelled: 2027-03-01" in winter["description"]  # the first session was cancelled
    (monthly,) = by_name["Thematisch oudersalon"][:1]
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
    assert {"theme:slapen", "theme:zindelijkheid"} <= {t["code"] for t in terms}
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
    response = client.get("/beringen/hsds/services/not-a-uuid")
    assert response.status_code == 404 and response.is_json
    assert response.headers["Access-Control-Allow-Origin"] == "*"


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
    # every kind of id of Sint-Truiden, asked of Beringen's open data
    for path, kind, key in (
        ("services", "service", sint_truiden.offer_id),
        ("service_at_locations", "service_at_location", sint_truiden.offer_id),
        ("organizations", "organization", sint_truiden.partner_a.id),
        ("locations", "location", sint_truiden.location_id),
        ("taxonomies", "taxonomy", "themes"),
        ("taxonomy_terms", "term", "action_lines/2"),
    ):
        theirs = hsds_id(sint_truiden.network, kind, key)
        assert client.get(f"/beringen/hsds/{path}/{theirs}").status_code == 404, path
        assert client.get(f"/sint-truiden/hsds/{path}/{theirs}").status_code == 200, path


# --- the five rules of the standard, one story each -------------------------------------------


def test_every_language_code_is_iso_639_and_a_group_code_cannot_be_stored(app, client, world):
    beringen, _st = world
    from saas.catalogue.models import Offer
    from saas.partners.models import LANGUAGE_NAMES, Partner

    salon = cf.offer(
        app,
        beringen.network,
        beringen.partner_a,
        title="Taalsalon",
        location=f.Ref(id=beringen.location_id),
    )
    with app.app_context(), network_scope(beringen.network.id):
        db.session.get(Offer, salon.id).languages = "nl,ar,rif"  # Tarifit, a Tamazight
        db.session.commit()
    services = client.get("/beringen/hsds/services?per_page=100").get_json()["contents"]
    codes = {lang["code"] for s in services for lang in s["languages"]}
    assert "rif" in codes and all(is_language_code(code) for code in codes), codes
    assert all(is_language_code(code) for code in LANGUAGE_NAMES)  # every choice partners get
    assert not is_language_code("ber") and not is_language_code("NL")

    with app.app_context(), network_scope(beringen.network.id):
        offer = db.session.get(Offer, salon.id)
        with pytest.raises(ValueError, match="ber"):
            offer.languages = "nl,ber"  # Berber is a group of languages (ISO 639-5)
        partner = db.session.get(Partner, beringen.partner_a.id)
        with pytest.raises(ValueError, match="xx"):
            partner.languages = ["nl", "xx"]
        db.session.rollback()


def test_schedule_times_carry_their_utc_offset_and_timezone(client, world):
    services = client.get("/beringen/hsds/services").get_json()["contents"]
    winter, summer = next(s for s in services if s["name"] == "Voorleesuurtje beringen")[
        "schedules"
    ]
    assert (winter["opens_at"], winter["closes_at"], winter["timezone"]) == (
        "09:30+01:00",
        "11:30+01:00",
        1,
    )
    assert (summer["opens_at"], summer["closes_at"], summer["timezone"]) == (
        "09:30+02:00",
        "11:30+02:00",
        2,
    )
    assert "Europe/Brussels" in summer["description"]
    readme = client.get("/hsds-profile/README.md").get_data(as_text=True)
    assert "Europe/Brussels" in readme


def test_size_is_the_number_of_items_on_the_page(client, world):
    whole = client.get("/beringen/hsds/services?per_page=100").get_json()
    assert whole["size"] == len(whole["contents"]) == 2
    last = client.get("/beringen/hsds/services?per_page=1&page=2").get_json()
    assert last["size"] == 1
    beyond = client.get("/beringen/hsds/services?per_page=1&page=9").get_json()
    assert beyond["size"] == 0


def test_the_root_names_dorps_profile_which_answers(client, world):
    root = client.get("/beringen/hsds/").get_json()
    assert root["profile"] != "https://openreferral.org/"
    assert root["profile"].endswith("/hsds-profile/")
    index = client.get("/hsds-profile/")
    assert index.status_code == 200 and index.headers["Access-Control-Allow-Origin"] == "*"
    body = index.get_json()
    assert body["profile"] == root["profile"]
    assert {"service.json", "schedule.json", "language.json", "openapi.json"} <= set(body["schema"])
    assert client.get("/hsds-profile/schema/nothing.json").status_code == 404


# --- every endpoint, JSON and CORS everywhere ----------------------------------------------------


def test_every_single_item_endpoint_answers_what_its_list_holds(client, world):
    for name, kind in LISTS.items():
        listed = client.get(f"/beringen/hsds/{name}?per_page=100").get_json()["contents"]
        for item in listed[:3]:
            response = client.get(f"/beringen/hsds/{name}/{item['id']}")
            assert response.status_code == 200, (name, item["id"])
            assert response.headers["Access-Control-Allow-Origin"] == "*"
            served_valid(client, response.get_json(), kind)
            assert response.get_json()["id"] == item["id"]


@pytest.mark.parametrize(
    "path",
    [
        "/beringen/hsds/taxonomies/{id}",
        "/beringen/hsds/taxonomy_terms/{id}",
        "/beringen/hsds/service_at_locations/{id}",
        "/beringen/hsds/services/{id}",
        "/beringen/hsds/organizations/{id}",
        "/beringen/hsds/locations/{id}",
        "/beringen/hsds/nothing-here",
        "/beringen/hsds/services/not-a-uuid",
    ],
)
def test_not_found_is_json_with_cors(client, world, path):
    response = client.get(path.format(id="0b3f0d62-3f5f-4d4e-9a2e-0c1d2e3f4a5b"))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_the_bare_root_redirects_with_cors(client, world):
    response = client.get("/beringen/hsds")
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/beringen/hsds/")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.is_json and response.get_json()["location"].endswith("/beringen/hsds/")


def test_the_optional_filters_filter(client, world):
    beringen, _st = world
    everything = client.get("/beringen/hsds/services?per_page=100").get_json()["contents"]
    assert len(everything) == 2
    organization = hsds_id(beringen.network, "organization", beringen.partner_a.id)
    theirs = client.get(f"/beringen/hsds/services?organization_id={organization}").get_json()
    assert [s["name"] for s in theirs["contents"]] == ["Thematisch oudersalon"]
    term = hsds_id(beringen.network, "term", "themes/slapen")
    themed = client.get(f"/beringen/hsds/services?taxonomy_term_id={term}").get_json()
    assert [s["name"] for s in themed["contents"]] == ["Thematisch oudersalon"]
    themes = hsds_id(beringen.network, "taxonomy", "themes")
    terms = client.get(f"/beringen/hsds/taxonomy_terms?taxonomy_id={themes}").get_json()
    assert {t["code"] for t in terms["contents"]} == {"theme:slapen", "theme:zindelijkheid"}
    found = client.get("/beringen/hsds/services?search=VOORLEES").get_json()
    assert [s["name"] for s in found["contents"]] == ["Voorleesuurtje beringen"]
    minimal = client.get("/beringen/hsds/services?minimal=true").get_json()["contents"][0]
    assert "schedules" not in minimal and minimal["last_modified"]
    served_valid(client, minimal, "service")
    full = client.get("/beringen/hsds/services?full=true").get_json()["contents"][0]
    assert full["organization"]["id"] and full["service_at_locations"][0]["location"]["id"]
    served_valid(client, full, "service")
    partners = client.get(f"/beringen/hsds/organizations?taxonomy_term_id={term}").get_json()
    assert [o["id"] for o in partners["contents"]] == [organization]


def test_taxonomy_term_codes_are_unique_over_the_taxonomies(app, client, world):
    beringen, _st = world
    cf.offer(  # "uitstap" is an offer type and, here, a theme too
        app,
        beringen.network,
        beringen.partner_a,
        title="Uitstap naar Bokrijk",
        code="uitstap",
        themes=["uitstap"],
        location=f.Ref(id=beringen.location_id),
    )
    terms = client.get("/beringen/hsds/taxonomy_terms?per_page=100").get_json()["contents"]
    codes = [t["code"] for t in terms]
    assert len(codes) == len(set(codes)), sorted(codes)
    assert {"type:uitstap", "theme:uitstap"} <= set(codes)


# --- bad input: a JSON error with CORS, never a 500 or HTML ---------------------------------------


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("modified_after=2027-03-01", 200),
        ("modified_after=2027-03-01T10:00:00Z", 200),
        ("modified_after=2027-03-01T10:00:00.123456%2B01:00", 200),
        ("modified_after=2027-03-01T10:00:00+01:00", 200),  # a "+" read as a space
        ("modified_after=2027-03-01T10:00:00-05:30", 200),
        ("modified_after=2027-03-01T10:00", 200),
        ("modified_after=20270301T100000Z", 200),
        ("modified_after=2027-W09-1", 200),
        ("modified_after=2027-03-01T25:00", 400),
        ("modified_after=gisteren", 400),
        ("modified_after=2027-13-01", 400),
        ("modified_after=2027-02-30", 400),
        ("modified_after=10000-01-01", 400),
        ("modified_after=0001-01-01T00:00:00%2B14:00", 400),
        ("modified_after=%00", 400),
        ("per_page=0", 400),
        ("per_page=101", 400),
        ("per_page=-1", 400),
        ("per_page=tien", 400),
        ("page=1.5", 400),
        ("colour=blue", 400),
        ("organization_id=not-a-uuid", 400),
        ("taxonomy_term_id=42", 400),
        ("minimal=perhaps", 400),
        ("minimal=true&full=true", 400),
    ],
)
def test_bad_input_is_a_json_error_with_cors(client, world, query, status):
    response = client.get(f"/beringen/hsds/services?{query}")
    assert response.status_code == status, (query, response.get_data(as_text=True)[:200])
    assert response.is_json
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    if status == 400:
        assert response.get_json()["error"]["code"] == "bad_request"


def test_the_migration_turns_stored_ber_into_rif(app, world):
    """Rows stored before ISO 639 was checked: `ber` (a group code) becomes `rif` (Tarifit)."""
    import importlib.util
    from pathlib import Path

    from sqlalchemy import create_engine, text

    beringen, _st = world
    path = Path(__file__).resolve().parent.parent / "saas/migrations/versions"
    spec = importlib.util.spec_from_file_location("hsds_0016", path / "0016_hsds_last_modified.py")
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":  # the owner: row-level security is forced
            engine = create_engine(app.config["DATABASE_ADMIN_URL"])
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT set_config('app.all_networks', 'on', true)"))
            connection.execute(
                text("UPDATE offers SET languages = 'nl,ber,ar' WHERE id = :id"),
                {"id": beringen.offer_id},
            )
            connection.execute(
                text("UPDATE partners SET languages = :codes WHERE id = :id"),
                {"codes": '["ber", "rif", "nl"]', "id": beringen.partner_a.id},
            )
            migration._recode(connection, "ber", "rif")
            offer = connection.execute(
                text("SELECT languages FROM offers WHERE id = :id"), {"id": beringen.offer_id}
            ).scalar_one()
            partner = connection.execute(
                text("SELECT languages FROM partners WHERE id = :id"),
                {"id": beringen.partner_a.id},
            ).scalar_one()
    assert offer == "nl,rif,ar"
    assert (json.loads(partner) if isinstance(partner, str) else partner) == ["rif", "nl"]
