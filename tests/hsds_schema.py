"""JSON Schema for Open Referral HSDS 3.0, transcribed from the standard's field tables
(openreferral/specification, branch 3.0: schema/*.json and docs/hsds/schema_reference) for the
test suite, with nothing added and nothing taken away:

- every object of the 3.0 core, each field with the type, `format` (uuid, uri, email, date,
  date-time) and `enum` the standard gives, and the objects' `required` fields;
- no `additionalProperties: false`: HSDS allows fields it does not define (extensions and
  profiles add them), so the official examples — which carry later fields such as
  `additional_urls` — validate here. Fields of later versions are NOT defined: 3.1's
  `attribute.label` and `service_at_location.service_areas` are not 3.0;
- tabular-only constraints (`tabular_required`, unique `code`) are not JSON Schema's job and are
  checked in the tests that need them.

The profile Dorp publishes (/hsds-profile/) is a JSON Merge Patch on these objects; its merged
schemas close the objects (`additionalProperties: false`), which is what keeps anything that is
not in the profile — a family's data above all — out of the open data.

`CORE` maps each core schema file name ("service.json") to its schema, `$ref`s by file name as
in the standard; `schema_for` and `page_of` bundle them for `jsonschema`.
"""

from __future__ import annotations

import copy

TEXT = {"type": "string"}
NUMBER = {"type": "number"}
UUID = {"type": "string", "format": "uuid"}
URI = {"type": "string", "format": "uri"}
EMAIL = {"type": "string", "format": "email"}
DATE = {"type": "string", "format": "date"}
DATE_TIME = {"type": "string", "format": "date-time"}
WEEKDAY = {"type": "string", "enum": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]}


def _many(name: str) -> dict:
    return {"type": "array", "items": {"$ref": f"{name}.json"}}


def _one(name: str) -> dict:
    return {"$ref": f"{name}.json"}


def _object(name: str, properties: dict, required: list[str]) -> dict:
    return {
        "$id": f"{name}.json",
        "name": name,
        "type": "object",
        "properties": properties,
        "required": required,
    }


ATTRIBUTES = {"attributes": _many("attribute"), "metadata": _many("metadata")}

