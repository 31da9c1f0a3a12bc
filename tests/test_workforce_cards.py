"""Flexibility cards: every card can be opened; a card that has not started yet can be changed or
taken back (after the confirmation step) until its date; the page says which card it shows; the
worker hears when someone else creates, changes or deletes their card (issue #19, item 3).
A card starts at most a year ahead and never in the past (issue #18, finding 11)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import select

from saas.audit.models import AuditEvent
from saas.extensions import db
from saas.notifications.models import Delivery, Notification, OutboxMessage
from saas.workforce.cards import latest_start
from saas.workforce.models import FlexibilityCard, WorkerProfile
from tenants.models import Role
from tests import confirm_support as confirming
from tests import factories as f
from tests.snapshots import built_once
from tests.world import build_network, build_world

GREEN = "g" * 91
RED_MONDAY = "r" * 13 + "g" * 78
RED_FRIDAY = "g" * 52 + "r" * 13 + "g" * 26
TEAM = "/beringen/team"
FIRST_CARD = date(2020, 1, 6)  # the worker's card in tests/world.py, with a private reason


def _long(day: date) -> str:
    return format_date(day, "long", locale="en")


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
    return _team(app)


@built_once
def _team(app):
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


def _card_page(client, cast, card_id: int, worker_id: int | None = None) -> str:
    worker_id = worker_id or cast.worker_id
    return client.get(f"{TEAM}/workers/{worker_id}/cards/{card_id}?lang=en").get_data(as_text=True)


def _selected(page: str, cell: str) -> str:
    """The colour chosen in a cell of the grid on the page ("c-<day>-<hour>")."""
    found = re.search(rf'name="{cell}".*?<option value="(\w)" selected', page, re.S)
    assert found, f"no cell {cell} on the page"
    return found.group(1)


def _seen_on(page: str) -> str:
    found = re.search(r'name="seen" value="([^"]+)"', page)
    assert found, "no edit form on the page"
    return found.group(1)


def _notices(ctx, network_id: int, user_id: int) -> list[str]:
    with ctx(network_id):
        return list(
            db.session.execute(
                select(Notification.subject)
                .where(Notification.user_id == user_id, Notification.kind == "card_changed")
                .order_by(Notification.id)
            ).scalars()
        )


def _mails(ctx, to: str) -> list[str]:
    with ctx():
        return list(
            db.session.execute(
                select(OutboxMessage.subject)
                .where(OutboxMessage.recipient == to, OutboxMessage.kind == "card_changed")
                .order_by(OutboxMessage.id)
            ).scalars()
        )


# --- saving a card that starts later -------------------------------------------------------------


def test_after_saving_a_card_from_next_week_the_coordinator_sees_that_card(app, team, ctx):
    coordinator = _as(app, team, Role.SE_COORDINATOR)
    next_week = date.today() + timedelta(days=7)
    saved = coordinator.post(
        f"{TEAM}/workers/{team.worker_id}/card?lang=en",
        data=_grid_form(RED_MONDAY, valid_from=next_week.isoformat(), reason="Opleiding"),
    )
    card_id = _card_id(ctx, team.network.id, team.worker_id, next_week)
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/workers/{team.worker_id}/cards/{card_id}")

    shown = coordinator.get(saved.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert f"Card valid from {_long(next_week)}" in shown
    assert f"The card valid from {_long(next_week)} has been saved." in shown
    assert f"Until then the current card (since {_long(FIRST_CARD)}) still applies." in shown
    # the grid on the page is the new card's: Monday 07:00 red, Tuesday 07:00 green
    assert (_selected(shown, "c-0-7"), _selected(shown, "c-1-7")) == ("r", "g")
    assert "Opleiding</textarea>" in shown

    overview = coordinator.get(f"{TEAM}/workers/{team.worker_id}/card?lang=en").get_data(
        as_text=True
    )
    assert f"Current card since {_long(FIRST_CARD)}" in overview
    assert f"Coming: card valid from {_long(next_week)}" in overview
    assert "The grid below starts as a copy of the current card" in overview
    profile = coordinator.get(f"{TEAM}/workers/{team.worker_id}?lang=en").get_data(as_text=True)
    assert f"current card since {_long(FIRST_CARD)}" in profile
    assert f"coming card from {_long(next_week)}" in profile


def test_a_card_saved_from_today_is_the_current_card_at_once(app, team, ctx):
    worker = _as(app, team, Role.SE_WORKER)
    today = date.today()
    saved = worker.post(
        f"{TEAM}/workers/{team.worker_id}/card", data=_grid_form(RED_MONDAY, valid_from=today)
    )
    assert saved.headers["Location"].endswith(f"/workers/{team.worker_id}/card")
    page = worker.get(f"{TEAM}/workers/{team.worker_id}/card?lang=en").get_data(as_text=True)
    assert f"Current card since {_long(today)}" in page
    assert "Coming:" not in page


def test_every_card_in_the_history_opens_and_a_started_one_only_to_read(app, team, ctx):
    current_day = date.today() - timedelta(days=10)
    current = _store_card(ctx, team.network.id, team.worker_id, current_day, RED_FRIDAY)
    coming = _store_card(ctx, team.network.id, team.worker_id, date.today() + timedelta(days=9))
    oldest = _card_id(ctx, team.network.id, team.worker_id, FIRST_CARD)
    coordinator = _as(app, team, Role.SE_COORDINATOR)
    history = coordinator.get(f"{TEAM}/workers/{team.worker_id}/card?lang=en").get_data(
        as_text=True
    )
    for card_id in (oldest, current, coming):
        assert f'href="/beringen/team/workers/{team.worker_id}/cards/{card_id}"' in history

    past = _card_page(coordinator, team, oldest)
    assert f"Card valid from {_long(FIRST_CARD)}" in past
    assert "This card held for the period" in past and "It stays as history." in past
    assert "<select" not in past and 'name="seen"' not in past and "/delete" not in past
    assert "Mantelzorg voor moeder in beringen" in past  # the coordinator reads the reason

    now = _card_page(coordinator, team, current)
    assert f"This is the current card, since {_long(current_day)}." in now
    assert "From " in now and "takes over" in now  # the coming card follows it
    assert "<select" not in now
    # the grid reads as words: Friday 07:00 red, Monday 07:00 green
    assert '<td class="c-r">red</td>' in now and '<td class="c-g">green</td>' in now

    worker = _as(app, team, Role.SE_WORKER)
    own = _card_page(worker, team, oldest)
    assert "This card held for the period" in own
    assert "Mantelzorg" not in own  # the reason stays the coordinator's


def test_a_started_card_posted_to_as_if_editable_changes_nothing(app, team, ctx):
    oldest = _card_id(ctx, team.network.id, team.worker_id, FIRST_CARD)
    before = _cards(ctx, team.network.id, team.worker_id)
    coordinator = _as(app, team, Role.SE_COORDINATOR)
    response = coordinator.post(
        f"{TEAM}/workers/{team.worker_id}/cards/{oldest}?lang=en",
        data=_grid_form(RED_MONDAY, valid_from=(date.today() + timedelta(days=3)).isoformat()),
    )
    assert response.status_code == 409
    assert "has started meanwhile" in response.get_data(as_text=True)
    assert _cards(ctx, team.network.id, team.worker_id) == before


# --- changing a card that has not started --------------------------------------------------------


def test_the_coordinator_changes_a_coming_card_in_the_same_form_prefilled(app, team, ctx):
    first = date.today() + timedelta(days=8)
    card_id = _store_card(ctx, team.network.id, team.worker_id, first, RED_MONDAY)
    with ctx(team.network.id):
        db.session.get(FlexibilityCard, card_id).private_reason = "Cursus op maandag"
        db.session.commit()
    coordinator = _as(app, team, Role.SE_COORDINATOR)
    page = _card_page(coordinator, team, card_id)
    assert f'value="{first.isoformat()}"' in page
    assert "Cursus op maandag</textarea>" in page
    assert "Until it starts, this card can be changed or deleted." in page

    later = first + timedelta(days=3)
    changed = coordinator.post(
        f"{TEAM}/workers/{team.worker_id}/cards/{card_id}?lang=en",
        data=_grid_form(
            RED_FRIDAY,
            valid_from=later.isoformat(),
            reason="Cursus op vrijdag",
            seen=_seen_on(page),
        ),
    )
    assert changed.status_code == 302
    assert _cards(ctx, team.network.id, team.worker_id)[-1] == (later, RED_FRIDAY)
    with ctx(team.network.id):
        card = db.session.get(FlexibilityCard, card_id)
        assert card.private_reason == "Cursus op vrijdag"
        event = db.session.execute(
            select(AuditEvent.action, AuditEvent.details).order_by(AuditEvent.id.desc()).limit(1)
        ).one()
    assert tuple(event) == (
        "workforce.card_changed",
        {"card_id": card_id, "valid_from": later.isoformat(), "was_valid_from": first.isoformat()},
    )
    shown = coordinator.get(changed.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert f"The card valid from {_long(later)} has been changed." in shown


def test_saving_a_card_on_the_date_of_a_coming_card_changes_that_card(app, team, ctx):
    day = date.today() + timedelta(days=5)
    coordinator = _as(app, team, Role.SE_COORDINATOR)
    url = f"{TEAM}/workers/{team.worker_id}/card?lang=en"
    coordinator.post(url, data=_grid_form(RED_MONDAY, valid_from=day.isoformat(), reason="Eerst"))
    again = coordinator.post(url, data=_grid_form(RED_FRIDAY, valid_from=day.isoformat()))
    assert again.status_code == 302
    assert _cards(ctx, team.network.id, team.worker_id) == [(FIRST_CARD, GREEN), (day, RED_FRIDAY)]
    with ctx(team.network.id):
        card = db.session.get(FlexibilityCard, _card_id(ctx, team.network.id, team.worker_id, day))
        assert card.private_reason == "Eerst"  # no new reason given: the old one stays
    shown = coordinator.get(again.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert f"There already was a card valid from {_long(day)} that had not started" in shown


def test_a_second_card_on_the_day_a_card_started_is_refused(app, team, ctx):
    today = date.today()
    _store_card(ctx, team.network.id, team.worker_id, today, RED_MONDAY)
    worker = _as(app, team, Role.SE_WORKER)
    response = worker.post(
        f"{TEAM}/workers/{team.worker_id}/card?lang=en",
        data=_grid_form(GREEN, valid_from=today.isoformat()),
    )
    assert response.status_code == 422
    assert "a new card can start tomorrow at the earliest" in response.get_data(as_text=True)
    assert _cards(ctx, team.network.id, team.worker_id)[-1] == (today, RED_MONDAY)


def test_a_coming_card_cannot_move_onto_another_cards_day(app, team, ctx):
    one = date.today() + timedelta(days=4)
    two = date.today() + timedelta(days=11)
    card_id = _store_card(ctx, team.network.id, team.worker_id, one)
    _store_card(ctx, team.network.id, team.worker_id, two, RED_FRIDAY)
    before = _cards(ctx, team.network.id, team.worker_id)
    coordinator = _as(app, team, Role.SE_COORDINATOR)
    page = _card_page(coordinator, team, card_id)
    response = coordinator.post(
        f"{TEAM}/workers/{team.worker_id}/cards/{card_id}?lang=en",
        data=_grid_form(GREEN, valid_from=two.isoformat(), seen=_seen_on(page)),
    )
    assert response.status_code == 422
    assert f"Another card already starts on {_long(two)}: change that card instead." in (
        response.get_data(as_text=True)
    )
    assert _cards(ctx, team.network.id, team.worker_id) == before


@pytest.mark.parametrize("lang, message", [("en", "cannot start in the past"), ("nl", "verleden")])
def test_a_card_cannot_start_in_the_past_new_or_changed(app, team, ctx, lang, message):
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    coming = _store_card(ctx, team.network.id, team.worker_id, date.today() + timedelta(days=6))
    before = _cards(ctx, team.network.id, team.worker_id)
    coordinator = _as(app, team, Role.SE_COORDINATOR)
    new = coordinator.post(
        f"{TEAM}/workers/{team.worker_id}/card?lang={lang}",
        data=_grid_form(RED_FRIDAY, valid_from=yesterday),
    )
    page = _card_page(coordinator, team, coming)
    edited = coordinator.post(
        f"{TEAM}/workers/{team.worker_id}/cards/{coming}?lang={lang}",
        data=_grid_form(RED_FRIDAY, valid_from=yesterday, seen=_seen_on(page)),
    )
    for response in (new, edited):
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    # the refused change comes back as it was posted, to be corrected
    assert _selected(edited.get_data(as_text=True), "c-4-7") == "r"
    assert _selected(edited.get_data(as_text=True), "c-0-7") == "g"
    assert _cards(ctx, team.network.id, team.worker_id) == before


def test_a_card_that_started_while_it_was_being_edited_is_not_changed(app, team, ctx, monkeypatch):
    tomorrow = date.today() + timedelta(days=1)
    card_id = _store_card(ctx, team.network.id, team.worker_id, tomorrow, RED_MONDAY)
    coordinator = _as(app, team, Role.SE_COORDINATOR)
    page = _card_page(coordinator, team, card_id)  # opened today: a form to change it

    class Tomorrow(date):
        @classmethod
        def today(cls):
            return tomorrow

    import blueprints.social_economy.workforce as views
    import saas.workforce.cards as cards

    monkeypatch.setattr(views, "date", Tomorrow)
    monkeypatch.setattr(cards, "date", Tomorrow)
    response = coordinator.post(  # sent the next day: the card has started meanwhile
        f"{TEAM}/workers/{team.worker_id}/cards/{card_id}?lang=en",
        data=_grid_form(
            GREEN, valid_from=(tomorrow + timedelta(days=2)).isoformat(), seen=_seen_on(page)
        ),
    )
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert f"The card valid from {_long(tomorrow)} has started meanwhile" in text
    assert "nothing has been changed" in text
    assert _cards(ctx, team.network.id, team.worker_id)[-1] == (tomorrow, RED_MONDAY)


def test_a_card_changed_by_someone_else_meanwhile_is_not_overwritten(app, team, ctx):
    day = date.today() + timedelta(days=6)
    card_id = _store_card(ctx, team.network.id, team.worker_id, day, RED_MONDAY)
    coordinator = _as(app, team, Role.SE_COORDINATOR)
    worker = _as(app, team, Role.SE_WORKER)
    seen_by_coordinator = _seen_on(_card_page(coordinator, team, card_id))
    assert (
        worker.post(
            f"{TEAM}/workers/{team.worker_id}/cards/{card_id}",
            data=_grid_form(
                RED_FRIDAY,
                valid_from=day.isoformat(),
                seen=_seen_on(_card_page(worker, team, card_id)),
            ),
        ).status_code
        == 302
    )
    late = coordinator.post(
        f"{TEAM}/workers/{team.worker_id}/cards/{card_id}?lang=en",
        data=_grid_form(GREEN, valid_from=day.isoformat(), seen=seen_by_coordinator),
    )
    assert late.status_code == 409
    text = late.get_data(as_text=True)
    assert "changed by someone else since you opened it" in text
    assert _selected(text, "c-4-7") == "r"  # the grid as it is now: the worker's Friday
    assert _cards(ctx, team.network.id, team.worker_id)[-1] == (day, RED_FRIDAY)


def test_a_worker_changing_their_coming_card_keeps_the_coordinators_reason(app, team, ctx):
    day = date.today() + timedelta(days=6)
    card_id = _store_card(ctx, team.network.id, team.worker_id, day, RED_MONDAY)
    with ctx(team.network.id):
        db.session.get(FlexibilityCard, card_id).private_reason = "Gesprek met de coördinator"
        db.session.commit()
    worker = _as(app, team, Role.SE_WORKER)
    page = _card_page(worker, team, card_id)
    assert "Gesprek" not in page and 'name="reason"' not in page
    worker.post(
        f"{TEAM}/workers/{team.worker_id}/cards/{card_id}",
        data=_grid_form(GREEN, valid_from=day.isoformat(), seen=_seen_on(page)),
    )
    with ctx(team.network.id):
        card = db.session.get(FlexibilityCard, card_id)
        assert (card.grid, card.private_reason) == (GREEN, "Gesprek met de coördinator")


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
    delete = f"{TEAM}/workers/{team.worker_id}/cards/{card_id}/delete"

    card_page = _card_page(worker, team, card_id)
    assert f'action="{delete}"' in card_page  # the coming card offers its deletion
    started = _card_page(worker, team, _card_id(ctx, team.network.id, team.worker_id, FIRST_CARD))
    assert "/delete" not in started

    asked = worker.post(f"{delete}?lang=en")  # the button, without the second step
    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert f"Delete the card valid from {_long(coming)}?" in text
    assert "13 red hours" in text
    assert f"From {_long(coming)} the card valid from {_long(FIRST_CARD)} holds instead." in text
    assert "is told that the card has been deleted" not in text  # their own card
    assert len(_cards(ctx, team.network.id, team.worker_id)) == 2  # asking deletes nothing

    with ctx(team.network.id):
        newest = db.session.execute(select(db.func.max(AuditEvent.id))).scalar_one()
    gone = confirming.confirmed(worker, delete)
    assert gone.status_code == 302
    assert gone.headers["Location"].endswith(f"/workers/{team.worker_id}/card")
    assert _cards(ctx, team.network.id, team.worker_id) == [(FIRST_CARD, GREEN)]
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


def test_a_deletion_posted_without_its_second_step_deletes_nothing(app, team, ctx):
    coming = date.today() + timedelta(days=20)
    card_id = _store_card(ctx, team.network.id, team.worker_id, coming)
    coordinator = _as(app, team, Role.SE_COORDINATOR)
    url = f"{TEAM}/workers/{team.worker_id}/cards/{card_id}/delete?lang=en"
    for data in ({}, {"confirm_token": "forged"}):
        response = coordinator.post(url, data=data)
        assert response.status_code in (200, 400)
        assert "confirm_token" in response.get_data(as_text=True)
    assert _cards(ctx, team.network.id, team.worker_id)[-1] == (coming, RED_MONDAY)


def test_a_deletion_confirmed_after_the_card_changed_is_refused(app, team, ctx):
    coming = date.today() + timedelta(days=20)
    card_id = _store_card(ctx, team.network.id, team.worker_id, coming)
    coordinator = _as(app, team, Role.SE_COORDINATOR)
    url = f"{TEAM}/workers/{team.worker_id}/cards/{card_id}/delete?lang=en"
    token = confirming.token_on(confirming.ask(coordinator, url).get_data(as_text=True))
    with ctx(team.network.id):
        db.session.get(FlexibilityCard, card_id).grid = GREEN  # the worker changed it meanwhile
        db.session.commit()
    stale = coordinator.post(url, data={"confirm_token": token})
    assert stale.status_code == 409
    assert _cards(ctx, team.network.id, team.worker_id)[-1] == (coming, GREEN)


def test_the_coordinator_takes_back_a_workers_coming_card(app, team, ctx):
    coming = date.today() + timedelta(days=30)
    card_id = _store_card(ctx, team.network.id, team.second_worker_id, coming)
    coordinator = _as(app, team, Role.SE_COORDINATOR)
    url = f"{TEAM}/workers/{team.second_worker_id}/cards/{card_id}/delete"
    page = coordinator.get(f"{url}?lang=en").get_data(as_text=True)
    assert "There is no card before it" in page  # the colleague has no older card
    assert "Tweede is told that the card has been deleted." in page
    assert confirming.confirmed(coordinator, url).status_code == 302
    assert _cards(ctx, team.network.id, team.second_worker_id) == []


def test_a_card_stored_far_ahead_no_longer_blocks_the_history(app, team, ctx):
    """The finding itself: a card from 9999-12-31 refused every later card for good. Now a card
    may start before a coming one, and the far one can be taken back."""
    blocking = _store_card(ctx, team.network.id, team.worker_id, date(9999, 12, 31))
    worker = _as(app, team, Role.SE_WORKER)
    url = f"{TEAM}/workers/{team.worker_id}/card"
    coming = date.today() + timedelta(days=7)
    assert (
        worker.post(url, data=_grid_form(RED_MONDAY, valid_from=coming.isoformat())).status_code
        == 302
    )
    delete = f"{TEAM}/workers/{team.worker_id}/cards/{blocking}/delete"
    assert worker.get(delete).status_code == 200
    assert confirming.confirmed(worker, delete).status_code == 302
    assert [d for d, _g in _cards(ctx, team.network.id, team.worker_id)] == [FIRST_CARD, coming]


@pytest.mark.parametrize("started", [FIRST_CARD, date.today()])
def test_a_card_that_has_started_stays_as_history(app, team, ctx, started):
    if started != FIRST_CARD:
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


# --- the worker hears of it ----------------------------------------------------------------------


def test_the_worker_is_told_when_the_coordinator_creates_changes_or_deletes_their_card(
    app, team, ctx
):
    worker_user = team.people[Role.SE_WORKER]
    coordinator = _as(app, team, Role.SE_COORDINATOR)
    day = date.today() + timedelta(days=10)
    saved = coordinator.post(
        f"{TEAM}/workers/{team.worker_id}/card",
        data=_grid_form(RED_MONDAY, valid_from=day.isoformat(), reason="Opleiding"),
    )
    card_id = _card_id(ctx, team.network.id, team.worker_id, day)
    page = coordinator.get(saved.headers["Location"]).get_data(as_text=True)
    coordinator.post(
        f"{TEAM}/workers/{team.worker_id}/cards/{card_id}",
        data=_grid_form(RED_FRIDAY, valid_from=day.isoformat(), seen=_seen_on(page)),
    )
    confirming.confirmed(coordinator, f"{TEAM}/workers/{team.worker_id}/cards/{card_id}/delete")

    long_nl = format_date(day, "long", locale="nl")
    expected = [
        f"Een nieuwe flexibiliteitskaart vanaf {long_nl}",
        f"Je flexibiliteitskaart vanaf {long_nl} is gewijzigd",
        f"Je flexibiliteitskaart vanaf {long_nl} is verwijderd",
    ]
    assert _notices(ctx, team.network.id, worker_user.id) == expected
    assert _mails(ctx, worker_user.email) == expected  # e-mailed at once: the default choice
    with ctx(team.network.id):
        links = list(
            db.session.execute(
                select(Notification.link)
                .where(Notification.user_id == worker_user.id, Notification.kind == "card_changed")
                .order_by(Notification.id)
            ).scalars()
        )
        body = db.session.execute(
            select(OutboxMessage.body_text)
            .where(OutboxMessage.kind == "card_changed")
            .order_by(OutboxMessage.id)
            .limit(1)
        ).scalar_one()
    assert links[0].endswith(f"/beringen/team/workers/{team.worker_id}/cards/{card_id}")
    assert links[2].endswith(f"/beringen/team/workers/{team.worker_id}/card")
    assert team.people[Role.SE_COORDINATOR].name in body
    assert "Opleiding" not in body  # the private reason stays the coordinator's
    # the coordinator is not told of their own work
    assert _notices(ctx, team.network.id, team.people[Role.SE_COORDINATOR].id) == []


def test_the_worker_is_not_told_of_their_own_changes(app, team, ctx):
    worker = _as(app, team, Role.SE_WORKER)
    day = date.today() + timedelta(days=10)
    worker.post(
        f"{TEAM}/workers/{team.worker_id}/card",
        data=_grid_form(RED_MONDAY, valid_from=day.isoformat()),
    )
    card_id = _card_id(ctx, team.network.id, team.worker_id, day)
    page = _card_page(worker, team, card_id)
    worker.post(
        f"{TEAM}/workers/{team.worker_id}/cards/{card_id}",
        data=_grid_form(RED_FRIDAY, valid_from=day.isoformat(), seen=_seen_on(page)),
    )
    confirming.confirmed(worker, f"{TEAM}/workers/{team.worker_id}/cards/{card_id}/delete")
    assert _cards(ctx, team.network.id, team.worker_id) == [(FIRST_CARD, GREEN)]
    assert _notices(ctx, team.network.id, team.people[Role.SE_WORKER].id) == []
    assert _mails(ctx, team.people[Role.SE_WORKER].email) == []


def test_the_worker_chooses_on_their_account_page_how_they_hear_of_it(app, team, ctx):
    from saas.notifications.center import KINDS

    worker_user = team.people[Role.SE_WORKER]
    worker = _as(app, team, Role.SE_WORKER)
    account = worker.get("/account?lang=en").get_data(as_text=True)
    assert "Team: someone else changes your flexibility card" in account
    choices = {f"notify-{kind}": Delivery.IMMEDIATE.value for kind in KINDS}
    assert (
        worker.post(
            "/account",
            data={**choices, "notify-save": "1", "notify-card_changed": Delivery.OFF.value},
        ).status_code
        == 302
    )
    coordinator = _as(app, team, Role.SE_COORDINATOR)
    coordinator.post(
        f"{TEAM}/workers/{team.worker_id}/card",
        data=_grid_form(RED_MONDAY, valid_from=(date.today() + timedelta(days=3)).isoformat()),
    )
    assert len(_notices(ctx, team.network.id, worker_user.id)) == 1  # in Dorp, always
    assert _mails(ctx, worker_user.email) == []  # no e-mail, as chosen


def test_the_e_mail_job_carries_only_the_outbox_id(app, team, ctx):
    from workers.queues import NOTIFICATIONS, queue

    coordinator = _as(app, team, Role.SE_COORDINATOR)
    coordinator.post(
        f"{TEAM}/workers/{team.worker_id}/card",
        data=_grid_form(RED_MONDAY, valid_from=(date.today() + timedelta(days=3)).isoformat()),
    )
    with ctx():
        message_id = db.session.execute(
            select(OutboxMessage.id).where(OutboxMessage.kind == "card_changed")
        ).scalar_one()
        jobs = queue(NOTIFICATIONS).get_jobs()
    mine = [j for j in jobs if message_id in j.args]
    assert mine and all(all(type(a) is int for a in j.args) and not j.kwargs for j in mine)


# --- whose card ----------------------------------------------------------------------------------


def test_a_worker_cannot_open_or_touch_a_colleagues_card(app, team, ctx):
    coming = date.today() + timedelta(days=30)
    card_id = _store_card(ctx, team.network.id, team.second_worker_id, coming)
    worker = _as(app, team, Role.SE_WORKER)
    for url in (
        f"{TEAM}/workers/{team.second_worker_id}/cards/{card_id}",
        f"{TEAM}/workers/{team.worker_id}/cards/{card_id}",  # under their own profile
        f"{TEAM}/workers/{team.second_worker_id}/cards/{card_id}/delete",
        f"{TEAM}/workers/{team.worker_id}/cards/{card_id}/delete",
    ):
        assert worker.get(url).status_code == 404
        assert (
            worker.post(url, data=_grid_form(GREEN, valid_from=coming.isoformat())).status_code
            == 404
        )
    assert _cards(ctx, team.network.id, team.second_worker_id) == [(coming, RED_MONDAY)]


@pytest.mark.parametrize("role", [Role.SE_COORDINATOR, Role.SE_WORKER])
def test_another_networks_card_answers_404(app, ctx, role):
    beringen, truiden = build_world(app)
    coming = date.today() + timedelta(days=30)
    card_id = _store_card(ctx, truiden.network.id, truiden.worker_id, coming)
    client = _as(app, beringen, role)
    data = _grid_form(GREEN, valid_from=coming.isoformat())
    for suffix in ("", "/delete"):
        for url in (
            f"{TEAM}/workers/{truiden.worker_id}/cards/{card_id}{suffix}",
            f"{TEAM}/workers/{beringen.worker_id}/cards/{card_id}{suffix}",
        ):
            assert client.get(url).status_code == 404, url
            assert client.post(url, data=data).status_code == 404, url
        other = f"/sint-truiden/team/workers/{truiden.worker_id}/cards/{card_id}{suffix}"
        assert client.get(other).status_code in (403, 404)
        assert client.post(other, data=data).status_code in (403, 404)
    assert _cards(ctx, truiden.network.id, truiden.worker_id)[-1] == (coming, RED_MONDAY)
