"""What waits for the social economy: for the coordinator, flexibility cards that changed (new in
the past week, or taking effect this week), sessions of this week and the next that the
published rosters do not cover, rosters not published yet and referrals sent to the team's
employer that wait for an answer; for a worker, their week in short
(the full week is on "My week")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select

from saas.accounts.models import User
from saas.catalogue.models import ActivitySession, Offer, SessionStatus
from saas.catalogue.schedule import to_local
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner, PartnerState, Sector
from saas.today import SHOWN, Listed, local_midnight, monday, today
from saas.today.partner import waiting_referrals
from saas.workforce.assignments import my_assignments
from saas.workforce.grid import week_key
from saas.workforce.models import (
    Assignment,
    FlexibilityCard,
    Roster,
    RosterStatus,
    StaffingNeed,
    WorkerProfile,
)
from saas.workforce.rostered import published, taken_over
from saas.workforce.staff import worker_for_user

CARDS_CHANGED_WITHIN = timedelta(days=7)
COVER_WEEKS = 2  # this week and the next: what a coordinator can still fix


@dataclass(frozen=True)
class ChangedCard:
    worker_id: int
    worker: str
    valid_from: date
    changed_at: datetime  # made, or changed before it started


@dataclass(frozen=True)
class Uncovered:
    session_id: int
    title: str
    starts_at: datetime
    missing: int
    roster_id: int | None  # the roster to put someone on it by hand; None: no roster yet

    @property
    def week(self) -> str:
        """The roster's week this session is in ("2026-W49"), for the link to its grid."""
        return week_key(to_local(self.starts_at).date())


@dataclass(frozen=True)
class UnpublishedRoster:
    roster_id: int
    first_day: date
    last_day: date
    status: RosterStatus


@dataclass
class CoordinatorNeeds:
    cards: Listed
    uncovered: Listed
    rosters: Listed
    referrals: Listed  # sent to the social-economy employer, for the team to answer

    @property
    def empty(self) -> bool:
        return not (self.cards or self.uncovered or self.rosters or self.referrals)


def coordinator_needs() -> CoordinatorNeeds:
    return CoordinatorNeeds(
        cards=changed_cards(),
        uncovered=uncovered_sessions(),
        rosters=unpublished_rosters(),
        referrals=waiting_referrals(_employers()),
    )


def _employers() -> list[int]:
    """The social-economy partners the team acts for (`saas.partners.access`)."""
    return list(
        db.session.execute(
            select(Partner.id)
            .where(Partner.sector == Sector.SOCIAL_ECONOMY, Partner.state != PartnerState.SUSPENDED)
            .order_by(Partner.id)
        ).scalars()
    )


def changed_cards() -> Listed:
    """Cards made or changed in the past seven days, or taking effect this week: the newest
    first (a coming card can be changed in place until it starts: `changed_at`)."""
    week = monday(today())
    changed = func.coalesce(FlexibilityCard.changed_at, FlexibilityCard.created_at)
    rows = db.session.execute(
        select(
            FlexibilityCard.worker_id,
            User.name,
            FlexibilityCard.valid_from,
            changed,
            func.count().over(),
        )
        .join(WorkerProfile, WorkerProfile.id == FlexibilityCard.worker_id)
        .join(User, User.id == WorkerProfile.user_id)
        .where(
            or_(
                changed >= utcnow() - CARDS_CHANGED_WITHIN,
                FlexibilityCard.valid_from.between(week, week + timedelta(days=6)),
            )
        )
        .order_by(changed.desc(), FlexibilityCard.id.desc())
        .limit(SHOWN)
    ).all()
    return Listed(
        [ChangedCard(wid, name, valid, made) for wid, name, valid, made, _n in rows],
        rows[0][4] if rows else 0,
    )


def _staffed():
    """How many workers the rosters in force put on the outer statement's session
    (`saas.workforce.rostered`: published, the day not taken over by a newer roster)."""
    return (
        select(func.count(Assignment.id))
        .join(Roster, Roster.id == Assignment.roster_id)
        .where(
            Assignment.session_id == ActivitySession.id,
            published(),
            ~taken_over(Assignment.roster_id, ActivitySession.starts_at),
        )
        .scalar_subquery()
    )


def uncovered_sessions() -> Listed:
    """Sessions still to come this week and next that need more workers than the published
    rosters give them, the soonest first, each with the roster where it is fixed."""
    end = monday(today()) + timedelta(weeks=COVER_WEEKS)
    staffed = _staffed()
    rows = db.session.execute(
        select(
            ActivitySession.id,
            Offer.title,
            ActivitySession.starts_at,
            StaffingNeed.workers - staffed,
            func.count().over(),
        )
        .join(StaffingNeed, StaffingNeed.offer_id == ActivitySession.offer_id)
        .join(Offer, Offer.id == ActivitySession.offer_id)
        .where(
            ActivitySession.status == SessionStatus.SCHEDULED,
            ActivitySession.starts_at >= utcnow(),
            ActivitySession.starts_at < local_midnight(end),
            staffed < StaffingNeed.workers,
        )
        .order_by(ActivitySession.starts_at, ActivitySession.id)
        .limit(SHOWN)
    ).all()
    if not rows:
        return Listed()
    rosters = _rosters_between(today(), end)
    return Listed(
        [
            Uncovered(sid, title, at, missing, _roster_for(rosters, to_local(at).date()))
            for sid, title, at, missing, _n in rows
        ],
        rows[0][4],
    )


def _rosters_between(first: date, end: date) -> list[Roster]:
    """The rosters (not retired) that share a day with [first, end), the one in force on a day
    first: published, then the newest."""
    found = db.session.execute(
        select(Roster).where(
            Roster.status != RosterStatus.RETIRED,
            Roster.starts_on < end,
            Roster.ends_on > first,
        )
    ).scalars()
    return sorted(
        found,
        key=lambda r: (r.published_at is None, -(r.published_at or r.created_at).timestamp()),
    )


def _roster_for(rosters: list[Roster], day: date) -> int | None:
    return next((r.id for r in rosters if r.starts_on <= day < r.ends_on), None)


def unpublished_rosters() -> Listed:
    """Rosters not published yet (drafts, being solved, solved, failed) whose period has not
    passed, the earliest first."""
    rows = db.session.execute(
        select(Roster.id, Roster.starts_on, Roster.ends_on, Roster.status, func.count().over())
        .where(
            Roster.published_at.is_(None),
            Roster.status != RosterStatus.RETIRED,
            Roster.ends_on > today(),
        )
        .order_by(Roster.starts_on, Roster.id)
        .limit(SHOWN)
    ).all()
    return Listed(
        [
            UnpublishedRoster(rid, first, end - timedelta(days=1), RosterStatus(status))
            for rid, first, end, status, _n in rows
        ],
        rows[0][4] if rows else 0,
    )


@dataclass
class WorkerWeek:
    first_day: date
    last_day: date
    shifts: int
    minutes: int
    next: Assignment | None  # the next session still to come this week


def worker_week(user_id: int) -> WorkerWeek | None:
    """The worker's week in short, from the rosters in force; None when they are not in the
    planning yet."""
    worker = worker_for_user(user_id)
    if worker is None:
        return None
    start = monday(today())
    shifts = my_assignments(worker, start, start + timedelta(weeks=1))
    now = utcnow()
    coming = [a for a in shifts if a.session.starts_at >= now and not a.session.is_cancelled]
    return WorkerWeek(
        first_day=start,
        last_day=start + timedelta(days=6),
        shifts=len(shifts),
        minutes=sum(a.minutes for a in shifts),
        next=coming[0] if coming else None,
    )
