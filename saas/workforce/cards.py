"""Flexibility cards: a worker's colour for every hour of the week, with their history. Changes
flush; the request commits.

A card that has started (its date is today or earlier) is history and never changes. A card that
starts later can be changed or taken back until its date; saving a card on the date of such a
card changes that card. Whoever changes a worker's card tells the worker, unless it is the worker.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from saas.accounts.models import User
from saas.audit.services import record
from saas.bounds import OutOfBounds, check_date
from saas.extensions import db
from saas.models_base import utcnow
from saas.notifications.center import notify
from saas.urls import absolute_url
from saas.workforce import solver
from saas.workforce.errors import WorkforceError
from saas.workforce.models import FlexibilityCard, WorkerProfile
from tenants.access import current_network


def check_grid(grid: str) -> str:
    if len(grid) != solver.CELLS:
        raise WorkforceError(_("The card needs a colour for every hour of the week."))
    unknown = set(grid) - set(solver.COLOURS)
    if unknown:
        raise WorkforceError(_("The card holds an unknown colour: only red, orange and green."))
    return grid


def latest_start(today: date) -> date:
    """The last day a new card may start: a card is about the coming weeks, a year at most."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return today + timedelta(days=365)


def check_valid_from(valid_from: date, today: date | None = None) -> None:
    """A card starts within saas.bounds and at most a year from today: a card far ahead would
    refuse every later card as overlapping."""
    try:
        check_date(valid_from)
    except OutOfBounds as problem:
        raise WorkforceError(str(problem)) from None
    last = latest_start(today or date.today())
    if valid_from > last:
        raise WorkforceError(
            _(
                "A card can start at most a year from today: on %(day)s at the latest.",
                day=format_date(last, "long"),
            )
        )


def has_started(card: FlexibilityCard, today: date | None = None) -> bool:
    return card.valid_from <= (today or date.today())


def card_before(card: FlexibilityCard) -> FlexibilityCard | None:
    """The card the worker's availability falls back to without `card`."""
    return db.session.execute(
        select(FlexibilityCard)
        .where(
            FlexibilityCard.worker_id == card.worker_id,
            FlexibilityCard.valid_from < card.valid_from,
        )
        .order_by(FlexibilityCard.valid_from.desc())
        .limit(1)
    ).scalar_one_or_none()


def card_after(card: FlexibilityCard) -> FlexibilityCard | None:
    """The card that takes over from `card`, if any."""
    return db.session.execute(
        select(FlexibilityCard)
        .where(
            FlexibilityCard.worker_id == card.worker_id,
            FlexibilityCard.valid_from > card.valid_from,
        )
        .order_by(FlexibilityCard.valid_from)
        .limit(1)
    ).scalar_one_or_none()


def coming(worker: WorkerProfile, today: date | None = None) -> list[FlexibilityCard]:
    """The worker's cards that have not started yet, the first one first."""
    return list(
        db.session.execute(
            select(FlexibilityCard)
            .where(
                FlexibilityCard.worker_id == worker.id,
                FlexibilityCard.valid_from > (today or date.today()),
            )
            .order_by(FlexibilityCard.valid_from)
        ).scalars()
    )


def card_from(worker: WorkerProfile, day: date) -> FlexibilityCard | None:
    """The worker's card that starts on `day`, if any (at most one: a unique constraint)."""
    return db.session.execute(
        select(FlexibilityCard).where(
            FlexibilityCard.worker_id == worker.id, FlexibilityCard.valid_from == day
        )
    ).scalar_one_or_none()


def _long(day: date) -> str:
    return format_date(day, "long")


def check_not_past(valid_from: date, today: date | None = None) -> None:
    """A person's card starts today or later: what has been stays as it was."""
    if valid_from < (today or date.today()):
        raise WorkforceError(
            _(
                "A card cannot start in the past: choose today (%(day)s) or a later day. "
                "Nothing has been saved.",
                day=_long(today or date.today()),
            )
        )


def _check_editable(card: FlexibilityCard, today: date | None = None) -> None:
    if has_started(card, today):
        raise WorkforceError(
            _(
                "The card valid from %(day)s has started meanwhile, so it stays as history and "
                "nothing has been changed. Save a new card instead.",
                day=_long(card.valid_from),
            )
        )


def delete_card(
    worker: WorkerProfile, card: FlexibilityCard, by_user_id: int | None, today: date | None = None
) -> None:
    """Take back a card that has not started yet; a card that has started stays as history.
    From its date the card before it holds again. Noted in the audit trail (ids and the date);
    the worker is told when someone else took it back."""
    if card.worker_id != worker.id:
        raise WorkforceError(_("This card belongs to another worker."))
    if has_started(card, today):
        raise WorkforceError(
            _("A card that has started stays as history: save a new card instead.")
        )
    record(
        "workforce.card_deleted", worker, card_id=card.id, valid_from=card.valid_from.isoformat()
    )
    _tell_worker(worker, by_user_id, "deleted", card.valid_from, card_id=None)
    db.session.delete(card)
    db.session.flush()


