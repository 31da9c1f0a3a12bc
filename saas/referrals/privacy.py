"""A family's request about its data (GDPR access or erasure): finding its referrals, the copy
it may have, and removing what is about the family."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select

from saas.audit.services import record
from saas.extensions import db
from saas.referrals import identity
from saas.referrals.models import Consent, Referral, ReferralEvent, ReferralMessage
from saas.referrals.services import anonymise, close_for_erasure

EXPORTED_FIELDS = (
    "id",
    "status",
    "family_label",
    "contact_way",
    "contact_value",
    "age_bands",
    "languages",
    "neighbourhood",
    "question",
    "themes",
    "preferred_days",
    "preferred_times",
    "urgent",
    "created_at",
    "sent_at",
    "responded_at",
    "closed_at",
)


def find_family(term: str) -> list[Referral]:
    """The referrals not yet anonymised that hold the family `term` names: a part of its label,
    or its phone number or e-mail address however either was typed (see referrals.identity)."""
    rows = db.session.execute(
        select(Referral.id, Referral.family_label, Referral.contact_value)
        .where(Referral.anonymised_at.is_(None))
        .order_by(Referral.id)
    ).all()
    finds = identity.searcher(term)
    found = [id_ for id_, label, contact in rows if finds(label, contact)]
    return sorted(referrals(found), key=lambda r: r.id)


def referrals(ids: Collection[int]) -> list[Referral]:
    """The network's referrals with these ids (none asked, none read)."""
    if not ids:
        return []
    return list(db.session.execute(select(Referral).where(Referral.id.in_(ids))).scalars())


def export(referral: Referral) -> dict:
    """Everything the referral holds about the family: its fields, consents, messages, timeline."""
    out = {name: getattr(referral, name) for name in EXPORTED_FIELDS}
    out["from_partner"] = referral.from_partner.name
    out["to_partner"] = referral.to_partner.name
    out["consents"] = [
        {
            "given_by": c.given_by,
            "given_at": c.given_at,
            "purpose": c.purpose,
            "text_version": c.text_version,
            "withdrawn_at": c.withdrawn_at,
        }
        for c in db.session.execute(
            select(Consent).where(Consent.referral_id == referral.id)
        ).scalars()
    ]
    out["messages"] = [
        {"at": m.created_at, "body": m.body}
        for m in db.session.execute(
            select(ReferralMessage).where(ReferralMessage.referral_id == referral.id)
        ).scalars()
    ]
    out["timeline"] = [
        {"at": e.created_at, "what": e.kind}
        for e in db.session.execute(
            select(ReferralEvent).where(ReferralEvent.referral_id == referral.id)
        ).scalars()
    ]
    return out


@dataclass(frozen=True)
class ErasureScope:
    """What removing the family's data from these referrals touches (for the confirmation)."""

    messages: list[ReferralMessage]
    consents: list[Consent]
    still_open: list[Referral]


def erasure_scope(chosen: list[Referral]) -> ErasureScope:
    ids = [r.id for r in chosen]
    return ErasureScope(
        messages=list(
            db.session.execute(
                select(ReferralMessage)
                .where(ReferralMessage.referral_id.in_(ids))
                .order_by(ReferralMessage.id)
            ).scalars()
        ),
        consents=list(
            db.session.execute(
                select(Consent).where(Consent.referral_id.in_(ids)).order_by(Consent.id)
            ).scalars()
        ),
        still_open=[r for r in chosen if r.is_open],
    )


def erase(chosen: list[Referral], *, user) -> None:
    """The family's data leaves these referrals (see `anonymise`), each erasure audited. A referral
    still open is closed as cancelled (nobody can act on a referral without its family), with a
    step in its timeline that names the steward, and both partners are told."""
    for referral in chosen:
        if referral.is_open:
            close_for_erasure(referral, user=user)
        anonymise(referral)
        record("privacy.erased", referral)
