"""The web forms' dates and numbers, fuzzed (issue #18): the ends of the calendar, the edges of
saas.bounds' window, empty values, garbage, huge and negative numbers, 2**31 and 2**63, posted to
every form with a date or a number field, signed in with the role that may use it. Nothing answers
5xx, and a form that is refused (anything but its success redirect) writes nothing.

| form                       | where                                    | who                   | fuzzed fields                                      |
|----------------------------|------------------------------------------|-----------------------|----------------------------------------------------|
| offer                      | POST catalogue/offers/new                | partner admin         | start_date, until, age_min, age_max, capacity, cost_amount |
| parent salon               | POST catalogue/offers/new?salon=1        | SE coordinator        | start_date, until, capacity, speaker_partner_id    |
| session move               | POST catalogue/sessions/<id>/move        | organiser's admin     | day, location_id                                   |
| attendance (headcount)     | POST catalogue/sessions/<id>/headcount   | organiser's admin     | adults, children_*, first_time_families, kindergarten_on_time |
| closure period             | POST catalogue/places                    | steward               | closure-starts_on, closure-ends_on                 |
| roster                     | POST team/rosters                        | SE coordinator        | starts_on, ends_on                                 |
| roster assignment by hand  | POST team/rosters/<id>/assign            | SE coordinator        | worker_id, session_id                              |
| flexibility card           | POST team/workers/<id>/card              | worker                | valid_from                                         |
| worker profile             | POST team/workers/<id>                   | SE coordinator        | contract_hours, max_travel_km                      |
| worker into the planning   | POST team/workers                        | SE coordinator        | user_id                                            |
| team slot                  | POST team/team-slot                      | SE coordinator        | weekday                                            |
| demand                     | POST team/demand                         | SE coordinator        | offer_id, workers                                  |
| school wish                | POST team/schools/<id>                   | SE coordinator        | hours_per_week                                     |
| school's fixed contact     | POST team/schools/<id>/contact           | SE coordinator        | worker_id                                          |
| API token                  | POST partner/api-tokens/                 | partner admin         | days                                               |
| referral                   | POST referrals/new                       | partner admin         | to_partner_id, offer_id, session_id                |
| my week                    | GET team/my-week                         | worker                | week                                               |
| network health period      | GET municipality/                        | municipality viewer   | year, quarter, month                               |
| catalogue filters          | GET catalogue/                           | steward               | age, day, line, type, partner, page                |
| families' week             | GET /                                    | anyone                | age, day, line, type, partner, page                |
| flyer                      | GET flyer                                | anyone                | from, location, partner, age, day                  |
| open data                  | GET hsds/services                        | anyone                | modified_after, page, per_page, filter ids        |

Bounded so it runs in every CI run on both backends: a few derandomized examples per form, no
deadline, one network built per form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, literal, select, union_all

from saas.catalogue.models import ActivitySession
from saas.extensions import db
from saas.workforce.models import SchoolWish, StaffingNeed, WorkerProfile
from tenants.context import network_scope
from tenants.models import Role
from tests import catalogue_factories as cf
from tests import factories as f
from tests.world import NetworkCast, build_network

EXTREME_DATES = [
    "0001-01-01",
    "9999-12-31",
    "1999-12-31",
    "2100-01-01",
    "2000-01-01",
    "2099-12-31",
    "",
    "garbage",
    "2027-02-30",
    "99999-01-01",
    "-2027-01-01",
    "2027-1-1",
    "\x00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
]
EXTREME_NUMBERS = [
    str(2**31),
    str(2**31 - 1),
    str(-(2**31) - 1),
    str(2**63),
    str(-(2**63)),
    "99999999999999999999999999",
    "-1",
    "0",
    "",
    "abc",
    "1e400",
    "1.5",
    "NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "1E+999999999",
    "٣",  # an Arabic-Indic digit: int() reads it
]
DATE, NUMBER = "date", "number"
# the values the issue names, tried in each field alone (the others valid)
LANDMARKS = {
    DATE: ["0001-01-01", "9999-12-31", "1999-12-31", "2100-01-01", "", "garbage"],
    NUMBER: [str(2**31), str(2**63), str(-(2**31) - 1), "-1", "", "sNaN"],
}
EXTREMES = {DATE: EXTREME_DATES, NUMBER: EXTREME_NUMBERS}
STRATEGIES = {
    DATE: st.sampled_from(EXTREME_DATES) | st.dates().map(date.isoformat) | st.text(max_size=12),
    NUMBER: (
        st.sampled_from(EXTREME_NUMBERS)
        | st.integers(min_value=-(2**70), max_value=2**70).map(str)
        | st.text(max_size=8)
    ),
}


@dataclass(frozen=True)
class FormCase:
    name: str
    method: str
    url: str  # formatted with the cast's ids
    who: str  # a Role value, "colleague_b" (partner B's admin) or "anyone"
    fields: dict[str, str]  # name: DATE or NUMBER
    base: Callable[[NetworkCast], dict] = field(default=lambda cast: {})
    accepted: int = 302  # the status of a form that was taken (anything else: refused)


def _offer(cast: NetworkCast) -> dict:
    start = date.today() + timedelta(days=2)
    return {
        "partner_id": cast.partner_a.id,
        "title": "Peuterspeelmoment",
        "type_id": cast.type_id,
        "location_id": cast.location_id,
        "age_min": "0",
        "age_min_unit": "years",
        "age_max": "6",
        "age_max_unit": "years",
        "languages": ["nl"],
        "cost_kind": "amount",
        "cost_amount": "2.50",
        "capacity": "12",
        "start_date": start.isoformat(),
        "start_time": "09:30",
        "end_time": "11:00",
        "frequency": "weekly",
        "weekdays": [("MO", "TU", "WE", "TH", "FR", "SA", "SU")[start.weekday()]],
        "until": (start + timedelta(weeks=3)).isoformat(),
        "speaker_partner_id": "0",
        "publish": "1",
    }


def _salon(cast: NetworkCast) -> dict:
    return {**_offer(cast), "partner_id": cast.se_partner_id, "type_id": cast.salon_type_id}


HEADCOUNT = [
    "adults",
    "children_0_3",
    "children_3_6",
    "children_6_12",
    "children_12_plus",
    "first_time_families",
    "kindergarten_on_time",
]

FORMS = [
    FormCase(
        "offer",
        "POST",
        "/beringen/catalogue/offers/new",
        Role.PARTNER_ADMIN.value,
        {
            "start_date": DATE,
            "until": DATE,
            "age_min": NUMBER,
            "age_max": NUMBER,
            "capacity": NUMBER,
            "cost_amount": NUMBER,
        },
        _offer,
    ),
    FormCase(
        "parent salon",
        "POST",
        "/beringen/catalogue/offers/new?salon=1",
        Role.SE_COORDINATOR.value,
        {"start_date": DATE, "until": DATE, "capacity": NUMBER, "speaker_partner_id": NUMBER},
        _salon,
    ),
    FormCase(
        "session move",
        "POST",
        "/beringen/catalogue/sessions/{session_id}/move",
        "colleague_b",
        {"day": DATE, "location_id": NUMBER},
        lambda c: {"start_time": "13:00", "end_time": "14:00", "location_id": c.location_id},
    ),
    FormCase(
        "attendance",
        "POST",
        "/beringen/catalogue/sessions/{session_id}/headcount",
        "colleague_b",
        dict.fromkeys(HEADCOUNT, NUMBER),
        lambda c: dict.fromkeys(HEADCOUNT, "1"),
    ),
    FormCase(
        "closure period",
        "POST",
        "/beringen/catalogue/places",
        Role.STEWARD.value,
        {"closure-starts_on": DATE, "closure-ends_on": DATE},
        lambda c: {"closure-kind": "closure", "closure-label": "Teamdag"},
    ),
    FormCase(
        "roster",
        "POST",
        "/beringen/team/rosters",
        Role.SE_COORDINATOR.value,
        {"starts_on": DATE, "ends_on": DATE},
    ),
    FormCase(
        "roster assignment by hand",
        "POST",
        "/beringen/team/rosters/{roster_id}/assign",
        Role.SE_COORDINATOR.value,
        {"worker_id": NUMBER, "session_id": NUMBER},
    ),
    FormCase(
        "flexibility card",
        "POST",
        "/beringen/team/workers/{worker_id}/card",
        Role.SE_WORKER.value,
        {"valid_from": DATE},
        lambda c: {f"c-{d}-{h}": "g" for d in range(7) for h in range(7, 20)},
    ),
    FormCase(
        "worker profile",
        "POST",
        "/beringen/team/workers/{worker_id}",
        Role.SE_COORDINATOR.value,
        {"contract_hours": NUMBER, "max_travel_km": NUMBER},
        lambda c: {"languages": ["nl"], "active": "y"},
    ),
    FormCase(
        "worker into the planning",
        "POST",
        "/beringen/team/workers",
        Role.SE_COORDINATOR.value,
        {"user_id": NUMBER},
    ),
    FormCase(
        "team slot",
        "POST",
        "/beringen/team/team-slot",
        Role.SE_COORDINATOR.value,
        {"weekday": NUMBER},
        lambda c: {"label": "Intervisie", "start_time": "09:00", "end_time": "10:00"},
    ),
    FormCase(
        "demand",
        "POST",
        "/beringen/team/demand",
        Role.SE_COORDINATOR.value,
        {"offer_id": NUMBER, "workers": NUMBER},
        lambda c: {"offer_id": c.offer_id, "skills": ["reading_aloud"]},
    ),
    FormCase(
        "school wish",
        "POST",
        "/beringen/team/schools/{partner_b}",
        Role.SE_COORDINATOR.value,
        {"hours_per_week": NUMBER},
        lambda c: {"weekdays": ["0"], "start_time": "12:00", "end_time": "13:00"},
    ),
    FormCase(
        "school's fixed contact",
        "POST",
        "/beringen/team/schools/{partner_b}/contact",
        Role.SE_COORDINATOR.value,
        {"worker_id": NUMBER},
    ),
    FormCase(
        "API token",
        "POST",
        "/beringen/partner/api-tokens/",
        Role.PARTNER_ADMIN.value,
        {"days": NUMBER},
        lambda c: {"name": "Agenda", "scopes": ["offers:read"]},
        accepted=200,  # the page shows the new token once
    ),
    FormCase(
        "referral",
        "POST",
        "/beringen/referrals/new",
        Role.PARTNER_ADMIN.value,
        {"to_partner_id": NUMBER, "offer_id": NUMBER, "session_id": NUMBER},
        lambda c: {
            "from_partner_id": c.partner_a.id,
            "to_partner_id": c.partner_b.id,
            "family_label": "Mama van A.",
            "question": "Zoekt een speelmoment",
            "contact_way": "sender",
            "consent_given_by": "parent",
            "consent_purpose": "Doorverwijzing",
        },
    ),
    FormCase("my week", "GET", "/beringen/team/my-week", Role.SE_WORKER.value, {"week": DATE}),
    FormCase(
        "network health period",
        "GET",
        "/beringen/municipality/",
        Role.MUNICIPALITY_VIEWER.value,
        {"year": NUMBER, "quarter": NUMBER, "month": NUMBER},
        lambda c: {"kind": "month"},
    ),
    FormCase(
        "catalogue filters",
        "GET",
        "/beringen/catalogue/",
        Role.STEWARD.value,
        dict.fromkeys(["age", "day", "line", "type", "partner", "page"], NUMBER),
    ),
    FormCase(
        "families' week",
        "GET",
        "/beringen/",
        "anyone",
        dict.fromkeys(["age", "day", "line", "type", "partner", "page"], NUMBER),
    ),
    FormCase(
        "flyer",
        "GET",
        "/beringen/flyer",
        "anyone",
        {"from": DATE, "location": NUMBER, "partner": NUMBER, "age": NUMBER, "day": NUMBER},
        lambda c: {"period": "month"},
    ),
    FormCase(
        "open data",
        "GET",
        "/beringen/hsds/services",
        "anyone",
        {
            "modified_after": DATE,
            "page": NUMBER,
            "per_page": NUMBER,
            "organization_id": DATE,  # a UUID: any text is junk to it
            "taxonomy_term_id": DATE,
        },
    ),
]


def _cast(app) -> NetworkCast:
    cast = build_network(app, "beringen")
    se = f.partner(app, cast.network, "Maatwerkbedrijf Kompas")
    cast.se_partner_id = se.id
    cast.type_id = cf.type_id(app, cast.network, "voorschools_klasje")
    cast.salon_type_id = cf.type_id(app, cast.network, "oudersalon")
    return cast


def _client(app, cast: NetworkCast, who: str):
    client = app.test_client()
    if who == "colleague_b":
        f.login(client, cast.colleague_b)
    elif who != "anyone":
        f.login(client, cast.people[Role(who)])
    return client


def _fingerprint(app, cast: NetworkCast) -> tuple:
    """How many rows every table holds, and the rows an update form changes in place."""
    with app.app_context(), network_scope(cast.network.id):
        # every table's count in one statement (one round trip instead of one per table)
        counts = tuple(
            count
            for _i, count in sorted(
                db.session.execute(
                    union_all(
                        *(
                            select(literal(i), func.count()).select_from(table)
                            for i, table in enumerate(db.metadata.sorted_tables)
                        )
                    )
                ).all()
            )
        )
        in_place = (
            db.session.execute(
                select(
                    ActivitySession.starts_at,
                    ActivitySession.ends_at,
                    ActivitySession.location_id,
                ).where(ActivitySession.id == cast.session_id)
            ).one(),
            db.session.execute(
                select(WorkerProfile.contract_minutes, WorkerProfile.max_travel_km).where(
                    WorkerProfile.id == cast.worker_id
                )
            ).one(),
            db.session.execute(select(SchoolWish.hours_per_week)).all(),
            db.session.execute(select(StaffingNeed.workers)).all(),
        )
        return counts, tuple(tuple(row) for row in in_place[:2]), in_place[2:]


@pytest.mark.parametrize("case", FORMS, ids=[case.name for case in FORMS])
def test_extreme_dates_and_numbers_never_break_a_form(app, case):
    cast = _cast(app)
    client = _client(app, cast, case.who)
    ids = {
        "session_id": cast.session_id,
        "roster_id": cast.roster_id,
        "worker_id": cast.worker_id,
        "partner_b": cast.partner_b.id,
    }
    url = case.url.format(**ids)
    base = case.base(cast)

    def check(data: dict) -> None:
        if case.method == "GET":
            response = client.get(url, query_string=data)
            assert response.status_code < 500, (url, data, response.status_code)
            return
        before = _fingerprint(app, cast)
        response = client.post(url, data=data)
        assert response.status_code < 500, (url, data, response.status_code)
        if response.status_code != case.accepted:  # refused: nothing written
            assert _fingerprint(app, cast) == before, (url, data, response.status_code)

    # every extreme value in every field, all fields at once
    for i in range(max(len(EXTREMES[kind]) for kind in case.fields.values())):
        values = {
            name: EXTREMES[kind][i % len(EXTREMES[kind])] for name, kind in case.fields.items()
        }
        check({**base, **values})

    # each landmark alone beside valid values, so the services' own checks are reached
    for name, kind in case.fields.items():
        for value in LANDMARKS[kind]:
            check({**base, name: value})

    # then any values, a few fields at a time
    strategies = {name: STRATEGIES[kind] for name, kind in case.fields.items()}

    @given(values=st.fixed_dictionaries({}, optional=strategies))
    @settings(
        max_examples=6,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(values):
        check({**base, **values})

    run()
