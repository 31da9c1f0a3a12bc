# ruff: noqa: F811  (pytest fixtures imported from tests.billing_support)
"""Issue #18, careless and hostile input: powers that must not outlive their rule.

A read-only network takes no writes from the API either; API tokens die with the power that made
them.
"""

from __future__ import annotations

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
from tests.world import build_network

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
