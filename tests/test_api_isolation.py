"""Tenant isolation for the JSON API, generated from the URL map like the web's matrix.

A Beringen token on Sint-Truiden's URLs (or on its own URLs with Sint-Truiden's ids) gets 404 and
no data; inside a network a partner's token only ever sees the referrals its partner sent or
received.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.accounts.models import User
from saas.extensions import db
from saas.partners.models import Partner, Sector
from saas.referrals import services as referrals
from saas.referrals.models import Referral
from tenants.context import network_scope
from tenants.models import Role
from tests import factories as f
from tests.api_support import ALL, bearer, token_for
from tests.world import build_world

BODIES = {"POST": {"status": "cancelled", "body": "x"}}


@pytest.fixture
def world(app):
    return build_world(app)


def _api_rules(app):
    return [
        r
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("api.") and "slug" in r.arguments
    ]


def _ids(app, cast) -> dict:
    return {
        "offer_id": cast.offer_id,
        "session_id": cast.session_id,
        "partner_id": cast.partner_b.id,
        "referral_id": cast.referral_id,
        "notification_id": _a_notification(app, cast),
    }


def _a_notification(app, cast) -> int:
    """The notice partner B's admin received about the referral in world.py."""
    from saas.notifications.models import Notification

    with app.app_context(), network_scope(cast.network.id):
        found = db.session.execute(select(Notification.id)).scalars().first()
    assert found, "the referral in world.py notified partner B"
    return found


def _url(app, rule, slug: str, ids: dict) -> str:
    args = {"slug": slug, **{k: ids[k] for k in rule.arguments if k != "slug"}}
    return app.url_map.bind("localhost").build(rule.endpoint, args)


def test_every_api_route_is_guarded_by_a_token_scope(app):
    rules = _api_rules(app)
    assert len(rules) >= 10
    for rule in rules:
        assert hasattr(app.view_functions[rule.endpoint], "api_scope"), rule.endpoint


@pytest.mark.parametrize("side", ["a", "b"])
def test_beringen_token_gets_404_and_no_data_on_every_sint_truiden_url(app, world, side):
    beringen, sint_truiden = world
    theirs = _ids(app, sint_truiden)
    secret, _id = token_for(app, beringen, ALL, side=side)
    client = app.test_client()
    for rule in _api_rules(app):
        for slug, ids in (
            (sint_truiden.network.slug, theirs),  # their URL, their ids
            (beringen.network.slug, theirs),  # our URL, their ids
        ):
            if slug == beringen.network.slug and len(rule.arguments) == 1:
                continue  # a list in our own network: ours to see
            url = _url(app, rule, slug, ids)
            for method in sorted(m for m in rule.methods if m in {"GET", "POST"}):
                response = client.open(
                    url, method=method, json=BODIES.get(method), headers=bearer(secret)
                )
                assert response.status_code == 404, f"{method} {url}: {response.status_code}"
                assert response.get_json()["error"]["code"] == "not_found"
                body = response.get_data(as_text=True)
                for secret_text in sint_truiden.secrets + sint_truiden.public:
                    assert secret_text not in body, f"{method} {url} leaks {secret_text!r}"
    with app.app_context(), network_scope(sint_truiden.network.id):
        referral = db.session.get(Referral, sint_truiden.referral_id)
        assert referral.status == "sent"


def _third_partner_referral(app, cast) -> int:
    """Partner B refers a family to a third partner: partner A has nothing to do with it."""
    third = f.partner(app, cast.network, "Kinderopvang De Vlinder", Sector.WELFARE)
    with app.test_request_context(), network_scope(cast.network.id):
        referral = referrals.create(
            from_partner=db.session.get(Partner, cast.partner_b.id),
            to_partner=db.session.get(Partner, third.id),
            family=referrals.FamilyData(family_label="Gezin Q.", question="Vraag van B"),
            consent=referrals.ConsentData(given_by="parent", purpose="Opvang"),
            user=db.session.get(User, cast.colleague_b.id),
        )
        db.session.commit()
        return referral.id


def test_partner_b_referral_is_invisible_to_partner_a_token(app, world):
    beringen, _st = world
    hidden = _third_partner_referral(app, beringen)
    secret, _id = token_for(app, beringen, ALL, side="a")
    client = app.test_client()
    for box in ("in", "out"):
        listed = client.get(f"/api/v1/beringen/referrals?box={box}", headers=bearer(secret))
        assert hidden not in {r["id"] for r in listed.get_json()["items"]}
        assert "Gezin Q." not in listed.get_data(as_text=True)
    for method, url, body in (
        ("GET", f"/api/v1/beringen/referrals/{hidden}", None),
        ("POST", f"/api/v1/beringen/referrals/{hidden}/transitions", {"status": "cancelled"}),
        ("POST", f"/api/v1/beringen/referrals/{hidden}/messages", {"body": "Hallo"}),
    ):
        response = client.open(url, method=method, json=body, headers=bearer(secret))
        assert response.status_code == 404
        assert "Gezin Q." not in response.get_data(as_text=True)
    with app.app_context(), network_scope(beringen.network.id):
        assert db.session.get(Referral, hidden).status == "sent"


def test_receiver_does_not_see_the_senders_draft(app, world):
    beringen, _st = world
    with app.test_request_context(), network_scope(beringen.network.id):
        draft = referrals.create(
            from_partner=db.session.get(Partner, beringen.partner_a.id),
            to_partner=db.session.get(Partner, beringen.partner_b.id),
            family=referrals.FamilyData(family_label="Gezin D.", question="Nog een concept"),
            consent=None,
            user=db.session.get(User, beringen.people[Role.PARTNER_ADMIN].id),
            send=False,
        )
        db.session.commit()
        draft_id = draft.id
    secret, _id = token_for(app, beringen, ALL, side="b")
    client = app.test_client()
    assert (
        client.get(f"/api/v1/beringen/referrals/{draft_id}", headers=bearer(secret)).status_code
        == 404
    )
    inbox = client.get("/api/v1/beringen/referrals", headers=bearer(secret)).get_data(as_text=True)
    assert "Gezin D." not in inbox


def test_token_of_one_network_is_not_a_key_to_another_networks_data(app, world):
    beringen, sint_truiden = world
    secret, _id = token_for(app, beringen, ALL)
    client = app.test_client()
    for path in ("offers", "sessions", "partners", "referrals", "notifications"):
        response = client.get(f"/api/v1/sint-truiden/{path}", headers=bearer(secret))
        assert response.status_code == 404
        for text in sint_truiden.public + sint_truiden.secrets:
            assert text not in response.get_data(as_text=True)
