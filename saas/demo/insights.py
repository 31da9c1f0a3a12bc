"""Demo data for the network's health: enough referrals for the figures to show, the yardstick.

Called by `saas.demo.seed` inside each demo network's scope, after the catalogue and referrals.
Idempotent: a network whose referrals already reach the demo's volume is left alone.

- Referrals: a year of everyday referrals between the network's active partners (about 150 more
  than the referral demo's handful), through the referral services, so acceptance, declines,
  response times and flows between sectors have cells of five and more.
- Kindergarten on time: the publication's yardstick, recorded on the headcounts of the
  activities that prepare toddlers for kindergarten (a number per session, never who).

The volume, the weights and the choices are data (data/insights.yaml); the questions, labels
and paths are the referral demo's (data/referrals.yaml).
"""

from __future__ import annotations

import random

from sqlalchemy import func, or_, select

from saas.accounts.models import User
from saas.catalogue.models import ActivitySession, Headcount, Offer
from saas.demo.datafiles import read_yaml
from saas.demo.referrals import (
    LABELS,
    PATH,
    PURPOSE,
    QUESTIONS,
    active_partners,
    family,
    senders_among,
    shift_back,
    speaker,
    walk,
)
from saas.extensions import db
from saas.referrals import services
from saas.referrals.models import Referral, Status
from tenants.models import Network

DATA: dict = read_yaml("insights.yaml")
VOLUME: int = DATA["volume"]
PLAN = [(Status(final), weight) for final, weight in DATA["plan"].items()]


def seed_insights(network: Network, steward: User | None) -> dict:
    counts = {"insight_referrals": 0, "kindergarten_counts": _kindergarten(network)}
    have = db.session.execute(select(func.count()).select_from(Referral)).scalar_one()
    if have >= VOLUME:
        return counts
    rng = random.Random(f"insights:{network.slug}")
    partners = active_partners()
    if len(partners) < 2:
        return counts
    senders = senders_among(partners, DATA["senders"])
    fallback = steward or db.session.execute(select(User).order_by(User.id)).scalars().first()
    finals, weights = zip(*PLAN, strict=True)
    for _n in range(VOLUME):
        final = rng.choices(finals, weights)[0]
        sender = rng.choice(senders)
        receiver = rng.choice([p for p in partners if p.id != sender.id])
        question = rng.choice(QUESTIONS)
        label = rng.choice(LABELS)
        referral = services.create(
            from_partner=sender,
            to_partner=receiver,
            user=speaker(sender, fallback),
            consent=services.ConsentData(
                given_by=DATA["consent_given_by"],
                purpose=PURPOSE.format(question=question["question"]),
            ),
            family=services.FamilyData(**family(network, question, label, rng)),
        )
        walk(
            referral,
            PATH.get(final, []),
            (sender, receiver, fallback),
            rng,
            reasons=DATA["decline_reasons"],
            outcomes=DATA["outcomes"],
        )
        days = rng.randint(*DATA["sent_days_ago"]["open" if final.is_open else "closed"])
        shift_back(referral, days=days, rng=rng)
        counts["insight_referrals"] += 1
    db.session.flush()
    return counts


def _kindergarten(network: Network) -> int:
    """Record the kindergarten yardstick on the counted sessions of the preparing activities."""
    done = db.session.execute(
        select(Headcount.id).where(Headcount.kindergarten_on_time > 0).limit(1)
    ).first()
    if done is not None:
        return 0
    rng = random.Random(f"kindergarten:{network.slug}")
    on_time = DATA["kindergarten_on_time"]
    rows = db.session.execute(
        select(Headcount)
        .join(ActivitySession, ActivitySession.id == Headcount.session_id)
        .join(Offer, Offer.id == ActivitySession.offer_id)
        .where(
            # the activities that prepare for kindergarten, by the catalogue data's own words
            or_(Offer.themes.like("%kleuter%"), Offer.title.like("%leuterklas%")),
            Headcount.kindergarten_on_time == 0,
            Headcount.children_3_6 + Headcount.children_0_3 > 0,
        )
        .order_by(Headcount.id)
    ).scalars()
    changed = 0
    for row in rows:
        value = rng.choices(on_time["values"], on_time["weights"])[0]
        if value:
            row.kindergarten_on_time = min(value, row.children_0_3 + row.children_3_6)
            changed += 1
    db.session.flush()
    return changed
