"""Matching on the database side, for the current network only.

The network's published offers become features in two queries (the offers with their place,
and the sessions of the next four weeks with the seats referrals hold on them, grouped in the
database), a referral becomes a question, and the ten best suggestions are kept in Redis for an
hour under a key per network and referral: offer and session ids, points and reason kinds, never
the family's data. The page words the reasons from the referral it shows.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from redis.exceptions import RedisError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, selectinload

from saas.after_commit import note_now
from saas.catalogue.models import (
    ActivitySession,
    Answer,
    Location,
    Offer,
    OfferPartner,
    OrganiserRole,
    SessionStatus,
)
from saas.catalogue.schedule import to_local
from saas.connections import redis_connection
from saas.extensions import db
from saas.matching.scoring import reasons, vectorised
from saas.matching.scoring.features import OfferFeatures, Question, weekdays_of
from saas.models_base import utcnow
from saas.partners.models import Partner, PartnerState
from saas.referrals.models import Referral, Status

log = logging.getLogger(__name__)
WINDOW = timedelta(weeks=4)
TOP = 10
RESULT_TTL = 3600  # seconds the suggestions are kept
RUNNING_TTL = 600  # after this, a job that never reported is taken as lost
HOLDING = [s for s in Status if s.is_open and s != Status.DRAFT]  # as referrals.services.seats_held
# The session key under which a transaction notes the matching it asked for (workers.relays).
MATCH_REQUESTS = "dorp_matching_requests"


class MatchRequest(NamedTuple):
    network_id: int
    referral_id: int


@dataclass
class Suggestion:
    offer_id: int
    session_id: int | None
    score: float
    codes: list[str] = field(default_factory=list)

    def stored(self) -> dict:
        return {
            "offer_id": self.offer_id,
            "session_id": self.session_id,
            "score": self.score,
            "codes": reasons.stored_codes(self.codes),
        }


@dataclass
class MatchState:
    state: str  # "none", "running", "done" or "failed"
    suggestions: list[Suggestion] = field(default_factory=list)
    computed_at: str = ""

    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def done(self) -> bool:
        return self.state == "done"

    @property
    def failed(self) -> bool:
        return self.state == "failed"


# --- features -----------------------------------------------------------------------------------


def question_of(referral: Referral, vocabulary: Iterable[str] = ()) -> Question:
    """The referral's question for matching. Its themes are the ones written in the themes
    field and the offers' themes (`vocabulary`) that its question names: a question about
    "babymassage" is about babymassage even when nobody typed it as a theme."""
    return Question.of(
        age_bands=referral.list_of("age_bands"),
        themes=[*referral.list_of("themes"), *named_themes(referral.question or "", vocabulary)],
        languages=referral.list_of("languages"),
        neighbourhood=referral.neighbourhood or "",
        days=referral.list_of("preferred_days"),
        times=referral.list_of("preferred_times"),
    )


def _plain_words(text: str) -> str:
    return " " + " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split()) + " "


def named_themes(text: str, vocabulary: Iterable[str]) -> list[str]:
    """The themes of `vocabulary` that `text` names as whole words, in any case."""
    words = _plain_words(text)
    return [t for t in vocabulary if _plain_words(t).strip() and _plain_words(t) in words]


def _features(
    row, neighbourhood: str, upcoming: list[tuple[int, int]] | None = None
) -> OfferFeatures:
    """Features of an offer (an ORM object or a row with the same names); `upcoming` lists the
    next four weeks' sessions as (session id, seats held), earliest first."""
    upcoming = upcoming or []
    capacity = row.capacity if row.capacity and row.capacity > 0 else None
    next_id, seats = None, None
    if upcoming:
        if capacity is None:
            next_id = upcoming[0][0]
        else:
            with_room = [(sid, capacity - held) for sid, held in upcoming if held < capacity]
            next_id, seats = with_room[0] if with_room else (None, 0)
    return OfferFeatures.of(
        id=row.id,
        partner_id=row.partner_id,
        age_min_months=row.age_min_months,
        age_max_months=row.age_max_months,
        themes=(row.themes or "").split(","),
        languages=(row.languages or "").split(","),
        neighbourhood=neighbourhood or "",
        days=weekdays_of(row.rrule, row.start_date),
        start_hour=row.start_time.hour,
        cost_kind=str(row.cost_kind),
        capacity=capacity,
        sessions_soon=len(upcoming),
        seats_left=seats,
        next_session_id=next_id,
    )


