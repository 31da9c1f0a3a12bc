"""Flexibility cards: a worker's colour for every hour of the week, with their history. Changes
flush; the request commits."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from saas.audit.services import record
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
                day=newest.strftime("%d/%m/%Y"),
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
