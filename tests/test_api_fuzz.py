"""Schema-driven fuzzing of the JSON API: schemathesis generates requests from the OpenAPI
document and checks that nothing answers 5xx and that every response matches its schema.

Bounded (a few derandomized examples per operation, no deadline) so it runs in every CI run, on
both backends, authenticated with a real token of partner B (the receiver of world.py's referral),
with the path's ids pointing at that network's real objects so the requests reach the services.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import select

from saas.extensions import db
from tenants.context import network_scope
from tests.api_support import ALL, bearer, token_for
from tests.world import build_world


@pytest.fixture
def fuzz_target(app):
    beringen, _st = build_world(app)
    secret, _id = token_for(app, beringen, ALL, side="b")
    from saas.notifications.models import Notification

    with app.app_context(), network_scope(beringen.network.id):
        notification_id = db.session.execute(select(Notification.id)).scalars().first()
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    path = {
        "slug": "beringen",
        "offer_id": beringen.offer_id,
        "session_id": beringen.session_id,
        "partner_id": beringen.partner_a.id,
        "referral_id": beringen.referral_id,
        "notification_id": notification_id,
    }
    return loaded, path, bearer(secret)


def test_api_answers_every_generated_request_within_its_schema(fuzz_target):
    # One hypothesis run per operation (schemathesis' lazy pytest fixture loader does not work
    # with pytest 9, so the operations are walked here).
    loaded, path, headers = fuzz_target
    operations = [result.ok() for result in loaded.get_all_operations()]
    assert len(operations) >= 13
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.path_parameters = {name: path[name] for name in case.path_parameters or {}}
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        run()
