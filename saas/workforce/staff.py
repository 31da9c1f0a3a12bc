"""The team: its workers (and a worker's own calendar-feed token) and the team's fixed slots
(intervisie). Changes flush; the request commits."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from saas.extensions import db
from saas.workforce.models import TeamSlot, WorkerProfile


def workers(active_only: bool = True) -> list[WorkerProfile]:
    query = select(WorkerProfile).options(selectinload(WorkerProfile.user))
    if active_only:
        query = query.where(WorkerProfile.active.is_(True))
    rows = list(db.session.execute(query).scalars())
    return sorted(rows, key=lambda w: w.name.lower())


def worker_for_user(user_id: int) -> WorkerProfile | None:
    return db.session.execute(
        select(WorkerProfile).where(WorkerProfile.user_id == user_id)
    ).scalar_one_or_none()


def team_slots() -> list[TeamSlot]:
    return list(db.session.execute(select(TeamSlot).order_by(TeamSlot.weekday)).scalars())


def new_feed_token(worker: WorkerProfile) -> str:
    worker.feed_token = secrets.token_urlsafe(24)
    return worker.feed_token
