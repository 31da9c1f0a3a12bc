"""The JSON API: tokens (scopes, expiry, revocation, last use), the same services and rights as
the web pages, and one error shape with a machine-readable code."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from saas.api.models import ApiToken
from saas.audit.models import AuditEvent
from saas.extensions import db
from saas.models_base import utcnow
from saas.referrals.models import Referral, Status
from tenants.context import network_scope
from tenants.models import Role
from tests import factories as f
from tests.api_support import ALL_READ, bearer, token_for
from tests.confirm_support import confirmed
from tests.world import build_world


@pytest.fixture
def world(app):
    return build_world(app)


def _token_row(app, cast, token_id) -> ApiToken:
    with app.app_context(), network_scope(cast.network.id):
        row = db.session.get(ApiToken, token_id)
        db.session.expunge(row)
        return row


def test_offers_are_listed_with_paging_and_filters(app, client, world):
    beringen, _st = world
    secret, _id = token_for(app, beringen, ["offers:read"])
    response = client.get("/api/v1/beringen/offers?per_page=1", headers=bearer(secret))
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 1 and body["pages"] == 1 and body["per_page"] == 1
    assert body["items"][0]["title"] == "Voorleesuurtje beringen"  # published only
    assert "Huisbezoek" not in response.get_data(as_text=True)
    nothing = client.get("/api/v1/beringen/offers?q=zzzz", headers=bearer(secret)).get_json()
    assert nothing["total"] == 0 and nothing["items"] == []
    one = client.get(f"/api/v1/beringen/offers/{beringen.offer_id}", headers=bearer(secret))
    assert one.status_code == 200 and one.get_json()["id"] == beringen.offer_id


def test_missing_and_unknown_tokens_answer_401_in_one_error_shape(client, world):
    response = client.get("/api/v1/beringen/offers")
    assert response.status_code == 401
    assert response.get_json() == {
        "error": {
            "code": "unauthorized",
            "message": response.get_json()["error"]["message"],
            "details": {},
        }
    }
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = client.get("/api/v1/beringen/offers", headers=bearer("dorp_nothing_here"))
    assert wrong.status_code == 401 and wrong.get_json()["error"]["code"] == "invalid_token"


def test_error_messages_follow_accept_language(client, world):
    dutch = client.get("/api/v1/beringen/offers", headers={"Accept-Language": "nl-BE,nl;q=0.9"})
    english = client.get("/api/v1/beringen/offers", headers={"Accept-Language": "en"})
    assert dutch.get_json()["error"]["code"] == english.get_json()["error"]["code"]
    assert dutch.get_json()["error"]["message"] != english.get_json()["error"]["message"]
    assert "Authorization" in english.get_json()["error"]["message"]


def test_read_scope_cannot_write_and_resource_scope_is_enforced(app, client, world):
    beringen, _st = world
    secret, _id = token_for(app, beringen, ["offers:read", "referrals:read"])
    assert (
        client.get("/api/v1/beringen/referrals?box=out", headers=bearer(secret)).status_code == 200
    )
    denied = client.get("/api/v1/beringen/partners", headers=bearer(secret))
    assert denied.status_code == 403
    assert denied.get_json()["error"] == {
        "code": "insufficient_scope",
        "message": denied.get_json()["error"]["message"],
        "details": {"required": "partners:read"},
    }
    write = client.post(
        f"/api/v1/beringen/referrals/{beringen.referral_id}/transitions",
        json={"status": "cancelled"},
        headers=bearer(secret),
    )
    assert write.status_code == 403
    with app.app_context(), network_scope(beringen.network.id):
        assert db.session.get(Referral, beringen.referral_id).status == Status.SENT


def test_write_scope_includes_read(app, client, world):
    beringen, _st = world
    secret, _id = token_for(app, beringen, ["referrals:write"])
    assert (
        client.get("/api/v1/beringen/referrals?box=out", headers=bearer(secret)).status_code == 200
    )


def test_expired_token_is_refused(app, client, world):
    beringen, _st = world
    secret, _id = token_for(app, beringen, ALL_READ, days=1, now=utcnow() - timedelta(days=2))
    response = client.get("/api/v1/beringen/offers", headers=bearer(secret))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "token_expired"


def test_revoked_token_is_refused_and_last_use_is_kept(app, world):
    beringen, _st = world
    secret, token_id = token_for(app, beringen, ALL_READ)
    client = app.test_client()
    assert _token_row(app, beringen, token_id).last_used_at is None
    assert client.get("/api/v1/beringen/offers", headers=bearer(secret)).status_code == 200
    used = _token_row(app, beringen, token_id).last_used_at
    assert used is not None and utcnow() - used < timedelta(minutes=1)
    f.login(client, beringen.people[Role.PARTNER_ADMIN])
    listing = client.get("/beringen/partner/api-tokens/")
    assert listing.status_code == 200
    assert "Systeem a" in listing.get_data(as_text=True)
    assert secret not in listing.get_data(as_text=True)
    assert confirmed(client, f"/beringen/partner/api-tokens/{token_id}/revoke").status_code == 302
    again = app.test_client().get("/api/v1/beringen/offers", headers=bearer(secret))
    assert again.status_code == 401 and again.get_json()["error"]["code"] == "token_revoked"


def test_token_is_shown_once_and_stored_hashed(app, world):
    beringen, _st = world
    client = app.test_client()
    f.login(client, beringen.people[Role.PARTNER_ADMIN])
    response = client.post(
        "/beringen/partner/api-tokens/",
        data={"name": "Ons dossier", "scopes": ["offers:read", "referrals:write"], "days": "90"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    start = page.index('value="dorp_') + len('value="')
    secret = page[start : page.index('"', start)]
    assert len(secret) > 40
    with app.app_context(), network_scope(beringen.network.id):
        row = db.session.execute(
            select(ApiToken).where(ApiToken.name == "Ons dossier")
        ).scalar_one()
        assert row.secret_hash != secret and secret not in row.secret_hash
        assert secret.startswith(f"dorp_{row.prefix}_")
        assert row.scope_list == ["offers:read", "referrals:write"]
        assert timedelta(days=89) < row.expires_at - utcnow() <= timedelta(days=90)
    assert secret not in client.get("/beringen/partner/api-tokens/").get_data(as_text=True)
    works = app.test_client().get("/api/v1/beringen/offers", headers=bearer(secret))
    assert works.status_code == 200


def test_token_form_refuses_bad_input_and_creates_nothing(app, world):
    beringen, _st = world
    client = app.test_client()
    f.login(client, beringen.people[Role.PARTNER_ADMIN])
    for data in (
        {"name": "", "scopes": ["offers:read"], "days": "90"},
        {"name": "Geen rechten", "days": "90"},
        {"name": "Raar", "scopes": ["offers:write"], "days": "90"},
        {"name": "Te lang", "scopes": ["offers:read"], "days": "9999"},
    ):
        assert client.post("/beringen/partner/api-tokens/", data=data).status_code == 422
    with app.app_context(), network_scope(beringen.network.id):
        mine = select(ApiToken).where(ApiToken.partner_id == beringen.partner_a.id)
        assert db.session.execute(mine).first() is None


def test_only_partner_admins_manage_tokens(app, world):
    beringen, _st = world
    for role in (Role.PARTNER_MEMBER, Role.STEWARD, Role.SE_COORDINATOR):
        client = app.test_client()
        f.login(client, beringen.people[role])
        assert client.get("/beringen/partner/api-tokens/").status_code == 403


def test_partner_admin_cannot_revoke_another_partners_token(app, world):
    beringen, _st = world
    _secret, token_id = token_for(app, beringen, ALL_READ, side="b")
    client = app.test_client()
    f.login(client, beringen.people[Role.PARTNER_ADMIN])  # partner A
    assert client.post(f"/beringen/partner/api-tokens/{token_id}/revoke").status_code == 404
    assert _token_row(app, beringen, token_id).revoked_at is None


def test_token_stops_working_when_its_creator_leaves_the_partner(app, client, world):
    beringen, _st = world
    secret, _id = token_for(app, beringen, ALL_READ)
    from tenants.models import Membership

    with app.app_context(), network_scope(beringen.network.id):
        for m in db.session.execute(
            select(Membership).where(Membership.user_id == beringen.people[Role.PARTNER_ADMIN].id)
        ).scalars():
            db.session.delete(m)
        db.session.commit()
    response = client.get("/api/v1/beringen/offers", headers=bearer(secret))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "token_inactive"


# --- referrals through the API: the web's lifecycle, consent and audit ------------------------------


FAMILY = {
    "family_label": "Gezin Z.",
    "question": "Zoekt een plek in de kinderopvang",
    "age_bands": ["0-3"],
    "languages": ["nl", "ar"],
    "preferred_days": ["mo"],
}


def test_partner_refers_a_family_and_the_receiver_moves_it_on(app, world):
    beringen, _st = world
    sender, _a = token_for(app, beringen, ["referrals:write"])
    receiver, _b = token_for(app, beringen, ["referrals:write"], side="b")
    client = app.test_client()
    created = client.post(
        "/api/v1/beringen/referrals",
        json={
            "to_partner_id": beringen.partner_b.id,
            "family": FAMILY,
            "consent": {"given_by": "parent", "purpose": "Doorverwijzing naar opvang"},
        },
        headers=bearer(sender),
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["status"] == "sent" and body["direction"] == "sent"
    assert body["family"]["family_label"] == "Gezin Z."
    assert body["consent"]["given_by"] == "parent"
    assert created.headers["Location"].endswith(f"/referrals/{body['id']}")
    seen = client.get(f"/api/v1/beringen/referrals/{body['id']}", headers=bearer(receiver))
    assert seen.get_json()["status"] == "received"
    assert "accepted" in seen.get_json()["allowed_transitions"]
    declined = client.post(
        f"/api/v1/beringen/referrals/{body['id']}/transitions",
        json={"status": "declined"},
        headers=bearer(receiver),
    )
    assert declined.status_code == 422 and "reason" in declined.get_json()["error"]["details"]
    accepted = client.post(
        f"/api/v1/beringen/referrals/{body['id']}/transitions",
        json={"status": "accepted"},
        headers=bearer(receiver),
    )
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    wrong_side = client.post(
        f"/api/v1/beringen/referrals/{body['id']}/transitions",
        json={"status": "completed", "outcome": "helped"},
        headers=bearer(sender),
    )
    assert wrong_side.status_code == 409
    assert wrong_side.get_json()["error"]["code"] == "conflict"
    with app.app_context(), network_scope(beringen.network.id):
        actions = set(db.session.execute(select(AuditEvent.action)).scalars())
    assert {"referral.created", "referral.sent", "referral.viewed", "referral.accepted"} <= actions


def test_sending_without_consent_is_refused_and_nothing_is_created(app, client, world):
    beringen, _st = world
    secret, _id = token_for(app, beringen, ["referrals:write"])
    with app.app_context(), network_scope(beringen.network.id):
        before = len(db.session.execute(select(Referral.id)).all())
    for body in (
        {"to_partner_id": beringen.partner_b.id, "family": FAMILY},
        {
            "to_partner_id": beringen.partner_a.id,
            "family": FAMILY,
            "consent": {"given_by": "parent", "purpose": "x"},
        },
        {
            "to_partner_id": beringen.partner_b.id,
            "family": {**FAMILY, "family_label": ""},
            "consent": {"given_by": "parent", "purpose": "x"},
        },
        {
            "to_partner_id": 999999,
            "family": FAMILY,
            "consent": {"given_by": "parent", "purpose": "x"},
        },
        {"to_partner_id": beringen.partner_b.id, "family": FAMILY, "extra": 1},
    ):
        response = client.post("/api/v1/beringen/referrals", json=body, headers=bearer(secret))
        assert response.status_code == 422, body
        assert response.get_json()["error"]["code"] == "validation_error"
        assert response.get_json()["error"]["details"]
    assert (
        client.post(
            "/api/v1/beringen/referrals", data="not json", headers=bearer(secret)
        ).status_code
        == 415
    )
    assert (
        client.post("/api/v1/beringen/referrals", json=[1, 2], headers=bearer(secret)).get_json()[
            "error"
        ]["code"]
        == "invalid_json"
    )
    with app.app_context(), network_scope(beringen.network.id):
        assert len(db.session.execute(select(Referral.id)).all()) == before


def test_referral_list_reads_are_audited_like_the_web(app, client, world):
    beringen, _st = world
    secret, _id = token_for(app, beringen, ["referrals:read"])
    response = client.get("/api/v1/beringen/referrals?box=out", headers=bearer(secret))
    assert [r["id"] for r in response.get_json()["items"]] == [beringen.referral_id]
    with app.app_context(), network_scope(beringen.network.id):
        listed = (
            db.session.execute(select(AuditEvent).where(AuditEvent.action == "referral.listed"))
            .scalars()
            .all()
        )
    assert [(e.details, e.actor_id) for e in listed] == [
        ({"ids": [beringen.referral_id]}, beringen.people[Role.PARTNER_ADMIN].id)
    ]


def test_bad_query_values_are_400_not_500(app, client, world):
    beringen, _st = world
    secret, _id = token_for(app, beringen)
    for url in (
        "/api/v1/beringen/offers?page=0",
        "/api/v1/beringen/offers?per_page=1000",
        "/api/v1/beringen/sessions?from=yesterday",
        "/api/v1/beringen/sessions?from=2027-01-01&to=2029-01-01",
        "/api/v1/beringen/referrals?status=lost",
    ):
        response = client.get(url, headers=bearer(secret))
        assert response.status_code == 400, url
        assert response.get_json()["error"]["code"] == "bad_request"


def test_sessions_partners_and_notifications(app, client, world):
    beringen, _st = world
    secret, _id = token_for(app, beringen)
    sessions = client.get(
        "/api/v1/beringen/sessions?from=2027-03-01&to=2027-04-01", headers=bearer(secret)
    ).get_json()
    assert sessions["total"] >= 4 and {s["offer_id"] for s in sessions["items"]} == {
        beringen.offer_id
    }
    one = client.get(f"/api/v1/beringen/sessions/{beringen.session_id}", headers=bearer(secret))
    assert one.status_code == 200
    partners = client.get("/api/v1/beringen/partners", headers=bearer(secret)).get_json()
    assert {p["name"] for p in partners["items"]} == {
        beringen.partner_a.name,
        beringen.partner_b.name,
    }
    assert beringen.partner_a.email not in str(partners)
    notices = client.get("/api/v1/beringen/notifications", headers=bearer(secret)).get_json()
    assert notices["total"] >= 0


def test_the_receiver_notice_can_be_marked_read(app, client, world):
    beringen, _st = world
    secret, _id = token_for(app, beringen, ["notifications:write"], side="b")
    notices = client.get("/api/v1/beringen/notifications?unread=1", headers=bearer(secret))
    items = notices.get_json()["items"]
    assert items, "the receiver was notified of the referral sent to it"
    marked = client.post(
        f"/api/v1/beringen/notifications/{items[0]['id']}/read", headers=bearer(secret)
    )
    assert marked.status_code == 200 and marked.get_json()["read_at"]
    left = client.get("/api/v1/beringen/notifications?unread=1", headers=bearer(secret))
    assert left.get_json()["total"] == len(items) - 1


def test_token_rate_limit_is_per_token(make_app, app, world):
    from saas.extensions import limiter

    beringen, _st = world
    first, _a = token_for(app, beringen, ALL_READ)
    second, _b = token_for(app, beringen, ALL_READ, side="b")
    limited = make_app({"RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "3 per minute"})
    try:
        client = limited.test_client()
        codes = [
            client.get("/api/v1/beringen/offers", headers=bearer(first)).status_code
            for _ in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        refused = client.get("/api/v1/beringen/offers", headers=bearer(first))
        assert refused.get_json()["error"]["code"] == "rate_limited"
        assert client.get("/api/v1/beringen/offers", headers=bearer(second)).status_code == 200
    finally:
        limiter.enabled = False  # one limiter per process: leave it as the other tests expect


def test_openapi_document_and_docs_page(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert "token" in document["components"]["securitySchemes"]
    assert "Error" in document["components"]["schemas"]
    post = document["paths"]["/api/v1/{slug}/referrals"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "ReferralCreate"
    )
    assert {"400", "401", "403", "404", "422", "429"} <= set(post["responses"])
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/{slug}/referrals/{referral_id}/transitions" in html
    assert "ReferralCreate" in html and "curl" in html
    assert "cdn" not in html.lower() and "<script" not in html


def test_unknown_api_paths_answer_in_the_api_error_shape(client):
    for url in ("/api/v1/beringen/nothing", "/api/v2/whatever", "/api/v1/beringen/offers/-1"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
        assert response.get_json()["error"]["details"] == {}


def test_text_no_database_can_store_is_refused(app, client, world):
    beringen, _st = world
    secret, _id = token_for(app, beringen, ["referrals:write"])
    for question in ("nul\x00byte", "lone \ud800 surrogate"):
        body = {"to_partner_id": beringen.partner_b.id, "family": {**FAMILY, "question": question}}
        response = client.post(
            "/api/v1/beringen/referrals",
            data=json.dumps(body),
            headers=bearer(secret, **{"Content-Type": "application/json"}),
        )
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "invalid_json"