CORE = {
    "accessibility.json": _object(
        "accessibility",
        {
            "id": UUID,
            "location_id": UUID,
            "description": TEXT,
            "details": TEXT,
            "url": URI,
            **ATTRIBUTES,
        },
        ["id"],
    ),
    "address.json": _object(
        "address",
        {
            "id": UUID,
            "location_id": UUID,
            "attention": TEXT,
            "address_1": TEXT,
            "address_2": TEXT,
            "city": TEXT,
            "region": TEXT,
            "state_province": TEXT,
            "postal_code": TEXT,
            "country": TEXT,  # ISO 3166-1 alpha-2, in words only
            "address_type": {"type": "string", "enum": ["physical", "postal", "virtual"]},
            **ATTRIBUTES,
        },
        ["id", "address_1", "city", "state_province", "postal_code", "country", "address_type"],
    ),
    "attribute.json": _object(
        "attribute",
        {
            "id": UUID,
            "link_id": UUID,
            "taxonomy_term_id": UUID,
            "link_type": TEXT,
            "link_entity": TEXT,
            "value": TEXT,
            "taxonomy_term": _one("taxonomy_term"),
            "metadata": _many("metadata"),
        },
        ["id"],
    ),
    "contact.json": _object(
        "contact",
        {
            "id": UUID,
            "organization_id": UUID,
            "service_id": UUID,
            "service_at_location_id": UUID,
            "location_id": UUID,
            "name": TEXT,
            "title": TEXT,
            "department": TEXT,
            "email": EMAIL,
            "phones": _many("phone"),
            **ATTRIBUTES,
        },
        ["id"],
    ),
    "cost_option.json": _object(
        "cost_option",
        {
            "id": UUID,
            "service_id": UUID,
            "valid_from": DATE,
            "valid_to": DATE,
            "option": TEXT,
            "currency": TEXT,
            "amount": NUMBER,
            "amount_description": TEXT,
            **ATTRIBUTES,
        },
        ["id"],
    ),
    "funding.json": _object(
        "funding",
        {"id": UUID, "organization_id": UUID, "service_id": UUID, "source": TEXT, **ATTRIBUTES},
        ["id"],
    ),
    "language.json": _object(
        "language",
        {
            "id": UUID,
            "service_id": UUID,
            "location_id": UUID,
            "phone_id": UUID,
            "name": TEXT,
            "code": TEXT,  # ISO 639-1 or ISO 639-3, in words only (the profile checks it)
            "note": TEXT,
            **ATTRIBUTES,
        },
        ["id"],
    ),
    "location.json": _object(
        "location",
        {
            "id": UUID,
            "location_type": {"type": "string", "enum": ["physical", "postal", "virtual"]},
            "url": URI,
            "organization_id": UUID,
            "name": TEXT,
            "alternate_name": TEXT,
            "description": TEXT,
            "transportation": TEXT,
            "latitude": NUMBER,
            "longitude": NUMBER,
            "external_identifier": TEXT,
            "external_identifier_type": TEXT,
            "languages": _many("language"),
            "addresses": _many("address"),
            "contacts": _many("contact"),
            "accessibility": _many("accessibility"),
            "phones": _many("phone"),
            "schedules": _many("schedule"),
            **ATTRIBUTES,
        },
        ["id", "location_type"],
    ),
    "metadata.json": _object(
        "metadata",
        {
            "id": UUID,
            "resource_id": UUID,
            "resource_type": TEXT,
            "last_action_date": DATE,
            "last_action_type": TEXT,
            "field_name": TEXT,
            "previous_value": TEXT,
            "replacement_value": TEXT,
            "updated_by": TEXT,
        },
        [  # resource_id is required in the tabular form only (nested, the resource is the parent)
            "id",
            "resource_type",
            "last_action_date",
            "last_action_type",
            "field_name",
            "previous_value",
            "replacement_value",
            "updated_by",
        ],
    ),
    "organization.json": _object(
        "organization",
        {
            "id": UUID,
            "name": TEXT,
            "alternate_name": TEXT,
            "description": TEXT,
            "email": EMAIL,
            "website": URI,
            "tax_status": TEXT,
            "year_incorporated": NUMBER,
            "legal_status": TEXT,
            "logo": URI,
            "uri": URI,
            "parent_organization_id": UUID,
            "funding": _many("funding"),
            "contacts": _many("contact"),
            "phones": _many("phone"),
            "locations": _many("location"),
            "programs": _many("program"),
            "organization_identifiers": _many("organization_identifier"),
            **ATTRIBUTES,
        },
        ["id", "name", "description"],
    ),
    "organization_identifier.json": _object(
        "organization_identifier",
        {
            "id": UUID,
            "organization_id": UUID,
            "identifier_scheme": TEXT,
            "identifier_type": TEXT,
            "identifier": TEXT,
            **ATTRIBUTES,
        },
        ["id", "identifier_type", "identifier"],
    ),
    "phone.json": _object(
        "phone",
        {
            "id": UUID,
            "location_id": UUID,
            "service_id": UUID,
            "organization_id": UUID,
            "contact_id": UUID,
            "service_at_location_id": UUID,
            "number": TEXT,
            "extension": NUMBER,
            "type": TEXT,
            "description": TEXT,
            "languages": _many("language"),
            **ATTRIBUTES,
        },
        ["id", "number"],
    ),
    "program.json": _object(
        "program",
        {
            "id": UUID,
            "organization_id": UUID,
            "name": TEXT,
            "alternate_name": TEXT,
            "description": TEXT,
            **ATTRIBUTES,
        },
        ["id", "name", "description"],
    ),
    "required_document.json": _object(
        "required_document",
        {"id": UUID, "service_id": UUID, "document": TEXT, "uri": URI, **ATTRIBUTES},
        ["id"],
    ),
    "schedule.json": _object(
        "schedule",
        {
            "id": UUID,
            "service_id": UUID,
            "location_id": UUID,
            "service_at_location_id": UUID,
            "valid_from": DATE,
            "valid_to": DATE,
            "dtstart": DATE,
            "timezone": NUMBER,
            "until": DATE,
            "count": NUMBER,
            "wkst": WEEKDAY,
            "freq": {"type": "string", "enum": ["WEEKLY", "MONTHLY"]},
            "interval": NUMBER,
            "byday": TEXT,
            "byweekno": TEXT,
            "bymonthday": TEXT,
            "byyearday": TEXT,
            "description": TEXT,
            "opens_at": TEXT,  # HH:MM, "should include timezone information"
            "closes_at": TEXT,
            "schedule_link": URI,
            "attending_type": TEXT,
            "notes": TEXT,
            **ATTRIBUTES,
        },
        ["id"],
    ),
    "service.json": _object(
        "service",
        {
            "id": UUID,
            "organization_id": TEXT,
            "program_id": TEXT,
            "name": TEXT,
            "alternate_name": TEXT,
            "description": TEXT,
            "url": URI,
            "email": EMAIL,
            "status": {
                "type": "string",
                "enum": ["active", "inactive", "defunct", "temporarily closed"],
            },
            "interpretation_services": TEXT,
            "application_process": TEXT,
            "fees_description": TEXT,
            "wait_time": TEXT,  # deprecated
            "fees": TEXT,  # deprecated
            "accreditations": TEXT,
            "eligibility_description": TEXT,
            "minimum_age": NUMBER,
            "maximum_age": NUMBER,
            "assured_date": DATE,
            "assurer_email": EMAIL,
            "licenses": TEXT,  # deprecated
            "alert": TEXT,
            "last_modified": DATE_TIME,
            "phones": _many("phone"),
            "schedules": _many("schedule"),
            "service_areas": _many("service_area"),
            "service_at_locations": _many("service_at_location"),
            "languages": _many("language"),
            "organization": _one("organization"),
            "funding": _many("funding"),
            "cost_options": _many("cost_option"),
            "program": _one("program"),
            "required_documents": _many("required_document"),
            "contacts": _many("contact"),
            **ATTRIBUTES,
        },
        ["id", "name", "status"],
    ),
    "service_area.json": _object(
        "service_area",
        {
            "id": UUID,
            "service_id": UUID,
            "service_at_location_id": UUID,
            "name": TEXT,
            "description": TEXT,
            "extent": TEXT,
            "extent_type": {"type": "string", "enum": ["geojson", "topojson", "kml", "text"]},
            "uri": URI,
            **ATTRIBUTES,
        },
        ["id"],
    ),
    "service_at_location.json": _object(
        "service_at_location",
        {
            "id": UUID,
            "service_id": UUID,
            "location_id": UUID,
            "description": TEXT,
            "contacts": _many("contact"),
            "phones": _many("phone"),
            "schedules": _many("schedule"),
            "location": _one("location"),
            **ATTRIBUTES,
        },
        ["id"],
    ),
    "taxonomy.json": _object(
        "taxonomy",
        {
            "id": UUID,
            "name": TEXT,
            "description": TEXT,
            "uri": URI,
            "version": TEXT,
            "metadata": _many("metadata"),
        },
        ["id", "name", "description"],
    ),
    "taxonomy_term.json": _object(
        "taxonomy_term",
        {
            "id": UUID,
            "code": TEXT,
            "name": TEXT,
            "description": TEXT,
            "parent_id": UUID,
            "taxonomy": TEXT,
            "taxonomy_detail": _one("taxonomy"),
            "language": TEXT,
            "taxonomy_id": UUID,
            "term_uri": URI,
            "metadata": _many("metadata"),
        },
        ["id", "name", "description"],
    ),
}

