"""Demo referrals: a year of families' questions between partners, in every state of the lifecycle.

Labels are invented and carry no real names; the questions are the everyday ones of the
publication (childcare, school allowance, energy, Dutch lessons, letters, registering a toddler).
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from saas.accounts.models import User
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner, PartnerState, Sector
from saas.referrals import services
from saas.referrals.models import Consent, Referral, ReferralEvent, ReferralMessage, Status
from tenants.models import Membership

QUESTIONS = [
    ("zoekt kinderopvang voor de jongste, twee dagen per week", "kinderopvang", ["0-3"]),
    (
        "heeft hulp nodig bij de aanvraag van de schooltoelage",
        "schooltoelage,geld",
        ["3-6", "6-12"],
    ),
    ("kan de energiefactuur niet betalen en vreest afsluiting", "energie,budget", []),
    ("wil Nederlands leren, liefst overdag tijdens de schooluren", "nederlands,taal", ["3-6"]),
    ("begrijpt een brief van de mutualiteit niet", "brieven,gezondheid", []),
    ("wil de peuter inschrijven in de kleuterschool", "kleuterschool,inschrijven", ["0-3"]),
    ("vraagt raad bij driftbuien van de peuter", "opvoeding,driftbuien", ["0-3"]),
    ("zoekt een huisarts of consultatiebureau in de buurt", "gezondheid,consultatie", ["0-3"]),
    ("vader zoekt werk met uren die passen bij de school", "werk", ["6-12"]),
    ("kind wordt gepest op school, ouders weten niet wat te doen", "pesten,school", ["6-12"]),
    (
        "zoekt een gratis vrijetijdsactiviteit voor de kinderen in de vakantie",
        "vrije tijd,vakantie",
        ["6-12"],
    ),
    ("moeder voelt zich alleen en somber na de bevalling", "welzijn,baby", ["0-3"]),
]
LABELS = [
    "Mama van A.",
    "Papa van M.",
    "Gezin uit de maandaggroep",
    "Mama van de tweeling",
    "Oma die zorgt voor J.",
    "Nieuw gezin uit de onthaalbalie",
    "Papa van Y.",
    "Mama van S., babysalon",
    "Gezin met drie kinderen",
    "Mama van de peuter met bril",
    "Jonge mama, oudersalon",
    "Gezin van de fietsles",
]
NEIGHBOURHOODS = {
    "beringen": ["Beverlo", "Koersel", "Paal", "Tervant", "Beringen-Mijn"],
    "sint-truiden": ["Centrum", "Brustem", "Zepperen", "Velm", "Schurhoven"],
}
LANGUAGES = [["nl"], ["nl", "tr"], ["ar", "fr"], ["tr"], ["nl", "en"], ["ar"]]
# (final status, how many): every state of the lifecycle, most of them closed
PLAN = [
    (Status.COMPLETED, 9),
    (Status.DECLINED, 3),
    (Status.CLOSED, 2),
    (Status.CANCELLED, 2),
    (Status.IN_PROGRESS, 3),
    (Status.ACCEPTED, 2),
    (Status.RECEIVED, 2),
    (Status.SENT, 2),
    (Status.DRAFT, 1),
]
PATH = {
    Status.SENT: [],
    Status.RECEIVED: ["received"],
    Status.ACCEPTED: ["received", Status.ACCEPTED],
    Status.IN_PROGRESS: ["received", Status.ACCEPTED, Status.IN_PROGRESS],
    Status.COMPLETED: ["received", Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED],
    Status.DECLINED: ["received", Status.DECLINED],
    Status.CLOSED: ["received", Status.ACCEPTED, Status.CLOSED],
    Status.CANCELLED: [Status.CANCELLED],
}


def _speaker(partner: Partner, fallback: User) -> User:
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


def seed_referrals(network, steward: User | None) -> dict:
    if db.session.execute(select(Referral.id)).first() is not None:
        return {"referrals": 0}
    rng = random.Random(f"referrals:{network.slug}")
    partners = list(
        db.session.execute(
            select(Partner).where(Partner.state == PartnerState.ACTIVE).order_by(Partner.id)
        ).scalars()
    )
    senders = [
        p for p in partners if p.sector in (Sector.SOCIAL_ECONOMY, Sector.WELFARE, Sector.EDUCATION)
    ] or partners
    fallback = steward or db.session.execute(select(User).order_by(User.id)).scalars().first()
    created = 0
    for final, how_many in PLAN:
        for _ in range(how_many):
            sender = rng.choice(senders)
            receiver = rng.choice([p for p in partners if p.id != sender.id])
            question, themes, bands = rng.choice(QUESTIONS)
            label = rng.choice(LABELS)
            sent_days_ago = rng.randint(3, 330) if not final.is_open else rng.randint(1, 25)
            referral = services.create(
                from_partner=sender,
                to_partner=receiver,
                user=_speaker(sender, fallback),
                consent=services.ConsentData(
                    given_by=rng.choice(["parent", "parent", "guardian"]),
                    purpose=f"Contact over: {question}",
                ),
                send=final != Status.DRAFT,
                family=services.FamilyData(
                    family_label=label,
                    question=f"{label.split(',')[0]} {question}.",
                    themes=themes.split(","),
                    age_bands=bands,
                    languages=rng.choice(LANGUAGES),
                    neighbourhood=rng.choice(NEIGHBOURHOODS.get(network.slug, [""])),
                    preferred_days=rng.sample(["MO", "TU", "WE", "TH", "FR"], 2),
                    preferred_times=[rng.choice(["morning", "afternoon"])],
                    urgent=rng.random() < 0.15,
                ),
            )
            receiver_user = _speaker(receiver, fallback)
            for step in PATH.get(final, []):
                if step == "received":
                    services.mark_received(referral, receiver_user, receiver.id)
                elif step == Status.CANCELLED:
                    services.move(
                        referral, step, user=_speaker(sender, fallback), partner_id=sender.id
                    )
                else:
                    services.move(
                        referral,
                        step,
                        user=receiver_user,
                        partner_id=receiver.id,
                        reason=rng.choice(["no_capacity", "outside_mission", "waiting_list"])
                        if step == Status.DECLINED
                        else None,
                        outcome=rng.choice(["helped", "helped", "partly_helped", "referred_on"])
                        if step == Status.COMPLETED
                        else None,
                    )
                if step == Status.ACCEPTED and rng.random() < 0.5:
                    services.add_message(
                        referral,
                        "We nemen deze week contact op met het gezin.",
                        user=receiver_user,
                        partner_id=receiver.id,
                    )
            _age(referral, days=sent_days_ago, rng=rng)
            created += 1
    db.session.flush()
    return {"referrals": created}


def _age(referral: Referral, *, days: int, rng: random.Random) -> None:
    """Move a fresh referral's dates back, as if it happened `days` ago (answered within a week)."""
    shift = timedelta(days=days, hours=rng.randint(0, 8))
    for name in ("created_at", "sent_at", "received_at", "closed_at", "response_due_at"):
        value = getattr(referral, name)
        if value is not None:
            setattr(referral, name, value - shift)
    if referral.responded_at is not None:
        referral.responded_at = referral.sent_at + timedelta(hours=rng.randint(2, 24 * 9))
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
