"""A deterministic network at scale, for benchmarks: bulk inserts with SQLAlchemy Core.

    from bench.scale import seed_scale
    network_id = seed_scale(engine)          # the big network's id

One big network (200 partners, 5,000 offers, 50,000 sessions with headcounts, 100,000 referrals
with their events) and 20 smaller networks beside it (a twentieth of the size each), spread over
2025 and 2026. Rows go in with `executemany` on an owner connection (row-level security does not
apply to a superuser/owner), so seeding the whole set takes seconds, not hours. Reusable by any
benchmark: it takes an engine whose schema is up to date and returns the big network's id.
Nothing here runs on import and there is no `main`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine, insert, select

from saas.catalogue.models import (
    ActivitySession,
    Headcount,
    Location,
    Offer,
    OfferType,
)
from saas.catalogue.services import DEFAULT_TYPES
from saas.partners.models import Partner, Sector
from saas.referrals.models import DeclineReason, Referral, ReferralEvent, Status
from saas.referrals.services import FAMILY_BLANKS
from tenants.models import Network

SEED = 20_250_101
START = date(2025, 1, 1)
DAYS = 730
BATCH = 5_000


@dataclass(frozen=True)
class Size:
    partners: int = 200
    offers: int = 5_000
    sessions: int = 50_000
    referrals: int = 100_000

    def scaled(self, divisor: int) -> Size:
        return Size(
            max(self.partners // divisor, 5),
            max(self.offers // divisor, 10),
            max(self.sessions // divisor, 20),
            max(self.referrals // divisor, 20),
        )


BIG = Size()
NEIGHBOURHOODS = [f"Wijk {i:02d}" for i in range(25)]
STATES = [
    (Status.COMPLETED, 40),
    (Status.DECLINED, 10),
    (Status.CLOSED, 5),
    (Status.CANCELLED, 5),
    (Status.IN_PROGRESS, 15),
    (Status.ACCEPTED, 10),
    (Status.RECEIVED, 8),
    (Status.SENT, 7),
]


def _rows(engine: Engine, table, rows: list[dict]) -> None:
    with engine.begin() as conn:
        for i in range(0, len(rows), BATCH):
            conn.execute(insert(table), rows[i : i + BATCH])


def _ids(engine: Engine, column, network_id: int) -> list[int]:
    table = column.table
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(column).where(table.c.network_id == network_id).order_by(column)
            ).scalars()
        )


def seed_network(engine: Engine, slug: str, size: Size, rng: random.Random) -> int:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        network_id = conn.execute(
            insert(Network.__table__)
            .values(
                slug=slug,
                name=f"Huis van het Kind {slug}",
                municipality=slug,
                default_language="nl",
                settings={},
                is_active=True,
                created_at=now,
            )
            .returning(Network.__table__.c.id)
        ).scalar_one()
    sectors = list(Sector)
    _rows(
        engine,
        Partner.__table__,
        [
            {
                "network_id": network_id,
                "name": f"Partner {i:04d}",
                "sector": sectors[i % len(sectors)].value,
                "contact_email": f"p{i}@{slug}.example",
                "state": "active",
                "description": "",
                "address": "",
                "phone": "",
                "website": "",
                "languages": ["nl"],
                "created_at": now,
            }
            for i in range(size.partners)
        ],
    )
    _rows(
        engine,
        OfferType.__table__,
        [
            {
                "network_id": network_id,
                "code": code,
                "name_nl": nl,
                "name_en": en,
                "is_salon": salon,
                "is_thematic": thematic,
                "sort": n,
            }
            for n, (code, nl, en, salon, thematic) in enumerate(DEFAULT_TYPES)
        ],
    )
    _rows(
        engine,
        Location.__table__,
        [
            {
                "network_id": network_id,
                "name": f"Plek {i}",
                "address": f"Straat {i}",
                "neighbourhood": NEIGHBOURHOODS[i % len(NEIGHBOURHOODS)],
                "accessibility": "",
                "created_at": now,
            }
            for i in range(50)
        ],
    )
    partners = _ids(engine, Partner.__table__.c.id, network_id)
    types = _ids(engine, OfferType.__table__.c.id, network_id)
    places = _ids(engine, Location.__table__.c.id, network_id)

    offers = []
    for i in range(size.offers):
        low = rng.choice([0, 0, 12, 36, 72, 144])
        offers.append(
            {
                "network_id": network_id,
                "partner_id": partners[i % len(partners)],
                "type_id": rng.choice(types),
                "location_id": rng.choice(places),
                "title": f"Activiteit {i}",
                "description": "",
                "translations": {},
                "action_lines": rng.randint(1, 31),
                "age_min_months": low,
                "age_max_months": low + rng.choice([24, 36, 72]),
                "themes": "",
                "languages": "nl",
                "cost_kind": "free",
                "cost_note": "",
                "registration_required": False,
                "registration_note": "",
                "registration_url": "",
                "start_date": START,
                "start_time": time(9),
                "end_time": time(11),
                "rrule": "",
                "skip_public_holidays": True,
                "skip_school_holidays": False,
                "skip_closures": True,
                "published_at": now,
                "hidden_reason": "",
                "created_at": now,
            }
        )
    _rows(engine, Offer.__table__, offers)
    offer_ids = _ids(engine, Offer.__table__.c.id, network_id)

    sessions = []
    for i in range(size.sessions):
        start = datetime.combine(
            START + timedelta(days=rng.randrange(DAYS)), time(rng.randint(8, 18)), tzinfo=UTC
        )
        sessions.append(
            {
                "network_id": network_id,
                "offer_id": offer_ids[i % len(offer_ids)],
                "occurrence": f"{start:%Y%m%dT%H%M}-{i}",
                "starts_at": start,
                "ends_at": start + timedelta(hours=rng.choice([1, 1.5, 2, 3])),
                "status": "cancelled" if rng.random() < 0.05 else "scheduled",
                "moved": False,
                "location_id": rng.choice(places) if rng.random() < 0.05 else None,
                "note": "",
                "created_at": now,
            }
        )
    _rows(engine, ActivitySession.__table__, sessions)
    session_ids = _ids(engine, ActivitySession.__table__.c.id, network_id)

    counts = []
    for sid in session_ids:
        if rng.random() < 0.9:
            for _version in range(2 if rng.random() < 0.05 else 1):  # a few corrections
                counts.append(
                    {
                        "network_id": network_id,
                        "session_id": sid,
                        "adults": rng.randint(0, 15),
                        "children_0_3": rng.randint(0, 8),
                        "children_3_6": rng.randint(0, 8),
                        "children_6_12": rng.randint(0, 6),
                        "children_12_plus": rng.randint(0, 2),
                        "first_time_families": rng.randint(0, 3),
                        "kindergarten_on_time": 1 if rng.random() < 0.02 else 0,
                        "created_at": now,
                    }
                )
    _rows(engine, Headcount.__table__, counts)

    states, weights = zip(*STATES, strict=True)
    reasons = list(DeclineReason)
    referrals = []
    for i in range(size.referrals):
        status = rng.choices(states, weights)[0]
        sent = datetime.combine(
            START + timedelta(days=rng.randrange(DAYS)), time(rng.randint(8, 17)), tzinfo=UTC
        )
        answered = status not in (Status.SENT, Status.RECEIVED, Status.CANCELLED)
        responded = sent + timedelta(hours=rng.randint(1, 24 * 12)) if answered else None
        due = sent + timedelta(days=7)
        sender = partners[i % len(partners)]
        receiver = partners[(i * 7 + 3) % len(partners)]
        if receiver == sender:
            receiver = partners[(i + 1) % len(partners)]
        referrals.append(
            {
                "network_id": network_id,
                "from_partner_id": sender,
                "to_partner_id": receiver,
                "status": status.value,
                "urgent": False,
                **FAMILY_BLANKS,  # no family's data: the fields as erasure leaves them
                "decline_reason": rng.choice(reasons).value if status == Status.DECLINED else None,
                "outcome": "helped" if status == Status.COMPLETED else None,
                "sent_at": sent,
                "received_at": sent + timedelta(hours=1),
                "responded_at": responded,
                "closed_at": responded if status in (Status.COMPLETED, Status.DECLINED) else None,
                "response_due_at": due,
                "lapsed": (responded or datetime(2027, 1, 1, tzinfo=UTC)) > due,
                "anonymised_at": sent + timedelta(days=400),
                "created_at": sent,
            }
        )
    _rows(engine, Referral.__table__, referrals)
    referral_ids = _ids(engine, Referral.__table__.c.id, network_id)
    events = []
    for rid, r in zip(referral_ids, referrals, strict=True):
        events.append(_event(network_id, rid, "sent", Status.SENT, r["sent_at"]))
        events.append(_event(network_id, rid, "received", None, r["received_at"]))
        if r["responded_at"] is not None:
            events.append(_event(network_id, rid, "status", Status(r["status"]), r["responded_at"]))
    _rows(engine, ReferralEvent.__table__, events)
    return network_id


def _event(network_id, referral_id, kind, status, at) -> dict:
    return {
        "network_id": network_id,
        "referral_id": referral_id,
        "kind": kind,
        "status": status.value if status else None,
        "actor_partner_id": None,
        "code": "",
        "created_at": at,
    }


def seed_scale(engine: Engine, *, size: Size = BIG, neighbours: int = 20, seed: int = SEED) -> int:
    """Seed the big network and its smaller neighbours; return the big network's id."""
    rng = random.Random(seed)
    big = seed_network(engine, "groot", size, rng)
    for n in range(neighbours):
        seed_network(engine, f"buur-{n:02d}", size.scaled(20), rng)
    return big
