"""Which tables a network's export holds, worked out from the models' metadata.

Every table with a `network_id` column is a tenant table. Each is either exported (and restored
by the import) or excluded here with the reason: a test fails when a new tenant table is neither,
so none can be forgotten silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table

from saas.extensions import db
from saas.referrals.services import FAMILY_BLANKS

# Tenant tables the export leaves out, and why (the README inside the ZIP lists them too).
EXCLUDED: dict[str, str] = {
    "outbox_messages": "e-mails waiting to be sent or kept for the mail log: addresses in transit, "
    "not the network's records",
    "stripe_events": "the payment provider's notices about the subscription: the platform's "
    "billing, tied to its Stripe account",
    "subscriptions": "the network's contract with the platform: a network created by an import "
    "starts its own",
    "api_tokens": "secrets (only their hashes are stored): a copy would be useless, and the "
    "partners make new ones",
    "notifications": "notices to people with links into the old web address; read and gone",
    "network_exports": "the exports themselves (a file, a link that expires)",
    "global_keys": "the platform's look-up of tokens and Stripe ids, kept by the rows that hold "
    "them (none of which the export carries)",
}

# Columns set to nothing in the copy: secrets unique across the platform.
CLEARED: dict[str, dict[str, object]] = {
    "worker_profiles": {"feed_token": None},  # a calendar feed's key: each copy makes its own
    # a worker's private reason is for the coordinator's eyes only (not the steward's): it never
    # leaves Dorp in an export, with or without the families' data
    "flexibility_cards": {"private_reason": ""},
}

# What a family told: left out unless the steward asks for it (and then audited). The same
# fields a family's erasure removes (saas.referrals.services.anonymise and FAMILY_BLANKS).
FAMILY_FIELDS: dict[str, dict[str, object]] = {
    "referrals": FAMILY_BLANKS,
    "referral_consents": {"purpose": ""},
    "referral_messages": {"body": ""},
}

# References to another tenant table's id that no foreign key declares.
IMPLICIT_REFERENCES: dict[str, dict[str, str]] = {
    "referral_events": {"actor_partner_id": "partners"},
    "referral_messages": {"author_partner_id": "partners"},
}
# Ids inside JSON columns: {table: {column: {key: referred table}}} for lists of objects.
JSON_REFERENCES: dict[str, dict[str, dict[str, str]]] = {
    "rosters": {
        "uncovered": {"session": "sessions"},
        "refused_locks": {"worker": "worker_profiles", "session": "sessions"},
    },
}

PEOPLE_COLUMNS = ("id", "name", "email", "language", "is_enabled")


@dataclass(frozen=True)
class Reference:
    column: str
    table: str  # the referred table: "users", "networks" or a tenant table


def tenant_tables() -> list[Table]:
    """Every table with a network_id, in dependency order (a table after those it refers to)."""
    return [t for t in db.metadata.sorted_tables if "network_id" in t.c]


def exported_tables() -> list[Table]:
    return [t for t in tenant_tables() if t.name not in EXCLUDED]


def references(table: Table) -> list[Reference]:
    """The columns of `table` holding another row's id, and which table that row is in."""
    found: dict[str, str] = {}
    for fk in table.foreign_key_constraints:
        columns = [c.name for c in fk.columns if c.name != "network_id"]
        if not columns:
            continue
        (column,) = columns  # tenant keys are (network_id, x); global ones a single column
        found[column] = fk.referred_table.name
    found.update(IMPLICIT_REFERENCES.get(table.name, {}))
    return [Reference(column, referred) for column, referred in found.items()]


def model_tables() -> dict[str, str]:
    """A model's class name → its table (the audit trail names objects by class)."""
    return {m.class_.__name__: m.local_table.name for m in db.Model.registry.mappers}
