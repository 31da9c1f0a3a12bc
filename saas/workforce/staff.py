"""The team: its members, its workers in the planning (their profiles and a worker's own
calendar-feed token) and the team's fixed slots (intervisie). Changes flush; the request commits."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import time

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from saas.audit.services import record
from saas.extensions import db
from saas.workforce.errors import WorkforceError
from saas.workforce.models import TeamSlot, WorkerProfile
from tenants import lookups
from tenants.models import Membership, Role

# A feed token is 32 characters (token_urlsafe(24)); the column holds at most 64.
FEED_TOKEN_MAX = 64


def team_members() -> dict[str, list[Membership]]:
    """The network's social-economy people: its coordinators and its workers, in joining order."""
    rows = (
        db.session.execute(
            select(Membership)
            .where(Membership.role.in_([Role.SE_COORDINATOR, Role.SE_WORKER]))
            .order_by(Membership.id)
        )
        .scalars()
        .all()
    )
    return {
        "coordinators": [m for m in rows if m.role == Role.SE_COORDINATOR],
        "workers": [m for m in rows if m.role == Role.SE_WORKER],
    }


def workers(active_only: bool = True) -> list[WorkerProfile]:
    query = select(WorkerProfile).options(selectinload(WorkerProfile.user))
    if active_only:
        query = query.where(WorkerProfile.active.is_(True))
    rows = list(db.session.execute(query).scalars())
    return sorted(rows, key=lambda w: w.name.lower())


def unplanned_members(team: list[WorkerProfile]) -> list[Membership]:
    """The team's workers (memberships) who have no profile in the planning yet."""
    planned = {w.user_id for w in team}
    members = db.session.execute(
        select(Membership).where(Membership.role == Role.SE_WORKER).order_by(Membership.id)
    ).scalars()
    return [m for m in members if m.user_id not in planned]


def worker_for_user(user_id: int) -> WorkerProfile | None:
    """The person's own worker profile, if they are in the planning."""
    return db.session.execute(
        select(WorkerProfile).where(WorkerProfile.user_id == user_id)
    ).scalar_one_or_none()


def worker_seen_by(worker_id: int, user_id: int, *, sees_all: bool) -> WorkerProfile | None:
    """The worker a person may open: any of the team when they `sees_all` (the coordinator),
    otherwise only their own profile."""
    query = select(WorkerProfile).where(WorkerProfile.id == worker_id)
    if not sees_all:
        query = query.where(WorkerProfile.user_id == user_id)
    return db.session.execute(query).scalar_one_or_none()


def worker_by_feed_token(feed_token: str) -> WorkerProfile | None:
    """The active worker whose calendar feed this token opens (the token is the capability)."""
    if len(feed_token) > FEED_TOKEN_MAX:
        return None
    found = lookups.find("feed_token", feed_token)
    if found is None:
        return None
    network_id, worker_id = found  # another network's token finds nothing in this one
    return db.session.execute(
        select(WorkerProfile).where(
            WorkerProfile.network_id == network_id,
            WorkerProfile.id == worker_id,
            WorkerProfile.feed_token == feed_token,
            WorkerProfile.active.is_(True),
        )
    ).scalar_one_or_none()


def add_worker(user_id: int | None) -> WorkerProfile:
    """Put a worker of the team into the planning, once."""
    member = db.session.execute(
        select(Membership).where(Membership.user_id == user_id, Membership.role == Role.SE_WORKER)
    ).scalar_one_or_none()
    if member is None or worker_for_user(member.user_id) is not None:
        raise WorkforceError(_("This person cannot be added to the planning."))
    worker = WorkerProfile(user_id=member.user_id)
    db.session.add(worker)
    db.session.flush()
    record("workforce.worker_added", worker)
    return worker


@dataclass(frozen=True)
class ProfileData:
    """What the coordinator sets of a worker's profile."""

    languages: list[str]
    skills: list[str]
    trainings: list[str]
    contract_hours: int
    home_area: str
    max_travel_km: int
    active: bool


def update_profile(worker: WorkerProfile, data: ProfileData) -> None:
    worker.languages = ",".join(data.languages)
    worker.skills = ",".join(data.skills)
    worker.trainings = ",".join(data.trainings)
    worker.contract_minutes = data.contract_hours * 60
    worker.home_area = data.home_area.strip()
    worker.max_travel_km = data.max_travel_km
    worker.active = data.active
    db.session.flush()
    record("workforce.profile_changed", worker)


def new_feed_token(worker: WorkerProfile) -> str:
    worker.feed_token = secrets.token_urlsafe(24)
    return worker.feed_token


def renew_feed_token(worker: WorkerProfile) -> str:
    """A new address for the worker's calendar feed: the old one stops working."""
    token = new_feed_token(worker)
    db.session.flush()
    record("workforce.feed_token_renewed", worker)
    return token


def team_slots() -> list[TeamSlot]:
    return list(db.session.execute(select(TeamSlot).order_by(TeamSlot.weekday)).scalars())


def add_team_slot(label: str, weekday: int, start_time: time, end_time: time) -> TeamSlot:
    """A weekly time the whole team is kept free (nobody is rostered then)."""
    slot = TeamSlot(label=label.strip(), weekday=weekday, start_time=start_time, end_time=end_time)
    db.session.add(slot)
    db.session.flush()
    return slot
