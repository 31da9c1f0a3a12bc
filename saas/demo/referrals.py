"""Demo referrals: a year of families' questions between partners, in every state of the lifecycle.

The questions, labels and the shape of the year are data (data/referrals.yaml); here they go
through the referral services in the order and with the seeded random choices that make every
seeding the same.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from saas.accounts.models import User
from saas.demo.datafiles import read_yaml
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner, PartnerState, Sector
from saas.referrals import services
from saas.referrals.models import Consent, Referral, ReferralEvent, ReferralMessage, Status
from tenants.models import Membership, Network

DATA: dict = read_yaml("referrals.yaml")
QUESTIONS: list[dict] = DATA["questions"]
LABELS: list[str] = DATA["labels"]
NEIGHBOURHOODS: dict[str, list[str]] = DATA["neighbourhoods"]
LANGUAGES: list[list[str]] = DATA["languages"]
PURPOSE: str = DATA["purpose"]  # the consent's purpose, with the {question}
PLAN = [(Status(final), how_many) for final, how_many in DATA["plan"].items()]
# the receiving partner opening a referral is the step "received" (Status.RECEIVED)
PATH = {Status(final): [Status(step) for step in steps] for final, steps in DATA["path"].items()}


def speaker(partner: Partner, fallback: User) -> User:
    """Who acts for `partner`: its first member, else `fallback`."""
    user_id = (
        db.session.execute(
            select(Membership.user_id)
            .where(Membership.partner_id == partner.id)
            .order_by(Membership.id)
        )
        .scalars()
        .first()
    )
    return db.session.get(User, user_id) if user_id else fallback


def active_partners() -> list[Partner]:
    return list(
        db.session.execute(
            select(Partner).where(Partner.state == PartnerState.ACTIVE).order_by(Partner.id)
        ).scalars()
    )


def seed_referrals(network: Network, steward: User | None) -> dict:
    if db.session.execute(select(Referral.id)).first() is not None:
        return {"referrals": 0}
    rng = random.Random(f"referrals:{network.slug}")
    partners = active_partners()
    senders = senders_among(partners, DATA["senders"])
    fallback = steward or db.session.execute(select(User).order_by(User.id)).scalars().first()
    created = 0
    for final, how_many in PLAN:
        for _ in range(how_many):
            sender = rng.choice(senders)
            receiver = rng.choice([p for p in partners if p.id != sender.id])
            question = rng.choice(QUESTIONS)
            label = rng.choice(LABELS)
            days = rng.randint(*DATA["sent_days_ago"]["open" if final.is_open else "closed"])
            referral = services.create(
                from_partner=sender,
                to_partner=receiver,
                user=speaker(sender, fallback),
                consent=services.ConsentData(
                    given_by=rng.choice(DATA["consent_given_by"]),
                    purpose=PURPOSE.format(question=question["question"]),
                ),
                send=final != Status.DRAFT,
                family=services.FamilyData(
                    **family(network, question, label, rng),
                    preferred_days=rng.sample(DATA["preferred_days"], 2),
                    preferred_times=[rng.choice(DATA["preferred_times"])],
                    urgent=rng.random() < DATA["urgent_share"],
                ),
            )
            walk(
                referral,
                PATH.get(final, []),
                (sender, receiver, fallback),
                rng,
                reasons=DATA["decline_reasons"],
                outcomes=DATA["outcomes"],
                message=True,
            )
            shift_back(referral, days=days, rng=rng)
            created += 1
    created += _waiting(network, partners, fallback, rng)
    db.session.flush()
    return {"referrals": created}


def _waiting(network: Network, partners: list[Partner], fallback: User, rng: random.Random) -> int:
    """The referrals that wait for the demo partners' answer (data: `waiting`)."""
    by_name = {p.name: p for p in partners}
    plans = DATA.get("waiting", {}).get(network.slug, [])
    for plan in plans:
        sender, receiver = by_name[plan["from"]], by_name[plan["to"]]
        question, label = QUESTIONS[plan["question"]], LABELS[plan["label"]]
        referral = services.create(
            from_partner=sender,
            to_partner=receiver,
            user=speaker(sender, fallback),
            consent=services.ConsentData(
                given_by=DATA["consent_given_by"][0],
                purpose=PURPOSE.format(question=question["question"]),
            ),
            family=services.FamilyData(
                **family(network, question, label, rng), urgent=plan.get("urgent", False)
            ),
        )
        if plan.get("received"):
            services.mark_received(referral, speaker(receiver, fallback), receiver.id)
        shift_back(referral, days=plan["sent_days_ago"], rng=rng)
    return len(plans)


def senders_among(partners: list[Partner], sectors: list[str]) -> list[Partner]:
    """The partners of these sectors (Sector values), or all of them if there are none."""
    wanted = {Sector(sector) for sector in sectors}
    return [p for p in partners if p.sector in wanted] or partners


def family(network: Network, question: dict, label: str, rng: random.Random) -> dict:
    """What a referral says about the family; draws its languages and neighbourhood."""
    return {
        "family_label": label,
        "question": f"{label.split(',')[0]} {question['question']}.",
        "themes": list(question["themes"]),
        "age_bands": list(question["age_bands"]),
        "languages": list(rng.choice(LANGUAGES)),
        "neighbourhood": rng.choice(NEIGHBOURHOODS.get(network.slug, [""])),
    }


def walk(
    referral: Referral,
    path: list[Status],
    parties: tuple[Partner, Partner, User],
    rng: random.Random,
    *,
    reasons: list[str],
    outcomes: list[str],
    message: bool = False,
) -> None:
    """Take a sent referral along `path`; `parties` are (sender, receiver, fallback user)."""
    sender, receiver, fallback = parties
    receiver_user = speaker(receiver, fallback)
    for step in path:
        if step == Status.RECEIVED:
            services.mark_received(referral, receiver_user, receiver.id)
        elif step == Status.CANCELLED:
            services.move(referral, step, user=speaker(sender, fallback), partner_id=sender.id)
        else:
            services.move(
                referral,
                step,
                user=receiver_user,
                partner_id=receiver.id,
                reason=rng.choice(reasons) if step == Status.DECLINED else None,
                outcome=rng.choice(outcomes) if step == Status.COMPLETED else None,
            )
        # drawn after the step's own choices: the seeded sequence depends on the order
        if message and step == Status.ACCEPTED and rng.random() < DATA["accepted_message_share"]:
            services.add_message(
                referral, DATA["accepted_message"], user=receiver_user, partner_id=receiver.id
            )


def shift_back(referral: Referral, *, days: int, rng: random.Random) -> None:
    """Move a fresh referral's dates back, as if it happened `days` ago (answered within a week)."""
    shift = timedelta(days=days, hours=rng.randint(*DATA["shift_hours"]))
    for name in ("created_at", "sent_at", "received_at", "closed_at", "response_due_at"):
        value = getattr(referral, name)
        if value is not None:
            setattr(referral, name, value - shift)
    if referral.responded_at is not None:
        answered = timedelta(hours=rng.randint(*DATA["response_hours"]))
        referral.responded_at = referral.sent_at + answered
        referral.lapsed = referral.responded_at > referral.response_due_at
    elif referral.response_due_at is not None and referral.response_due_at < utcnow():
        referral.lapsed = True
    db.session.flush()
    for consent in db.session.execute(
        select(Consent).where(Consent.referral_id == referral.id)
    ).scalars():
        consent.given_at -= shift
    for model in (ReferralEvent, ReferralMessage):
        for row in db.session.execute(
            select(model).where(model.referral_id == referral.id)
        ).scalars():
            row.created_at -= shift
