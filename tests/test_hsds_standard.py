"""The suite's HSDS 3.0 schema is the standard's: the official examples pass it, what HSDS 3.0 does
not define is not in it, the formats the standard gives are checked; Dorp's profile is that
schema with its merge patches applied, exactly."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from tests.hsds_profile_build import PROFILE, compiled, merge_patch, text
from tests.hsds_schema import CORE, schema_for

OFFICIAL = Path(__file__).parent / "hsds_official"


def _problems(document: dict, schema: dict) -> list[str]:
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def _example(name: str) -> dict:
    return json.loads((OFFICIAL / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("example", "schema"),
    [("service_full.json", "service"), ("service_at_location_full.json", "service_at_location")],
)
def test_the_official_examples_pass_the_suites_schema(example, schema):
    document = _example(example)
    assert not _problems(document, schema_for(schema))
    if "service" in document:  # the service nested in the service at location
        assert not _problems(document["service"], schema_for("service"))


def test_the_schema_can_fail_where_the_standard_says_no():
    service = _example("service_full.json")
    for path, value in (
        (("id",), "not-a-uuid"),
        (("url",), "not a uri"),
        (("email",), "nobody"),
        (("status",), "open"),
        (("last_modified",), "yesterday"),
        (("schedules", 0, "freq"), "DAILY"),
        (("service_at_locations", 0, "location", "addresses", 0, "address_type"), "home"),
        (("organization", "website"), "example dot com"),
    ):
        broken = copy.deepcopy(service)
        target = broken
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        assert _problems(broken, schema_for("service")), path
    del service["name"]
    assert _problems(service, schema_for("service"))


def test_the_format_checker_checks_every_format_the_standard_uses():
    """uuid, email and date come with jsonschema; uri and date-time need rfc3986-validator and
    rfc3339-validator (dev dependencies): without them those formats would pass anything."""
    used = set()

    def collect(value):
        if isinstance(value, dict):
            if isinstance(value.get("format"), str):
                used.add(value["format"])
            for v in value.values():
                collect(v)

    collect(CORE)
    assert used == {"uuid", "uri", "email", "date", "date-time"}
    assert used <= set(FormatChecker().checkers)


def test_what_30_does_not_define_is_not_in_the_schema():
    assert "label" not in CORE["attribute.json"]["properties"]  # 3.1
    assert "service_areas" not in CORE["service_at_location.json"]["properties"]  # 3.1
    assert "additional_urls" not in CORE["service.json"]["properties"]  # 3.1
    # ...yet HSDS allows fields it does not define: no object is closed by the standard
    assert all("additionalProperties" not in schema for schema in CORE.values())


def test_every_3_0_object_is_typed():
    assert set(CORE) == {
        f"{name}.json"
        for name in (
            "accessibility",
            "address",
            "attribute",
            "contact",
            "cost_option",
            "funding",
            "language",
            "location",
            "metadata",
            "organization",
            "organization_identifier",
            "phone",
            "program",
            "required_document",
            "schedule",
            "service",
            "service_area",
            "service_at_location",
            "taxonomy",
            "taxonomy_term",
        )
    }
    for name, schema in CORE.items():
        assert schema["properties"]["id"] == {"type": "string", "format": "uuid"}, name
        for field, spec in schema["properties"].items():
            assert spec is not None and ("type" in spec or "$ref" in spec), (name, field)


def test_the_published_merged_schemas_are_the_core_with_the_patches():
    for name, schema in compiled().items():
        assert (PROFILE / "compiled" / name).read_text(encoding="utf-8") == text(schema), (
            f"{name}: run python -m tests.hsds_profile_build"
        )
    assert merge_patch({"a": 1, "b": {"c": 2}}, {"a": None, "b": {"d": 3}}) == {
        "b": {"c": 2, "d": 3}
    }


def test_the_profile_closes_objects_so_no_private_field_passes(client):
    profile = {
        name: client.get(f"/hsds-profile/schema/compiled/{name}").get_json() for name in CORE
    }
    minimal = {
        "id": "ac148810-d857-441c-9679-408f346de14b",
        "organization_id": "0fdfb57f-c147-4cfb-864c-44788a335d8c",
        "name": "Voorlezen",
        "description": "Voorlezen voor peuters",
        "status": "active",
        "last_modified": "2027-03-01T08:00:00.000000Z",
    }
    assert not _problems(minimal, schema_for("service", profile))
    for extra in ({"email": "ouder@example.com"}, {"family_label": "Gezin A"}, {"phones": []}):
        assert _problems({**minimal, **extra}, schema_for("service", profile)), extra
    # the shape of a code; that it is in ISO 639 is checked where codes are stored (saas.iso639)
    language = {"id": minimal["id"], "service_id": minimal["id"], "name": "Tarifit", "code": "rif"}
    assert not _problems(language, schema_for("language", profile))
    assert _problems({**language, "code": "Tamazight"}, schema_for("language", profile))
    schedule = {
        "id": minimal["id"],
        "service_id": minimal["id"],
        "valid_from": "2027-03-01",
        "valid_to": "2027-03-22",
        "dtstart": "2027-03-01",
        "timezone": 1,
        "opens_at": "09:30",  # no offset: a reader would take it for UTC
        "closes_at": "11:30+01:00",
        "description": "09:30-11:30",
    }
    assert _problems(schedule, schema_for("schedule", profile))
    assert not _problems({**schedule, "opens_at": "09:30+01:00"}, schema_for("schedule", profile))
