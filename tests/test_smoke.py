from tests import factories as f
from tests.world import build_world


def test_unknown_network_is_404(client):
    assert client.get("/nowhere/").status_code == 404


def test_steward_sees_own_partners(app, client):
    beringen, _st = build_world(app)
    f.login(client, beringen.people[f.Role.STEWARD])
    page = client.get("/beringen/network/partners")
    assert page.status_code == 200
    assert beringen.partner_a.name in page.text
