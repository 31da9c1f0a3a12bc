"""JSON Schema for the HSDS 3.0 objects Dorp serves, written from the Open Referral HSDS 3.0
reference (openreferral/specification, schema/*.json): the field names, their types and the
required fields of each object. `additionalProperties: false` everywhere, so a field that is not
HSDS (or a family's or referral's data) fails validation.

No PyPI package ships the official HSDS 3.0 JSON schemas, so this is our own transcription of the
parts we use; `$ref`s between objects follow the specification's nesting.
"""

from __future__ import annotations

UUID = {"type": "string", "format": "uuid"}
TEXT = {"type": "string"}
DATE = {"type": "string", "format": "date"}
NUMBER = {"type": "number"}


def _object(properties: dict, required: list[str]) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _array(ref: str) -> dict:
    return {"type": "array", "items": {"$ref": f"#/$defs/{ref}"}}


DEFS = {
    "taxonomy": _object(
        {
            "id": UUID,
            "name": TEXT,
            "description": TEXT,
            "uri": TEXT,
            "version": TEXT,
            "metadata": {"type": "array"},
        },
        ["id", "name", "description"],
    ),
    "taxonomy_term": _object(
        {
            "id": UUID,
            "code": TEXT,
            "name": TEXT,
            "description": TEXT,
            "parent_id": TEXT,
            "taxonomy": TEXT,
            "taxonomy_detail": {"$ref": "#/$defs/taxonomy"},
            "language": TEXT,
            "taxonomy_id": TEXT,
            "term_uri": TEXT,
            "metadata": {"type": "array"},
        },
        ["id", "name", "description"],
    ),
    "attribute": _object(
        {
            "id": UUID,
            "link_id": UUID,
            "taxonomy_term_id": UUID,
            "link_type": TEXT,
            "link_entity": TEXT,
            "value": TEXT,
            "taxonomy_term": {"$ref": "#/$defs/taxonomy_term"},
            "metadata": {"type": "array"},
            "label": TEXT,
        },
        ["id"],
    ),
    "schedule": _object(
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
            "wkst": {"type": "string", "enum": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]},
            "freq": {"type": "string", "enum": ["WEEKLY", "MONTHLY"]},
            "interval": NUMBER,
            "byday": {
                "type": "string",
                "pattern": r"^(-?[1-5]?(MO|TU|WE|TH|FR|SA|SU))(,-?[1-5]?(MO|TU|WE|TH|FR|SA|SU))*$",
            },
            "byweekno": TEXT,
            "bymonthday": TEXT,
            "byyearday": TEXT,
            "description": TEXT,
            "opens_at": {"type": "string", "pattern": r"^\d{2}:\d{2}"},
            "closes_at": {"type": "string", "pattern": r"^\d{2}:\d{2}"},
            "schedule_link": TEXT,
            "attending_type": TEXT,
            "notes": TEXT,
            "attributes": _array("attribute"),
            "metadata": {"type": "array"},
        },
        ["id"],
    ),
    "language": _object(
        {
            "id": UUID,
            "service_id": UUID,
            "location_id": UUID,
            "phone_id": UUID,
            "name": TEXT,
            "code": TEXT,
            "note": TEXT,
            "attributes": _array("attribute"),
            "metadata": {"type": "array"},
        },
        ["id"],
    ),
    "address": _object(
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
            "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
            "address_type": {"type": "string", "enum": ["physical", "postal", "virtual"]},
            "attributes": _array("attribute"),
            "metadata": {"type": "array"},
        },
        ["id", "address_1", "city", "state_province", "postal_code", "country", "address_type"],
    ),
    "accessibility": _object(
        {
            "id": UUID,
            "location_id": UUID,
            "description": TEXT,
            "details": TEXT,
            "url": TEXT,
            "attributes": _array("attribute"),
            "metadata": {"type": "array"},
        },
        ["id"],
    ),
    "location": _object(
        {
            "id": UUID,
            "location_type": {"type": "string", "enum": ["physical", "postal", "virtual"]},
            "url": TEXT,
            "organization_id": UUID,
            "name": TEXT,
            "alternate_name": TEXT,
            "description": TEXT,
            "transportation": TEXT,
            "latitude": NUMBER,
            "longitude": NUMBER,
            "external_identifier": TEXT,
            "external_identifier_type": TEXT,
            "languages": _array("language"),
            "addresses": _array("address"),
            "contacts": {"type": "array"},
            "accessibility": _array("accessibility"),
            "phones": {"type": "array"},
            "schedules": _array("schedule"),
            "attributes": _array("attribute"),
            "metadata": {"type": "array"},
        },
        ["id", "location_type"],
    ),
    "organization": _object(
        {
            "id": UUID,
            "name": TEXT,
            "alternate_name": TEXT,
            "description": TEXT,
            "email": TEXT,
            "website": TEXT,
            "legal_status": TEXT,
            "logo": TEXT,
            "uri": TEXT,
            "parent_organization_id": TEXT,
            "funding": {"type": "array"},
            "contacts": {"type": "array"},
            "phones": {"type": "array"},
            "locations": _array("location"),
            "programs": {"type": "array"},
            "organization_identifiers": {"type": "array"},
            "attributes": _array("attribute"),
            "metadata": {"type": "array"},
        },
        ["id", "name", "description"],
    ),
    "service_at_location": _object(
        {
            "id": UUID,
            "service_id": UUID,
            "location_id": UUID,
            "description": TEXT,
            "service_areas": {"type": "array"},
            "contacts": {"type": "array"},
            "phones": {"type": "array"},
            "schedules": _array("schedule"),
            "location": {"$ref": "#/$defs/location"},
            "attributes": _array("attribute"),
            "metadata": {"type": "array"},
        },
        ["id"],
    ),
    "service": _object(
        {
            "id": UUID,
            "organization_id": TEXT,
            "program_id": TEXT,
            "name": TEXT,
            "alternate_name": TEXT,
            "description": TEXT,
            "url": TEXT,
            "email": TEXT,
            "status": {
                "type": "string",
                "enum": ["active", "inactive", "defunct", "temporarily closed"],
            },
            "interpretation_services": TEXT,
            "application_process": TEXT,
            "fees_description": TEXT,
            "accreditations": TEXT,
            "eligibility_description": TEXT,
            "minimum_age": NUMBER,
            "maximum_age": NUMBER,
            "assured_date": DATE,
            "assurer_email": TEXT,
            "alert": TEXT,
            "phones": {"type": "array"},
            "schedules": _array("schedule"),
            "service_areas": {"type": "array"},
            "service_at_locations": _array("service_at_location"),
            "languages": _array("language"),
            "organization": {"$ref": "#/$defs/organization"},
            "funding": {"type": "array"},
            "cost_options": {"type": "array"},
            "program": {"type": "object"},
            "required_documents": {"type": "array"},
            "contacts": {"type": "array"},
            "attributes": _array("attribute"),
            "metadata": {"type": "array"},
        },
        ["id", "name", "status"],
    ),
}


def schema_for(name: str) -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": DEFS,
        "$ref": f"#/$defs/{name}",
    }


def page_of(name: str) -> dict:
    """The HSDS 3.0 API's paginated list."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": DEFS,
        "type": "object",
        "properties": {
            "total_items": {"type": "integer", "minimum": 0},
            "total_pages": {"type": "integer", "minimum": 1},
            "page_number": {"type": "integer", "minimum": 1},
            "size": {"type": "integer", "minimum": 1},
            "first_page": {"type": "boolean"},
            "last_page": {"type": "boolean"},
            "empty": {"type": "boolean"},
            "contents": {"type": "array", "items": {"$ref": f"#/$defs/{name}"}},
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
        "additionalProperties": False,
    }