def upcoming_sessions(now: datetime | None = None) -> dict[int, list[tuple[int, int]]]:
    """Per offer, its scheduled sessions of the next four weeks with the seats that open
    referrals hold on each: one query, counted in the database."""
    now = now or utcnow()
    held = (
        select(Referral.session_id.label("session_id"), func.count().label("held"))
        .where(Referral.session_id.is_not(None), Referral.status.in_(HOLDING))
        .group_by(Referral.session_id)
        .subquery()
    )
    rows = db.session.execute(
        select(ActivitySession.offer_id, ActivitySession.id, func.coalesce(held.c.held, 0))
        .join(Offer, Offer.id == ActivitySession.offer_id)
        .outerjoin(held, held.c.session_id == ActivitySession.id)
        .where(
            Offer.published_at.is_not(None),
            Offer.hidden_at.is_(None),
            ActivitySession.status == SessionStatus.SCHEDULED,
            ActivitySession.starts_at > now,
            ActivitySession.starts_at <= now + WINDOW,
        )
        .order_by(ActivitySession.offer_id, ActivitySession.starts_at, ActivitySession.id)
    ).all()
    result: dict[int, list[tuple[int, int]]] = {}
    for offer_id, session_id, taken in rows:
        result.setdefault(offer_id, []).append((session_id, int(taken)))
    return result


def offer_features(
    *, now: datetime | None = None, exclude_partner_id: int | None = None
) -> list[OfferFeatures]:
    """The network's offers a family can still be referred to, ordered by id: published, not
    hidden, of an active partner, and not over (a session to come, or not started yet)."""
    now = now or utcnow()
    still_running = select(ActivitySession.offer_id).where(
        ActivitySession.starts_at > now, ActivitySession.status == SessionStatus.SCHEDULED
    )
    query = (
        select(
            Offer.id,
            Offer.partner_id,
            Offer.age_min_months,
            Offer.age_max_months,
            Offer.themes,
            Offer.languages,
            Offer.rrule,
            Offer.start_date,
            Offer.start_time,
            Offer.cost_kind,
            Offer.capacity,
            Location.neighbourhood,
        )
        .join(Location, Location.id == Offer.location_id)
        .join(Partner, Partner.id == Offer.partner_id)
        .where(
            Offer.published_at.is_not(None),
            Offer.hidden_at.is_(None),
            Partner.state == PartnerState.ACTIVE,
            or_(Offer.start_date >= to_local(now).date(), Offer.id.in_(still_running)),
        )
        .order_by(Offer.id)
    )
    if exclude_partner_id is not None:
        # the sender's own offers only when another partner co-organises them (referred to it)
        query = query.where(
            or_(
                Offer.partner_id != exclude_partner_id,
                Offer.id.in_(_co_organised(exclude_partner_id, Link.offer_id)),
            )
        )
    rows = db.session.execute(query).all()
    sessions = upcoming_sessions(now)
    return [_features(row, row.neighbourhood, sessions.get(row.id)) for row in rows]


Link = aliased(OfferPartner)
LinkedPartner = aliased(Partner)


def _co_organised(sender_id: int, *columns):
    """The links of co-organisers other than `sender_id` that a family can be referred to:
    organisers who did not decline, of an active partner (aliased: never correlated with an
    outer query's offers and partners)."""
    return (
        select(*(columns or (Link, LinkedPartner)))
        .select_from(Link)
        .join(LinkedPartner, LinkedPartner.id == Link.partner_id)
        .where(
            Link.partner_id != sender_id,
            Link.role == OrganiserRole.ORGANISER,
            Link.answer != Answer.DECLINED,
            LinkedPartner.state == PartnerState.ACTIVE,
        )
    )


def referred_to(offers: Iterable[Offer], sender_id: int) -> dict[int, Partner]:
    """Per offer, the partner a family is referred to for it: its own partner, or for one of
    the sender's own offers the first other partner that co-organises it (one query)."""
    result = {o.id: o.partner for o in offers if o.partner_id != sender_id}
    own = [o.id for o in offers if o.partner_id == sender_id]
    if own:
        for link, partner in db.session.execute(
            _co_organised(sender_id).where(Link.offer_id.in_(own)).order_by(Link.id)
        ).all():
            result.setdefault(link.offer_id, partner)
    return result


# --- matching -----------------------------------------------------------------------------------


def match_referral(referral: Referral, k: int = TOP) -> list[Suggestion]:
    """The k best offers for the referral's question, best first: never the sender's own, but
    those it co-organises with another partner (the family is referred to that partner)."""
    offers = offer_features(exclude_partner_id=referral.from_partner_id)
    if not offers:
        return []
    question = question_of(referral, vocabulary=sorted(set().union(*(o.themes for o in offers))))
    matrix = vectorised.encode_offers(offers)
    top = vectorised.top_k_vectorised(vectorised.encode_questions([question], matrix), matrix, k)
    by_id = {o.id: o for o in offers}
    return [
        Suggestion(
            offer_id=offer_id,
            session_id=by_id[offer_id].next_session_id,
            score=score,
            codes=reasons.explain(question, by_id[offer_id]),
        )
        for offer_id, score in top.as_lists()[0]
    ]


