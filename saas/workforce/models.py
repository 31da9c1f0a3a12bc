"""The social-economy workforce: workers' profiles and flexibility cards, the demand for staff,
schools' wished profiles and fixed contacts, rosters and their assignments."""

from __future__ import annotations

import enum
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.extensions import db
from saas.models_base import CreatedAt, str_enum
from tenants.scoping import TenantOwned, tenant_fk

if TYPE_CHECKING:
    from saas.accounts.models import User
    from saas.catalogue.models import ActivitySession, Offer
    from saas.partners.models import Partner


def _csv(value: str) -> list[str]:
    return [v for v in (value or "").split(",") if v]


class WorkerProfile(TenantOwned, CreatedAt, db.Model):
    """A social-economy worker of the network: what they can do, where, and for how many hours."""

    __tablename__ = "worker_profiles"
    __table_args__ = (
        UniqueConstraint("network_id", "id"),
        UniqueConstraint("network_id", "user_id"),
        UniqueConstraint("network_id", "feed_token"),
        CheckConstraint("contract_minutes >= 0 AND max_travel_km >= 0", name="not_negative"),
    )
    __global_keys__ = {"feed_token": "feed_token"}  # the feed's address is a key on its own

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    languages: Mapped[str] = mapped_column(String(200), default="nl")  # comma-separated codes
    skills: Mapped[str] = mapped_column(String(500), default="")  # comma-separated codes
    trainings: Mapped[str] = mapped_column(String(500), default="")  # comma-separated codes
    contract_minutes: Mapped[int] = mapped_column(default=19 * 60)  # per week
    home_area: Mapped[str] = mapped_column(String(100), default="")  # a neighbourhood
    max_travel_km: Mapped[int] = mapped_column(default=10)
    feed_token: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)

    user: Mapped[User] = relationship(
        primaryjoin="WorkerProfile.user_id == User.id", foreign_keys=[user_id], viewonly=True
    )

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def language_list(self) -> list[str]:
        return _csv(self.languages)

    @property
    def skill_list(self) -> list[str]:
        return _csv(self.skills)

    @property
    def training_list(self) -> list[str]:
        return _csv(self.trainings)


