"""Bad input never gets a 500: every route, every method, junk values, as the roles that reach it."""

from __future__ import annotations

import pytest

from tenants.models import Role
from tests import factories as f
from tests.world import build_world

JUNK = [
    {},
    {"name": "", "email": "", "sector": "", "role": "", "password": ""},
    {
        "name": "x" * 20000,
        "email": "@" * 300,
        "sector": "🙂",
        "contact_email": "a@b",
        "role": "god",
    },
    {
        "name": ["a", "b"],
        "languages": ["zz", "<script>"],
        "default_language": "xx",
        "slug": "../etc",
    },
    {"payload": "!!!", "state": "'; DROP TABLE partners; --", "next": "//evil.example"},
    {"name": "null\x00byte", "description": "\x00"},
    {"code": "12345678901234567890123456789", "credential": '{"rawId": [], "response": 5}'},
    {"code": "abcde-fghjk", "credential": "{" * 5000, "label": "🔑" * 200},
    {
        "website": "javascript:alert(1)",
        "phone": "+" * 100,
        "profile-name": "",
        "password-current": "x",
    },
]

ROLES = [Role.STEWARD, Role.PARTNER_ADMIN, Role.SE_COORDINATOR, Role.MUNICIPALITY_VIEWER]
# Blueprints whose answer does not depend on the role: the families' pages, open data, the API
# (its own tokens), sign-in and one's own account, the site. The first role sweeps them; the
# others sweep what a role changes (about 45% of the requests each).
SAME_FOR_EVERY_ROLE = {
    "api",
    "auth",
    "dev",
    "hsds",
    "hsds_profile",
    "metrics",
    "public",
    "set_language",
    "site",
}


def _args(rule, cast):
    values = {
        "slug": cast.network.slug,
        "partner_id": cast.partner_a.id,
        "membership_id": cast.membership_b,
        "token": cast.invitation_token,
        "offer_id": cast.offer_id,
        "session_id": cast.session_id,
        "link_id": cast.link_id,
        "closure_id": cast.closure_id,
        "location_id": cast.location_id,
        "referral_id": cast.referral_id,
        "worker_id": cast.worker_id,
        "roster_id": cast.roster_id,
        "assignment_id": cast.assignment_id,
        "card_id": cast.card_id,
        "feed_token": cast.feed_token,
        "token_id": cast.token_id,
        "item_id": cast.hsds_service_id,
        "provider_id": cast.provider_id,
        "rest": "nothing-here",
        "notification_id": 1,
        "factor_id": 1,  # a second factor: the person's own or 404
        "network_id": cast.network.id,  # the platform admin's routes (others get a 404)
        "code": "en",
        "name": "20260101T000000-00000001.eml",
    }
    return {k: values[k] for k in rule.arguments}


@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_500_to_junk(app, role):
    beringen, _st = build_world(app)
    client = app.test_client()
    f.login(client, beringen.people[role])
    for rule in app.url_map.iter_rules():
        if rule.endpoint in {"static", "bootstrap.static", "auth.logout"}:
            continue
        if role != ROLES[0] and rule.endpoint.split(".")[0] in SAME_FOR_EVERY_ROLE:
            continue
        url = app.url_map.bind("localhost").build(rule.endpoint, _args(rule, beringen))
        for method in sorted(m for m in rule.methods if m in {"GET", "POST"}):
            for junk in JUNK:
                if method == "GET":
                    flat = {k: v for k, v in junk.items() if isinstance(v, str)}
                    response = client.get(url, query_string=flat)
                else:
                    response = client.post(url, data=junk)
                assert response.status_code < 500, (
                    f"{role} {method} {url} {list(junk)}: {response.status_code}"
                )
                if not junk and response.status_code == 403:
                    # the role does not reach this route: refused before any input is read, so
                    # the rest of the junk would be refused the same way (a third of the requests)
                    break


def test_non_numeric_ids_are_404(app):
    beringen, _st = build_world(app)
    client = app.test_client()
    f.login(client, beringen.people[Role.STEWARD])
    assert client.get("/beringen/network/partners/abc").status_code == 404
    assert client.get("/beringen/network/partners/99999999999999999999").status_code == 404
