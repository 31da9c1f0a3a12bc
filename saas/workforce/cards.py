"""Flexibility cards: a worker's colour for every hour of the week, with their history. Changes
flush; the request commits."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from saas.audit.services import record
from saas.bounds import OutOfBounds, check_date
from saas.extensions import db
from saas.workforce import solver
from saas.workforce.errors import WorkforceError
from saas.workforce.models import FlexibilityCard, WorkerProfile


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


def delete_card(worker: WorkerProfile, card: FlexibilityCard, today: date | None = None) -> None:
    """Take back a card that has not started yet; a card that has started stays as history.
    From its date the card before it holds again. Noted in the audit trail (ids and the date)."""
    if card.worker_id != worker.id:
        raise WorkforceError(_("This card belongs to another worker."))
    if has_started(card, today):
        raise WorkforceError(
            _("A card that has started stays as history: save a new card instead.")
        )
    record(
        "workforce.card_deleted", worker, card_id=card.id, valid_from=card.valid_from.isoformat()
    )
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
    """A new card from `valid_from` on. History is kept: a new card must start after the newest."""
    check_grid(grid)
    check_valid_from(valid_from)
    newest = db.session.execute(
        select(FlexibilityCard.valid_from)
        .where(FlexibilityCard.worker_id == worker.id)
        .order_by(FlexibilityCard.valid_from.desc())
        .limit(1)
    ).scalar_one_or_none()
    if newest is not None and valid_from <= newest:
        raise WorkforceError(
            _(
                "This card would overlap the card valid from %(day)s: a new card starts after it.",
                day=format_date(newest, "long"),
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
    worker: WorkerProfile, grid: str, valid_from: date, reason: str, by_user_id: int | None
) -> FlexibilityCard:
    """A person's new card for a worker from the card page: saved, and noted in the audit trail."""
    card = save_card(worker, grid, valid_from, reason, by_user_id)
    record("workforce.card_saved", worker, valid_from=valid_from.isoformat())
    return card