class FlexibilityCard(TenantOwned, CreatedAt, db.Model):
    """A worker's week in red / orange / green from a date on; a newer card takes over from its
    own date, so the older ones stay as history. The reason is for the coordinator only."""

    __tablename__ = "flexibility_cards"
    __table_args__ = (
        UniqueConstraint("network_id", "id"),
        UniqueConstraint("network_id", "worker_id", "valid_from"),
        tenant_fk("worker_id", "worker_profiles"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(index=True)
    valid_from: Mapped[date]
    grid: Mapped[str] = mapped_column(String(100))  # 7 days x 13 hours of r/o/g, Monday 07:00 first
    private_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime | None]  # the last change of a card before it started


class TeamSlot(TenantOwned, CreatedAt, db.Model):
    """A weekly slot the whole team keeps free: the intervisie."""

    __tablename__ = "team_slots"
    __table_args__ = (CheckConstraint("end_time > start_time", name="times"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    weekday: Mapped[int]  # 0 = Monday
    start_time: Mapped[time]
    end_time: Mapped[time]


class StaffingNeed(TenantOwned, CreatedAt, db.Model):
    """How many workers each session of an offer needs, with which skills and languages."""

    __tablename__ = "staffing_needs"
    __table_args__ = (
        UniqueConstraint("network_id", "id"),
        UniqueConstraint("network_id", "offer_id"),
        tenant_fk("offer_id", "offers"),
        CheckConstraint("workers > 0", name="workers"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(index=True)
    workers: Mapped[int] = mapped_column(default=1)
    skills: Mapped[str] = mapped_column(String(500), default="")  # all required
    languages: Mapped[str] = mapped_column(String(200), default="")  # at least one

    offer: Mapped[Offer] = relationship(
        primaryjoin="StaffingNeed.offer_id == Offer.id", foreign_keys=[offer_id], viewonly=True
    )

    @property
    def skill_list(self) -> list[str]:
        return _csv(self.skills)

    @property
    def language_list(self) -> list[str]:
        return _csv(self.languages)


class SchoolWish(TenantOwned, CreatedAt, db.Model):
    """A school's (or partner's) wished profile for its social-economy contact."""

    __tablename__ = "school_wishes"
    __table_args__ = (
        UniqueConstraint("network_id", "id"),
        UniqueConstraint("network_id", "partner_id"),
        tenant_fk("partner_id", "partners"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(index=True)
    tasks: Mapped[str] = mapped_column(String(500), default="")  # skill codes wanted
    languages: Mapped[str] = mapped_column(String(200), default="")
    profile: Mapped[str] = mapped_column(Text, default="")  # the kind of person, in words
    neighbourhood: Mapped[str] = mapped_column(String(100), default="")
    weekdays: Mapped[str] = mapped_column(String(20), default="")  # "0,3": Monday, Thursday
    start_time: Mapped[time] = mapped_column(default=time(12, 0))
    end_time: Mapped[time] = mapped_column(default=time(13, 0))
    hours_per_week: Mapped[int] = mapped_column(default=2)

    partner: Mapped[Partner] = relationship(
        primaryjoin="SchoolWish.partner_id == Partner.id", foreign_keys=[partner_id], viewonly=True
    )

    @property
    def task_list(self) -> list[str]:
        return _csv(self.tasks)

    @property
    def language_list(self) -> list[str]:
        return _csv(self.languages)

    @property
    def weekday_list(self) -> list[int]:
        return [int(d) for d in _csv(self.weekdays)]


class FixedContact(TenantOwned, CreatedAt, db.Model):
    """The worker the coordinator confirmed as a school's fixed contact (one per school)."""

    __tablename__ = "fixed_contacts"
    __table_args__ = (
        UniqueConstraint("network_id", "partner_id"),
        tenant_fk("partner_id", "partners"),
        tenant_fk("worker_id", "worker_profiles"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(index=True)
    worker_id: Mapped[int] = mapped_column(index=True)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    worker: Mapped[WorkerProfile] = relationship(
        primaryjoin="FixedContact.worker_id == WorkerProfile.id",
        foreign_keys=[worker_id],
        viewonly=True,
    )


class RosterStatus(enum.StrEnum):
    DRAFT = "draft"
    SOLVING = "solving"
    SOLVED = "solved"
    FAILED = "failed"
    PUBLISHED = "published"
    RETIRED = "retired"  # published once; every day of it since taken over by newer rosters


class Roster(TenantOwned, CreatedAt, db.Model):
    """A roster for a period of whole weeks, with what the last solve achieved."""

    __tablename__ = "rosters"
    __table_args__ = (
        UniqueConstraint("network_id", "id"),
        CheckConstraint("ends_on > starts_on", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_on: Mapped[date]  # a Monday
    ends_on: Mapped[date]  # exclusive: the Monday after its last week (shown: `last_day`)
    status: Mapped[RosterStatus] = mapped_column(
        str_enum(RosterStatus, 20), default=RosterStatus.DRAFT
    )
    job_id: Mapped[str] = mapped_column(String(64), default="")  # the RQ job of the last solve
    solve_requested_at: Mapped[datetime | None]
    solver_status: Mapped[str] = mapped_column(String(20), default="")  # optimal, feasible, ...
    objective: Mapped[int | None]
    best_bound: Mapped[float | None]
    solve_seconds: Mapped[float | None]
    uncovered: Mapped[list] = mapped_column(JSON, default=list)  # [{session, missing, reasons}]
    refused_locks: Mapped[list] = mapped_column(JSON, default=list)
    solved_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def last_day(self) -> date:
        """The period's last day, as every page, e-mail and feed shows a period: inclusive."""
        return self.ends_on - timedelta(days=1)

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.best_bound is None:
            return None
        if self.objective == 0:
            return 0.0
        return max(0.0, (self.objective - self.best_bound) / abs(self.objective))


class RosterRetirement(TenantOwned, CreatedAt, db.Model):
    """Days of a published roster taken over by a roster published after it (`by_roster_id`):
    its assignments on those days no longer count (`saas.workforce.rostered`). Kept, not
    deleted, so the old roster still shows what it was. `starts_on`/`ends_on` are the days
    (end exclusive, as a roster's); `starts_at`/`ends_at` the same bounds in UTC, for SQL to
    compare sessions' start times with."""

    __tablename__ = "roster_retirements"
    __table_args__ = (
        UniqueConstraint("network_id", "id"),
        CheckConstraint("ends_on > starts_on", name="days"),
        tenant_fk("roster_id", "rosters"),
        tenant_fk("by_roster_id", "rosters"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(index=True)
    by_roster_id: Mapped[int] = mapped_column(index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]

    @property
    def last_day(self) -> date:
        return self.ends_on - timedelta(days=1)


class Assignment(TenantOwned, CreatedAt, db.Model):
    """A worker on a session in a roster. Minutes and orange are kept for the network's figures."""

    __tablename__ = "roster_assignments"
    __table_args__ = (
        UniqueConstraint("network_id", "id"),
        UniqueConstraint("network_id", "roster_id", "session_id", "worker_id"),
        tenant_fk("roster_id", "rosters"),
        tenant_fk("session_id", "sessions"),
        tenant_fk("worker_id", "worker_profiles"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(index=True)
    session_id: Mapped[int] = mapped_column(index=True)
    worker_id: Mapped[int] = mapped_column(index=True)
    locked: Mapped[bool] = mapped_column(default=False)
    manual: Mapped[bool] = mapped_column(default=False)
    orange: Mapped[bool] = mapped_column(default=False)
    minutes: Mapped[int] = mapped_column(default=0)

    session: Mapped[ActivitySession] = relationship(
        primaryjoin="Assignment.session_id == ActivitySession.id",
        foreign_keys=[session_id],
        viewonly=True,
    )
    worker: Mapped[WorkerProfile] = relationship(
        primaryjoin="Assignment.worker_id == WorkerProfile.id",
        foreign_keys=[worker_id],
        viewonly=True,
    )