# the HSDS 3.0 API's paginated list (openapi.json, components/schemas/Page)
PAGE = {
    "type": "object",
    "properties": {
        "total_items": {"type": "integer", "minimum": 0},
        "total_pages": {"type": "integer", "minimum": 1},
        "page_number": {"type": "integer", "minimum": 1},
        "size": {"type": "integer", "minimum": 0},
        "first_page": {"type": "boolean"},
        "last_page": {"type": "boolean"},
        "empty": {"type": "boolean"},
        "contents": {"type": "array"},
    },
    "required": [
        "total_items",
        "total_pages",
        "page_number",
        "size",
        "first_page",
        "last_page",
        "empty",
        "contents",
    ],
}


def bundle(files: dict[str, dict], root: dict) -> dict:
    """`root` with the schema files beside it, each under its own `$id`, for `jsonschema`."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://hsds.test/schema/bundle.json",
        "$defs": {
            name.removesuffix(".json"): {**copy.deepcopy(schema), "$id": name}
            for name, schema in files.items()
        },
        **root,
    }


def schema_for(name: str, files: dict[str, dict] | None = None) -> dict:
    return bundle(files or CORE, {"$ref": f"{name}.json"})


def page_of(name: str, files: dict[str, dict] | None = None) -> dict:
    page = copy.deepcopy(PAGE)
    page["properties"]["contents"]["items"] = {"$ref": f"{name}.json"}
    return bundle(files or CORE, page)