def cards(worker: WorkerProfile) -> list[FlexibilityCard]:
    return list(
        db.session.execute(
            select(FlexibilityCard)
            .where(FlexibilityCard.worker_id == worker.id)
            .order_by(FlexibilityCard.valid_from.desc())
        ).scalars()
    )


def card_on(worker: WorkerProfile, day: date) -> FlexibilityCard | None:
    return db.session.execute(
        select(FlexibilityCard)
        .where(FlexibilityCard.worker_id == worker.id, FlexibilityCard.valid_from <= day)
        .order_by(FlexibilityCard.valid_from.desc())
        .limit(1)
    ).scalar_one_or_none()


def save_card(
    worker: WorkerProfile, grid: str, valid_from: date, reason: str, by_user_id: int | None
) -> FlexibilityCard:
    """A new card from `valid_from` on, as stored (the demo's history uses it too): no other card
    of the worker may start that day."""
    check_grid(grid)
    check_valid_from(valid_from)
    if card_from(worker, valid_from) is not None:
        raise WorkforceError(
            _(
                "There is already a card valid from %(day)s: open it from the history to see it.",
                day=_long(valid_from),
            )
        )
    card = FlexibilityCard(
        worker_id=worker.id,
        grid=grid,
        valid_from=valid_from,
        private_reason=reason.strip()[:2000],
        created_by_id=by_user_id,
    )
    db.session.add(card)
    db.session.flush()
    return card


def change_card(
    worker: WorkerProfile,
    grid: str,
    valid_from: date,
    reason: str,
    by_user_id: int | None,
    today: date | None = None,
) -> tuple[FlexibilityCard, bool]:
    """A person's new card for a worker from the card page, from today on: saved, noted in the
    audit trail, and told to the worker when someone else saved it. On the date of a card that
    has not started yet it changes that card (an empty reason keeps the reason it had).
    Returns the card and whether it was an existing one."""
    check_grid(grid)
    check_valid_from(valid_from, today)
    check_not_past(valid_from, today)
    same_day = card_from(worker, valid_from)
    if same_day is not None:
        if has_started(same_day, today):
            raise WorkforceError(
                _(
                    "The card valid from %(day)s has started, so it stays as history: a new card "
                    "can start tomorrow at the earliest. Nothing has been saved.",
                    day=_long(valid_from),
                )
            )
        edit_card(worker, same_day, grid, valid_from, reason.strip() or None, by_user_id, today)
        return same_day, True
    card = save_card(worker, grid, valid_from, reason, by_user_id)
    record("workforce.card_saved", worker, valid_from=valid_from.isoformat())
    _tell_worker(worker, by_user_id, "created", valid_from, card_id=card.id)
    return card, False


def edit_card(
    worker: WorkerProfile,
    card: FlexibilityCard,
    grid: str,
    valid_from: date,
    reason: str | None,
    by_user_id: int | None,
    today: date | None = None,
) -> FlexibilityCard:
    """Change a card that has not started yet: its grid, its date (today or later, a day no
    other card starts) and, unless `reason` is None, its private reason."""
    if card.worker_id != worker.id:
        raise WorkforceError(_("This card belongs to another worker."))
    _check_editable(card, today)
    check_grid(grid)
    check_valid_from(valid_from, today)
    check_not_past(valid_from, today)
    other = card_from(worker, valid_from)
    if other is not None and other.id != card.id:
        raise WorkforceError(
            _(
                "Another card already starts on %(day)s: change that card instead. "
                "Nothing has been saved.",
                day=_long(valid_from),
            )
        )
    was = card.valid_from
    card.grid = grid
    card.valid_from = valid_from
    if reason is not None:
        card.private_reason = reason.strip()[:2000]
    card.changed_at = utcnow()
    db.session.flush()
    details = {"card_id": card.id, "valid_from": valid_from.isoformat()}
    if was != valid_from:
        details["was_valid_from"] = was.isoformat()
    record("workforce.card_changed", worker, **details)
    _tell_worker(worker, by_user_id, "changed", valid_from, card_id=card.id)
    return card


def _tell_worker(
    worker: WorkerProfile,
    by_user_id: int | None,
    action: str,
    valid_from: date,
    card_id: int | None,
) -> None:
    """A notice to the worker (in-app, and e-mail as they chose) that someone else created,
    changed or took back their card; nobody is told of their own change."""
    if by_user_id is None or by_user_id == worker.user_id:
        return
    user = worker.user
    if user is None or not user.is_enabled:
        return
    slug = current_network().slug
    if card_id is None:
        link = absolute_url("social_economy.card", slug=slug, worker_id=worker.id)
    else:
        link = absolute_url(
            "social_economy.card_view", slug=slug, worker_id=worker.id, card_id=card_id
        )
    notify(
        user,
        kind="card_changed",
        link=link,
        action=action,
        valid_from=valid_from,
        by=db.session.get(User, by_user_id),
    )
