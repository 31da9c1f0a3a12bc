"""Demo data for the network's health: enough referrals for the figures to show, the yardstick.

Called by `saas.demo.seed` inside each demo network's scope, after the catalogue and referrals.
Idempotent: a network whose referrals already reach the demo's volume is left alone.

- Referrals: a year of everyday referrals between the network's active partners (about 150 more
  than the referral demo's handful), through the referral services, so acceptance, declines,
  response times and flows between sectors have cells of five and more.
- Kindergarten on time: the publication's yardstick, recorded on the headcounts of the
  activities that prepare toddlers for kindergarten (a number per session, never who).
"""

from __future__ import annotations

import random

from sqlalchemy import func, or_, select

from saas.accounts.models import User
from saas.catalogue.models import ActivitySession, Headcount, Offer
from saas.demo.referrals import LABELS, LANGUAGES, NEIGHBOURHOODS, PATH, QUESTIONS, _age, _speaker
from saas.extensions import db
from saas.partners.models import Partner, PartnerState, Sector
from saas.referrals import services
from saas.referrals.models import Referral, Status

VOLUME = 150
# final status and weight: most referrals end well; some are declined, a few lapse unanswered
PLAN = [
    (Status.COMPLETED, 45),
    (Status.DECLINED, 12),
    (Status.CLOSED, 6),
    (Status.CANCELLED, 5),
    (Status.IN_PROGRESS, 12),
    (Status.ACCEPTED, 8),
    (Status.RECEIVED, 6),
    (Status.SENT, 6),
]
REASONS = ["no_capacity", "outside_mission", "waiting_list", "better_elsewhere", "already_helped"]


def seed_insights(network, steward: User | None) -> dict:
    counts = {"insight_referrals": 0, "kindergarten_counts": _kindergarten(network)}
    have = db.session.execute(select(func.count()).select_from(Referral)).scalar_one()
    if have >= VOLUME:
        return counts
    rng = random.Random(f"insights:{network.slug}")
    partners = list(
        db.session.execute(
            select(Partner).where(Partner.state == PartnerState.ACTIVE).order_by(Partner.id)
        ).scalars()
    )
    if len(partners) < 2:
        return counts
    # the welcome desk and schools send most; welfare and health answer most
    senders = [
        p for p in partners if p.sector in (Sector.SOCIAL_ECONOMY, Sector.EDUCATION, Sector.WELFARE)
    ] or partners
    fallback = steward or db.session.execute(select(User).order_by(User.id)).scalars().first()
    finals, weights = zip(*PLAN, strict=True)
    for _n in range(VOLUME):
        final = rng.choices(finals, weights)[0]
        sender = rng.choice(senders)
        receiver = rng.choice([p for p in partners if p.id != sender.id])
        question, themes, bands = rng.choice(QUESTIONS)
        label = rng.choice(LABELS)
        referral = services.create(
            from_partner=sender,
            to_partner=receiver,
            user=_speaker(sender, fallback),
            consent=services.ConsentData(given_by="parent", purpose=f"Contact over: {question}"),
            family=services.FamilyData(
                family_label=label,
                question=f"{label.split(',')[0]} {question}.",
                themes=themes.split(","),
                age_bands=bands,
                languages=rng.choice(LANGUAGES),
                neighbourhood=rng.choice(NEIGHBOURHOODS.get(network.slug, [""])),
            ),
        )
        receiver_user = _speaker(receiver, fallback)
        for step in PATH.get(final, []):
            if step == "received":
                services.mark_received(referral, receiver_user, receiver.id)
            elif step == Status.CANCELLED:
                services.move(referral, step, user=_speaker(sender, fallback), partner_id=sender.id)
            else:
                services.move(
                    referral,
                    step,
                    user=receiver_user,
                    partner_id=receiver.id,
                    reason=rng.choice(REASONS) if step == Status.DECLINED else None,
                    outcome=rng.choice(["helped", "helped", "partly_helped", "referred_on"])
                    if step == Status.COMPLETED
                    else None,
                )
        days = rng.randint(26, 360) if not Status(final).is_open else rng.randint(1, 25)
        _age(referral, days=days, rng=rng)
        counts["insight_referrals"] += 1
    db.session.flush()
    return counts


def _kindergarten(network) -> int:
    """Record the kindergarten yardstick on the counted sessions of the preparing activities."""
    done = db.session.execute(
        select(Headcount.id).where(Headcount.kindergarten_on_time > 0).limit(1)
    ).first()
    if done is not None:
        return 0
    rng = random.Random(f"kindergarten:{network.slug}")
    rows = db.session.execute(
        select(Headcount)
        .join(ActivitySession, ActivitySession.id == Headcount.session_id)
        .join(Offer, Offer.id == ActivitySession.offer_id)
        .where(
            or_(Offer.themes.like("%kleuter%"), Offer.title.like("%leuterklas%")),
            Headcount.kindergarten_on_time == 0,
            Headcount.children_3_6 + Headcount.children_0_3 > 0,
        )
        .order_by(Headcount.id)
    ).scalars()
    changed = 0
    for row in rows:
        value = rng.choices([0, 1, 2], [70, 22, 8])[0]
        if value:
            row.kindergarten_on_time = min(value, row.children_0_3 + row.children_3_6)
            changed += 1
    db.session.flush()
    return changed
