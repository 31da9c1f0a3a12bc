"""Flexibility cards cannot block the history (issue #18, finding 11): a card starts at most a
year ahead, and a card that has not started yet can be taken back by its worker or the
coordinator, after a page that says what changes; the audit trail notes it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from saas.audit.models import AuditEvent
from saas.extensions import db
from saas.workforce.cards import latest_start
from saas.workforce.models import FlexibilityCard, WorkerProfile
from tenants.models import Role
from tests import factories as f
from tests.world import build_network, build_world

GREEN = "g" * 91
RED_MONDAY = "r" * 13 + "g" * 78
TEAM = "/beringen/team"


def _grid_form(grid: str, **extra) -> dict:
    data = {f"c-{d}-{h}": grid[d * 13 + h - 7] for d in range(7) for h in range(7, 20)}
    return {**data, **extra}


def _cards(ctx, network_id: int, worker_id: int) -> list[tuple[date, str]]:
    with ctx(network_id):
        rows = db.session.execute(
            select(FlexibilityCard.valid_from, FlexibilityCard.grid)
            .where(FlexibilityCard.worker_id == worker_id)
            .order_by(FlexibilityCard.valid_from)
        ).all()
        return [tuple(r) for r in rows]


def _card_id(ctx, network_id: int, worker_id: int, valid_from: date) -> int:
    with ctx(network_id):
        return db.session.execute(
            select(FlexibilityCard.id).where(
                FlexibilityCard.worker_id == worker_id, FlexibilityCard.valid_from == valid_from
            )
        ).scalar_one()


def _store_card(ctx, network_id: int, worker_id: int, valid_from: date, grid=RED_MONDAY) -> int:
    """A card as it may already be stored (before the one-year rule): straight into the table."""
    with ctx(network_id):
        card = FlexibilityCard(worker_id=worker_id, grid=grid, valid_from=valid_from)
        db.session.add(card)
        db.session.commit()
        return card.id


@pytest.fixture
def team(app):
    cast = build_network(app, "beringen")
    colleague = f.user(
        app, "tweede@beringen.example", (cast.network, Role.SE_WORKER), name="Tweede"
    )
    with app.app_context():
        from tenants.context import network_scope

        with network_scope(cast.network.id):
            second = WorkerProfile(user_id=colleague.id)
            db.session.add(second)
            db.session.commit()
            cast.second_worker_id = second.id
    return cast


def _as(app, cast, role):
    client = app.test_client()
    f.login(client, cast.people[role])
    return client


# --- far ahead -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "valid_from, message",
    [
        ("9999-12-31", "Choose a date between"),
        ("2099-12-31", "at most a year from today"),
        ((date.today() + timedelta(days=400)).isoformat(), "at most a year from today"),
    ],
)
def test_a_worker_cannot_save_a_card_far_ahead(app, team, ctx, valid_from, message):
    worker = _as(app, team, Role.SE_WORKER)
    before = _cards(ctx, team.network.id, team.worker_id)
    response = worker.post(
        f"{TEAM}/workers/{team.worker_id}/card?lang=en",
        data=_grid_form(RED_MONDAY, valid_from=valid_from),
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _cards(ctx, team.network.id, team.worker_id) == before


def test_a_card_a_year_ahead_is_the_last_one_taken(app, team, ctx):
    worker = _as(app, team, Role.SE_WORKER)
    last = latest_start(date.today())
    assert last.month == date.today().month and last.year == date.today().year + 1
    url = f"{TEAM}/workers/{team.worker_id}/card"
    day_after = _grid_form(RED_MONDAY, valid_from=(last + timedelta(days=1)).isoformat())
    assert worker.post(url, data=day_after).status_code == 422
    assert (
        worker.post(url, data=_grid_form(RED_MONDAY, valid_from=last.isoformat())).status_code
        == 302
    )
    assert _cards(ctx, team.network.id, team.worker_id)[-1] == (last, RED_MONDAY)


def test_the_card_page_says_in_dutch_how_far_ahead_a_card_may_start(app, team):
    worker = _as(app, team, Role.SE_WORKER)
    response = worker.post(
        f"{TEAM}/workers/{team.worker_id}/card",
        data=_grid_form(RED_MONDAY, valid_from="2099-12-31"),
    )
    assert "ten hoogste een jaar vanaf vandaag" in response.get_data(as_text=True)


# --- taking a card back --------------------------------------------------------------------------


def test_a_worker_takes_back_a_card_that_has_not_started_after_confirming(app, team, ctx):
    worker = _as(app, team, Role.SE_WORKER)
    coming = date.today() + timedelta(days=14)
    saved = worker.post(
        f"{TEAM}/workers/{team.worker_id}/card",
        data=_grid_form(RED_MONDAY, valid_from=coming.isoformat()),
    )
    assert saved.status_code == 302
    card_id = _card_id(ctx, team.network.id, team.worker_id, coming)
    confirm = f"{TEAM}/workers/{team.worker_id}/cards/{card_id}/delete"

    history = worker.get(f"{TEAM}/workers/{team.worker_id}/card?lang=en").get_data(as_text=True)
    assert confirm in history  # the coming card links to its deletion; the started one does not
    assert history.count("/delete") == 1

    page = worker.get(f"{confirm}?lang=en")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Delete the card valid from" in text
    assert "falls back to the card before it" in text
    assert 'method="post"' in text
    assert len(_cards(ctx, team.network.id, team.worker_id)) == 2  # asking deletes nothing

    with ctx(team.network.id):
        newest = db.session.execute(select(db.func.max(AuditEvent.id))).scalar_one()
    gone = worker.post(confirm)
    assert gone.status_code == 302
    assert gone.headers["Location"].endswith(f"/workers/{team.worker_id}/card")
    assert _cards(ctx, team.network.id, team.worker_id) == [(date(2020, 1, 6), GREEN)]
    with ctx(team.network.id):
        trail = db.session.execute(
            select(
                AuditEvent.action,
                AuditEvent.object_type,
                AuditEvent.object_id,
                AuditEvent.actor_id,
                AuditEvent.details,
            ).where(AuditEvent.id > newest)
        ).all()
    assert [tuple(t) for t in trail] == [
        (
            "workforce.card_deleted",
            "WorkerProfile",
            team.worker_id,
            team.people[Role.SE_WORKER].id,
            {"card_id": card_id, "valid_from": coming.isoformat()},
        )
    ]


def test_a_card_stored_far_ahead_no_longer_blocks_the_history(app, team, ctx):
    """The finding itself: a card from 9999-12-31 refused every later card for good."""
    blocking = _store_card(ctx, team.network.id, team.worker_id, date(9999, 12, 31))
    worker = _as(app, team, Role.SE_WORKER)
    url = f"{TEAM}/workers/{team.worker_id}/card"
    coming = date.today() + timedelta(days=7)
    refused = worker.post(url, data=_grid_form(RED_MONDAY, valid_from=coming.isoformat()))
    assert refused.status_code == 422  # still overlapping, as long as the card stands
    assert worker.get(f"{TEAM}/workers/{team.worker_id}/cards/{blocking}/delete").status_code == 200
    assert (
        worker.post(f"{TEAM}/workers/{team.worker_id}/cards/{blocking}/delete").status_code == 302
    )
    assert (
        worker.post(url, data=_grid_form(RED_MONDAY, valid_from=coming.isoformat())).status_code
        == 302
    )
    assert [d for d, _g in _cards(ctx, team.network.id, team.worker_id)] == [
        date(2020, 1, 6),
        coming,
    ]


def test_the_coordinator_takes_back_a_workers_coming_card(app, team, ctx):
    coming = date.today() + timedelta(days=30)
    card_id = _store_card(ctx, team.network.id, team.second_worker_id, coming)
    coordinator = _as(app, team, Role.SE_COORDINATOR)
    url = f"{TEAM}/workers/{team.second_worker_id}/cards/{card_id}/delete"
    page = coordinator.get(f"{url}?lang=en").get_data(as_text=True)
    assert "There is no card before it" in page  # the colleague has no older card
    assert coordinator.post(url).status_code == 302
    assert _cards(ctx, team.network.id, team.second_worker_id) == []


@pytest.mark.parametrize("started", [date(2020, 1, 6), date.today()])
def test_a_card_that_has_started_stays_as_history(app, team, ctx, started):
    if started != date(2020, 1, 6):
        _store_card(ctx, team.network.id, team.worker_id, started)
    card_id = _card_id(ctx, team.network.id, team.worker_id, started)
    before = _cards(ctx, team.network.id, team.worker_id)
    for role in (Role.SE_WORKER, Role.SE_COORDINATOR):
        client = _as(app, team, role)
        url = f"{TEAM}/workers/{team.worker_id}/cards/{card_id}/delete?lang=en"
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 303
            assert response.headers["Location"].endswith(f"/workers/{team.worker_id}/card")
        shown = client.get(f"{TEAM}/workers/{team.worker_id}/card?lang=en").get_data(as_text=True)
        assert "stays as history" in shown
    assert _cards(ctx, team.network.id, team.worker_id) == before


# --- whose card ----------------------------------------------------------------------------------


def test_a_worker_cannot_take_back_a_colleagues_card(app, team, ctx):
    coming = date.today() + timedelta(days=30)
    card_id = _store_card(ctx, team.network.id, team.second_worker_id, coming)
    worker = _as(app, team, Role.SE_WORKER)
    for url in (
        f"{TEAM}/workers/{team.second_worker_id}/cards/{card_id}/delete",
        f"{TEAM}/workers/{team.worker_id}/cards/{card_id}/delete",  # under their own profile
    ):
        assert worker.get(url).status_code == 404
        assert worker.post(url).status_code == 404
    assert _cards(ctx, team.network.id, team.second_worker_id) == [(coming, RED_MONDAY)]


@pytest.mark.parametrize("role", [Role.SE_COORDINATOR, Role.SE_WORKER])
def test_another_networks_card_answers_404(app, ctx, role):
    beringen, truiden = build_world(app)
    coming = date.today() + timedelta(days=30)
    card_id = _store_card(ctx, truiden.network.id, truiden.worker_id, coming)
    client = _as(app, beringen, role)
    for url in (
        f"{TEAM}/workers/{truiden.worker_id}/cards/{card_id}/delete",
        f"{TEAM}/workers/{beringen.worker_id}/cards/{card_id}/delete",
        f"/sint-truiden/team/workers/{truiden.worker_id}/cards/{card_id}/delete",
    ):
        assert client.get(url).status_code in (403, 404), url
        assert client.post(url).status_code in (403, 404), url
    assert (
        client.get(f"{TEAM}/workers/{truiden.worker_id}/cards/{card_id}/delete").status_code == 404
    )
    assert _cards(ctx, truiden.network.id, truiden.worker_id)[-1] == (coming, RED_MONDAY)
