# ruff: noqa: F811  (pytest fixtures imported from tests.billing_support)
"""Issue #18, careless and hostile input: powers that must not outlive their rule.

A read-only network takes no writes from the API either; API tokens die with the power that made
them.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.api.models import ApiToken
from saas.audit.models import AuditEvent
from saas.billing.models import Subscription, SubscriptionStatus
from saas.extensions import db
from saas.referrals.models import Referral, Status
from tenants.context import network_scope
from tenants.models import Membership, Role
from tests import factories as f
from tests.api_support import ALL, bearer, token_for
from tests.billing_support import (  # noqa: F401  (fixtures)
    _billing_app,
    bclient,
    bctx,
    billing_app,
    stripe_server,
)
from tests.confirm_support import confirmed
from tests.world import build_network, build_world


@pytest.fixture
def world(app):
    return build_world(app)


FAMILY = {
    "family_label": "Gezin R.",
    "question": "Zoekt opvang",
    "age_bands": ["0-3"],
    "languages": ["nl"],
    "preferred_days": ["mo"],
}


def _cancel(app, cast) -> None:
    with app.app_context(), network_scope(cast.network.id):
        db.session.add(
            Subscription(status=SubscriptionStatus.CANCELLED, plan="small", interval="monthly")
        )
        db.session.commit()


def _referral_state(app, cast) -> tuple[Status, int]:
    with app.app_context(), network_scope(cast.network.id):
        referral = db.session.get(Referral, cast.referral_id)
        count = len(db.session.execute(select(Referral.id)).all())
        return referral.status, count


# --- 3. a read-only network is read-only for API tokens too ------------------------------------


def test_a_read_only_network_refuses_api_writes_in_the_api_error_shape(billing_app, bctx):
    beringen = build_network(billing_app, "beringen")
    sender, _a = token_for(billing_app, beringen, ALL)
    receiver, _b = token_for(billing_app, beringen, ALL, side="b")
    _cancel(billing_app, beringen)
    client = billing_app.test_client()
    before = _referral_state(billing_app, beringen)

    attempts = [
        (
            "/api/v1/beringen/referrals",
            sender,
            {
                "to_partner_id": beringen.partner_b.id,
                "family": FAMILY,
                "consent": {"given_by": "parent", "purpose": "Doorverwijzing"},
            },
        ),
        (f"/api/v1/beringen/referrals/{beringen.referral_id}/messages", sender, {"body": "Hallo"}),
        (
            f"/api/v1/beringen/referrals/{beringen.referral_id}/transitions",
            receiver,
            {"status": "accepted"},
        ),
    ]
    for url, secret, body in attempts:
        refused = client.post(url, json=body, headers=bearer(secret, **{"Accept-Language": "en"}))
        assert refused.status_code == 403, (url, refused.get_json())
        error = refused.get_json()["error"]
        assert error["code"] == "read_only"
        assert "read-only" in error["message"]
    assert _referral_state(billing_app, beringen) == before
    # reading still works
    seen = client.get(f"/api/v1/beringen/referrals/{beringen.referral_id}", headers=bearer(sender))
    assert seen.status_code == 200


def test_a_read_only_network_still_refuses_web_writes_with_its_page(billing_app, bctx, bclient):
    beringen = build_network(billing_app, "beringen")
    _cancel(billing_app, beringen)
    f.login(bclient, beringen.people[Role.PARTNER_ADMIN])
    refused = bclient.post("/beringen/partner/profile", data={"name": "Nieuwe naam"})
    assert refused.status_code == 403
    assert "Dit netwerk kan alleen gelezen worden" in refused.get_data(as_text=True)


def test_api_writes_work_while_the_network_is_paid_for(billing_app, bctx):
    beringen = build_network(billing_app, "beringen")
    sender, _a = token_for(billing_app, beringen, ALL)
    with billing_app.app_context(), network_scope(beringen.network.id):
        db.session.add(
            Subscription(status=SubscriptionStatus.ACTIVE, plan="small", interval="monthly")
        )
        db.session.commit()
    sent = billing_app.test_client().post(
        f"/api/v1/beringen/referrals/{beringen.referral_id}/messages",
        json={"body": "Hallo"},
        headers=bearer(sender),
    )
    assert sent.status_code == 201, sent.get_json()


# --- 10. an API token dies with the power that made it -------------------------------------------


def _membership_id(app, cast, user_id: int, role: Role) -> int:
    with app.app_context(), network_scope(cast.network.id):
        return db.session.execute(
            select(Membership.id).where(Membership.user_id == user_id, Membership.role == role)
        ).scalar_one()


def test_a_removed_admins_token_stays_revoked_when_they_come_back_as_a_member(app, world):
    beringen, _st = world
    maker = beringen.people[Role.PARTNER_ADMIN]
    secret, token_id = token_for(app, beringen, ALL)
    api = app.test_client()
    assert api.get("/api/v1/beringen/offers", headers=bearer(secret)).status_code == 200

    other_admin = f.user(
        app, "tweede@beringen.example", (beringen.network, Role.PARTNER_ADMIN, beringen.partner_a)
    )
    web = app.test_client()
    f.login(web, other_admin)
    membership_id = _membership_id(app, beringen, maker.id, Role.PARTNER_ADMIN)
    removed = confirmed(web, f"/beringen/partner/colleagues/{membership_id}/remove")
    assert removed.status_code == 302
    assert api.get("/api/v1/beringen/offers", headers=bearer(secret)).status_code == 401

    # re-invited as a plain member, through the colleagues page, and accepted
    invited = web.post(
        "/beringen/partner/colleagues",
        data={"email": maker.email, "role": Role.PARTNER_MEMBER.value},
    )
    assert invited.status_code == 302
    f.login(web, maker)
    with app.app_context(), network_scope(beringen.network.id):
        from saas.onboarding import invitations
        from tenants.models import Invitation

        invitation = db.session.execute(
            select(Invitation).where(
                Invitation.email == maker.email, Invitation.accepted_at.is_(None)
            )
        ).scalar_one()
        link = f"/beringen/invitation/{invitations.token_for(invitation)}"
    assert web.post(link, data={}).status_code == 302
    assert _membership_id(app, beringen, maker.id, Role.PARTNER_MEMBER)

    for attempt in (
        api.get("/api/v1/beringen/offers", headers=bearer(secret)),
        api.post(
            f"/api/v1/beringen/referrals/{beringen.referral_id}/messages",
            json={"body": "Terug van weggeweest"},
            headers=bearer(secret),
        ),
    ):
        assert attempt.status_code == 401
        assert attempt.get_json()["error"]["code"] == "token_revoked"
    with app.app_context(), network_scope(beringen.network.id):
        row = db.session.get(ApiToken, token_id)
        assert row.revoked_at is not None
        audit = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "api_token.revoked")
        ).scalar_one()
        assert (audit.object_id, audit.actor_id) == (token_id, other_admin.id)
        assert audit.details["reason"] == "maker_lost_admin_role"


def test_removing_a_plain_member_leaves_the_partners_tokens_alone(app, world):
    beringen, _st = world
    secret, _id = token_for(app, beringen, ALL)
    web = app.test_client()
    f.login(web, beringen.people[Role.PARTNER_ADMIN])
    member = beringen.people[Role.PARTNER_MEMBER]
    membership_id = _membership_id(app, beringen, member.id, Role.PARTNER_MEMBER)
    assert confirmed(web, f"/beringen/partner/colleagues/{membership_id}/remove").status_code == 302
    api = app.test_client()
    assert api.get("/api/v1/beringen/offers", headers=bearer(secret)).status_code == 200


def test_a_token_whose_maker_is_only_a_member_now_is_refused_on_every_request(app, world):
    """Defence in depth: even if a token row escaped revocation, the sign-in asks for the maker's
    current admin role for the token's partner."""
    beringen, _st = world
    maker = beringen.people[Role.PARTNER_ADMIN]
    secret, _id = token_for(app, beringen, ALL)
    with app.app_context(), network_scope(beringen.network.id):
        membership = db.session.execute(
            select(Membership).where(Membership.user_id == maker.id)
        ).scalar_one()
        membership.role = Role.PARTNER_MEMBER  # demoted behind the services' back
        db.session.commit()
    refused = app.test_client().get("/api/v1/beringen/offers", headers=bearer(secret))
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "token_inactive"
