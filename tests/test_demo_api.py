"""The demo's API tokens: every state on both networks' token pages, seeded once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.api.models import ApiToken
from saas.extensions import db
from tenants.context import network_scope
from tenants.models import Network
from tests import factories as f
from tests.demo_world import seeded_twice


@pytest.mark.demo_world
def test_demo_tokens_cover_every_state_in_both_networks_and_seed_once(app):
    first, second = seeded_twice(app)
    with app.app_context():
        assert first["api_tokens"] >= 6 and second["api_tokens"] == 0
        for slug in ("beringen", "sint-truiden"):
            network_id = db.session.execute(
                select(Network.id).where(Network.slug == slug)
            ).scalar_one()
            with network_scope(network_id):
                rows = db.session.execute(select(ApiToken)).scalars().all()
                assert {t.state for t in rows} == {"active", "expired", "revoked"}, slug
                assert all(t.last_used_at is not None for t in rows)
    client = app.test_client()
    f.login(client, f.Ref(id=0, email="ocmw@sint-truiden.demo"), password="dorp-demo")
    page = client.get("/sint-truiden/partner/api-tokens/").get_data(as_text=True)
    assert "Sociale kaart van de stad" in page and "dorp_" in page
    assert 'value="dorp_' not in page  # no secret shown