# --- the results' short life in Redis -------------------------------------------------------


def _key(network_id: int, referral_id: int) -> str:
    return f"dorp:matching:{network_id}:{referral_id}"


def _redis():
    return redis_connection()


def can_match(referral: Referral) -> bool:
    """Suggestions are only looked for while the referral is open and still holds the question."""
    return referral.is_open and referral.anonymised_at is None


def request_matching(network_id: int, referral: Referral) -> MatchRequest:
    """Ask for suggestions: the page shows "running" at once, and the job is handed to RQ once
    the request's transaction has committed. Raises RedisError while Redis is unreachable (the
    person is told to try again; nothing was asked)."""
    request = MatchRequest(network_id, referral.id)
    mark_running(*request)
    note_now(db.session, MATCH_REQUESTS, [request])
    return request


def mark_failed_quietly(network_id: int, referral_id: int) -> None:
    """The job could not be handed over: the page stops waiting (if Redis can still be told)."""
    try:
        mark_failed(network_id, referral_id)
    except RedisError as error:  # the running mark then expires by itself
        log.warning("matching: could not mark referral %s failed (%s)", referral_id, error)


def mark_running(network_id: int, referral_id: int) -> None:
    _redis().set(
        _key(network_id, referral_id),
        json.dumps({"state": "running", "since": utcnow().isoformat()}),
        ex=RUNNING_TTL,
    )


def mark_failed(network_id: int, referral_id: int) -> None:
    _redis().set(
        _key(network_id, referral_id),
        json.dumps({"state": "failed", "since": utcnow().isoformat()}),
        ex=RUNNING_TTL,
    )


def store(network_id: int, referral_id: int, suggestions: list[Suggestion]) -> None:
    _redis().set(
        _key(network_id, referral_id),
        json.dumps(
            {
                "state": "done",
                "computed_at": utcnow().isoformat(),
                "suggestions": [s.stored() for s in suggestions],
            }
        ),
        ex=RESULT_TTL,
    )


def forget(network_id: int, referral_id: int) -> None:
    _redis().delete(_key(network_id, referral_id))


def load(network_id: int, referral_id: int) -> MatchState:
    raw = _redis().get(_key(network_id, referral_id))
    if not raw:
        return MatchState("none")
    data = json.loads(raw)
    if data.get("state") in ("running", "failed"):
        return MatchState(data["state"])
    if data.get("state") != "done":
        return MatchState("none")
    return MatchState(
        "done",
        [
            Suggestion(
                offer_id=int(s["offer_id"]),
                session_id=s.get("session_id"),
                score=float(s["score"]),
                codes=list(s.get("codes") or []),
            )
            for s in data.get("suggestions", [])
        ],
        data.get("computed_at", ""),
    )


# --- what the page shows ---------------------------------------------------------------------


@dataclass
class Shown:
    offer: Offer
    partner: Partner  # the partner the family would be referred to for it
    session: ActivitySession | None
    score: float
    codes: list[str]
    line: str


def shown(referral: Referral, suggestions: list[Suggestion]) -> list[Shown]:
    """The stored suggestions with their offers and sessions (two queries), worded from the
    referral as it is now; offers hidden or unpublished since are left out."""
    offer_ids = [s.offer_id for s in suggestions]
    session_ids = [s.session_id for s in suggestions if s.session_id]
    offers = {
        o.id: o
        for o in db.session.execute(
            select(Offer)
            .where(Offer.id.in_(offer_ids))
            .options(selectinload(Offer.partner), selectinload(Offer.location))
        ).scalars()
    }
    sessions = (
        {
            s.id: s
            for s in db.session.execute(
                select(ActivitySession).where(ActivitySession.id.in_(session_ids))
            ).scalars()
        }
        if session_ids
        else {}
    )
    partners = referred_to(offers.values(), referral.from_partner_id)
    result = []
    for s in suggestions:
        offer = offers.get(s.offer_id)
        if offer is None or not offer.is_published or offer.id not in partners:
            continue
        session = sessions.get(s.session_id) if s.session_id else None
        if session is not None and session.is_cancelled:
            session = None
        features = _features(offer, offer.location.neighbourhood)
        question = question_of(referral, vocabulary=sorted(features.themes))
        codes = reasons.detail_codes(s.codes, question, features)
        result.append(
            Shown(offer, partners[offer.id], session, s.score, codes, reasons.explanation(codes))
        )
    return result
