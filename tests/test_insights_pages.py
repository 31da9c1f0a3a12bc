"""The health dashboard through HTTP: who may open it, exports, bad periods, no family pages."""

from __future__ import annotations

import csv
import io

import pytest

from tenants.models import Role
from tests import factories as f
from tests.insights_fixture import build
from tests.world import build_world

URL = "/beringen/municipality/"
YEAR = {"kind": "year", "year": "2025"}


@pytest.fixture
def fx(app):
    return build(app)


def _person(app, fx, role):
    grant = (
        (fx.network, role, f.Ref(id=fx.partners["welzijn"]))
        if role.needs_partner
        else (
            fx.network,
            role,
        )
    )
    return f.user(app, f"{role.value}@beringen.example", grant)


@pytest.mark.parametrize("role", [Role.MUNICIPALITY_VIEWER, Role.STEWARD])
def test_municipality_and_steward_see_the_health_of_their_network(app, client, fx, role):
    f.login(client, _person(app, fx, role))
    response = client.get(URL, query_string={**YEAR, "lang": "en"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<svg" in body and "<title id=" in body and "<desc id=" in body
    assert "&lt; 5" in body  # small cells are shown as "< 5"
    assert "Welzijnshuis" in body  # partner engagement
    assert "x@beringen" not in body
    for route in ("export_csv", "report_pdf"):
        assert (
            f"/beringen/municipality/{'export.csv' if route == 'export_csv' else 'report.pdf'}"
            in body
        )


@pytest.mark.parametrize(
    "role", [Role.PARTNER_ADMIN, Role.PARTNER_MEMBER, Role.SE_COORDINATOR, Role.SE_WORKER]
)
def test_other_roles_get_403(app, client, fx, role):
    f.login(client, _person(app, fx, role))
    for path in ("", "export.csv?table=flows", "report.pdf"):
        assert client.get(URL + path).status_code == 403


def test_csv_export_carries_the_suppressed_table(app, client, fx):
    f.login(client, _person(app, fx, Role.MUNICIPALITY_VIEWER))
    response = client.get(
        URL + "export.csv", query_string={**YEAR, "table": "reach_by_type", "lang": "en"}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "beringen-reach_by_type-2025.csv" in response.headers["Content-Disposition"]
    rows = list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    salon = next(r for r in rows if r[0] == "Parent salon (non-thematic)")
    assert salon[1:] == ["2", "11", "8", "< 5", "0", "0", "< 5"]
    atelier = next(r for r in rows if r[0] == "Broad-school workshop: language")
    assert atelier[1:] == ["2", "10", "0", "x", "8", "0", "x"]
    assert next(r for r in rows if r[0] == "Total")[1:] == ["4", "21", "8", "8", "8", "0", "9"]


@pytest.mark.parametrize(
    "table",
    [
        "reach_by_type",
        "reach_by_line",
        "reach_by_neighbourhood",
        "referrals_by_state",
        "referral_flows",
        "referral_timeliness",
        "decline_reasons",
        "coverage",
        "partners",
        "social_economy",
    ],
)
def test_every_table_exports(app, client, fx, table):
    from saas.insights import figures
    from saas.insights.period import Period
    from tenants.context import network_scope
    from tests.test_insights_suppression import derivable

    f.login(client, _person(app, fx, Role.STEWARD))
    response = client.get(URL + "export.csv", query_string={**YEAR, "table": table, "lang": "en"})
    assert response.status_code == 200
    rows = list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    with app.test_request_context("/?lang=en"), network_scope(fx.network.id):
        shown = figures.health(Period("year", 2025)).tables()[table]
    expected = shown.rows_text()
    assert rows[0][1:] == expected[0][1:]
    assert rows[1 : len(expected)] == expected[1:]
    for row in shown.cells:
        for cell in row:
            if cell.sensitive and cell.shown:
                assert not 0 < cell.value < 5
    assert derivable(shown) == []


def test_csv_of_an_unknown_table_is_404(app, client, fx):
    f.login(client, _person(app, fx, Role.STEWARD))
    assert client.get(URL + "export.csv", query_string={"table": "families"}).status_code == 404


def test_pdf_report(app, client, fx):
    f.login(client, _person(app, fx, Role.MUNICIPALITY_VIEWER))
    response = client.get(URL + "report.pdf", query_string=YEAR)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert len(response.data) > 2000


@pytest.mark.parametrize(
    "args",
    [
        {"kind": "decade"},
        {"year": "abc"},
        {"year": "1899"},
        {"year": "99999999999999999999"},
        {"kind": "quarter", "quarter": "5"},
        {"kind": "month", "month": "0"},
        {"kind": "month", "month": "-1"},
        {"kind": "month", "month": "1.5"},
    ],
)
def test_a_bad_period_is_a_clear_message_not_a_500(app, client, fx, args):
    f.login(client, _person(app, fx, Role.STEWARD))
    response = client.get(URL, query_string={**args, "lang": "en"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'role="alert"' in body and "Choose" in body
    assert (
        client.get(URL + "export.csv", query_string={**args, "table": "coverage"}).status_code
        == 422
    )
    assert client.get(URL + "report.pdf", query_string=args).status_code == 422


@pytest.mark.parametrize(
    "kind,part", [("year", {}), ("quarter", {"quarter": "2"}), ("month", {"month": "3"})]
)
def test_every_kind_of_period_opens(app, client, fx, kind, part):
    f.login(client, _person(app, fx, Role.STEWARD))
    response = client.get(URL, query_string={"kind": kind, "year": "2025", **part})
    assert response.status_code == 200


def test_municipality_viewer_cannot_open_any_referral_or_family_page(app):
    beringen, _st = build_world(app)
    client = app.test_client()
    f.login(client, beringen.people[Role.MUNICIPALITY_VIEWER])
    family_routes = [
        r
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("referrals.") and "slug" in r.arguments
    ]
    assert len(family_routes) >= 5
    values = {"slug": "beringen", "referral_id": beringen.referral_id}
    for rule in family_routes:
        url = app.url_map.bind("localhost").build(
            rule.endpoint, {k: values[k] for k in rule.arguments}
        )
        for method in sorted(m for m in rule.methods if m in {"GET", "POST"}):
            response = client.open(url, method=method, data={})
            assert response.status_code in {403, 404}, f"{method} {url}: {response.status_code}"
            body = response.get_data(as_text=True)
            assert "Gezin beringen" not in body and "Vraag over slapen" not in body


def _statements(app, client, url) -> int:
    with f.counting(app) as seen:
        assert client.get(url).status_code == 200
    return len(seen)


def test_the_dashboard_issues_as_many_queries_for_a_large_network_as_for_a_small_one(
    app, monkeypatch
):
    # The figures' own queries, each time (the cache: tests/test_insights_cache.py).
    monkeypatch.setitem(app.config, "HEALTH_CACHE_SECONDS", 0)
    small = build(app, "beringen")
    large = build(app, "genk", scale=25)
    client = app.test_client()
    viewer = f.user(
        app,
        "beleid@example.org",
        (small.network, Role.MUNICIPALITY_VIEWER),
        (large.network, Role.MUNICIPALITY_VIEWER),
    )
    f.login(client, viewer)
    query = "?kind=year&year=2025"
    for slug in ("beringen", "genk"):  # warm caches (the header's unread count is kept too)
        _statements(app, client, f"/{slug}/municipality/" + query)
    n_small = _statements(app, client, "/beringen/municipality/" + query)
    n_large = _statements(app, client, "/genk/municipality/" + query)
    assert n_small == n_large
    assert n_small < 60
