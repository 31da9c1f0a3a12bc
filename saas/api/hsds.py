"""The catalogue as open data in the Open Referral HSDS 3.0 shape.

offers → services, partners → organizations, places → locations (with service_at_locations),
an offer's schedule → an HSDS schedule (RRULE fields, validity, the skipped dates in words),
offer types, action lines, themes and age bands → taxonomies and taxonomy_terms.

Only what the families' pages already show: published, visible offers of the network, active
partners, the places those offers use. Nothing about families, referrals or people.
Identifiers are UUIDs derived from the network and the row (stable, unique across networks).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from saas.bounds import check_date
from saas.catalogue.models import (
    ACTION_LINE_LABELS,
    AGE_BANDS,
    ActivitySession,
    CostKind,
    Location,
    Offer,
    OfferType,
    SessionStatus,
)
from saas.catalogue.schedule import WEEKDAYS, Rule, ScheduleError, parse_rule, to_local
from saas.catalogue.services import exclusions_for
from saas.extensions import db
from saas.partners.models import LANGUAGE_NAMES, SECTOR_LABELS, Partner, PartnerState
from tenants.models import Network

NAMESPACE = uuid.UUID("6f1c1f0e-2d4b-4a51-9a53-0d0f2b8c5e11")  # Dorp's, fixed forever
MAX_LISTED_EXCEPTIONS = 60

# Belgian postal codes by province (bpost ranges).
PROVINCES = [
    (1000, 1299, "Brussel"),
    (1300, 1499, "Waals-Brabant"),
    (1500, 1999, "Vlaams-Brabant"),
    (2000, 2999, "Antwerpen"),
    (3000, 3499, "Vlaams-Brabant"),
    (3500, 3999, "Limburg"),
    (4000, 4999, "Luik"),
    (5000, 5999, "Namen"),
    (6000, 6599, "Henegouwen"),
    (6600, 6999, "Luxemburg"),
    (7000, 7999, "Henegouwen"),
    (8000, 8999, "West-Vlaanderen"),
    (9000, 9999, "Oost-Vlaanderen"),
]
TAXONOMIES = {
    "offer_types": ("Dorp offer types", "The kinds of activity of a Huis van het Kind network"),
    "action_lines": (
        "Huis van het Kind action lines",
        "The five action lines of the Flemish decree on preventive family support (2013)",
    ),
    "themes": ("Dorp themes", "Themes partners give their activities"),
    "age_groups": ("Dorp age groups", "Age groups of children an activity is meant for"),
}


def hsds_id(network: Network, kind: str, key) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{network.slug}/{kind}/{key}"))


def _modified(*moments: datetime | None) -> datetime | None:
    present = [m for m in moments if m is not None]
    return max(present) if present else None


# --- queries --------------------------------------------------------------------------------


def published_offers(modified_after: datetime | None = None) -> list[Offer]:
    query = (
        select(Offer)
        .where(Offer.published_at.is_not(None), Offer.hidden_at.is_(None))
        .options(
            selectinload(Offer.partner),
            selectinload(Offer.type),
            selectinload(Offer.location),
            selectinload(Offer.organisers),
        )
        .order_by(Offer.id)
    )
    if modified_after is not None:
        query = query.where(
            or_(
                Offer.updated_at > modified_after,
                Offer.published_at > modified_after,
                Offer.created_at > modified_after,
            )
        )
    # an offer of a partner that is no longer active is not shown to families either
    return [
        o for o in db.session.execute(query).scalars() if o.partner.state == PartnerState.ACTIVE
    ]


def active_partners(modified_after: datetime | None = None) -> list[Partner]:
    query = select(Partner).where(Partner.state == PartnerState.ACTIVE).order_by(Partner.id)
    if modified_after is not None:
        query = query.where(
            or_(Partner.created_at > modified_after, Partner.activated_at > modified_after)
        )
    return list(db.session.execute(query).scalars())


def used_locations(modified_after: datetime | None = None) -> list[Location]:
    ids = {o.location_id for o in published_offers()}
    if not ids:
        return []
    query = select(Location).where(Location.id.in_(ids)).order_by(Location.id)
    if modified_after is not None:
        query = query.where(Location.created_at > modified_after)
    return list(db.session.execute(query).scalars())


# --- mapping --------------------------------------------------------------------------------


@dataclass
class Term:
    taxonomy: str
    code: str
    name: str
    description: str


def _offer_terms(network: Network, offer: Offer) -> list[Term]:
    terms = [Term("offer_types", offer.type.code, offer.type.name_nl, offer.type.name_en)]
    for line in offer.action_line_list:
        terms.append(Term("action_lines", str(int(line)), str(ACTION_LINE_LABELS[line]), ""))
    for theme in offer.theme_list:
        terms.append(Term("themes", theme, theme, ""))
    for code, low, high, label in AGE_BANDS:
        if offer.age_min_months < high and offer.age_max_months >= low:
            terms.append(Term("age_groups", code, str(label), ""))
    return terms


def taxonomy(network: Network, key: str) -> dict:
    name, description = TAXONOMIES[key]
    return {
        "id": hsds_id(network, "taxonomy", key),
        "name": name,
        "description": description,
        "version": "1",
    }


def taxonomy_term(network: Network, term: Term, *, nested: bool = False) -> dict:
    data = {
        "id": hsds_id(network, "term", f"{term.taxonomy}/{term.code}"),
        "code": term.code,
        "name": term.name,
        "description": term.description or term.name,
        "taxonomy": TAXONOMIES[term.taxonomy][0],
        "taxonomy_id": hsds_id(network, "taxonomy", term.taxonomy),
        "language": "nl",
    }
    if nested:
        data["taxonomy_detail"] = taxonomy(network, term.taxonomy)
    return data


def all_terms(network: Network) -> list[Term]:
    terms: dict[tuple[str, str], Term] = {}
    for t in db.session.execute(select(OfferType).order_by(OfferType.sort, OfferType.id)).scalars():
        terms[("offer_types", t.code)] = Term("offer_types", t.code, t.name_nl, t.name_en)
    for line, label in ACTION_LINE_LABELS.items():
        terms[("action_lines", str(int(line)))] = Term(
            "action_lines", str(int(line)), str(label), ""
        )
    for code, _low, _high, label in AGE_BANDS:
        terms[("age_groups", code)] = Term("age_groups", code, str(label), "")
    for offer in published_offers():
        for theme in offer.theme_list:
            terms.setdefault(("themes", theme), Term("themes", theme, theme, ""))
    return list(terms.values())


def _address(network: Network, location: Location) -> list[dict]:
    match = re.search(r"^(?P<street>.+?),\s*(?P<postal>\d{4})\s+(?P<city>.+)$", location.address)
    if not match:
        return []
    postal = int(match.group("postal"))
    province = next((name for low, high, name in PROVINCES if low <= postal <= high), "")
    if not province:
        return []
    return [
        {
            "id": hsds_id(network, "address", location.id),
            "location_id": hsds_id(network, "location", location.id),
            "address_1": match.group("street").strip(),
            "city": match.group("city").strip(),
            "region": location.neighbourhood,
            "state_province": province,
            "postal_code": match.group("postal"),
            "country": "BE",
            "address_type": "physical",
        }
    ]


def location(network: Network, place: Location) -> dict:
    data = {
        "id": hsds_id(network, "location", place.id),
        "location_type": "physical",
        "name": place.name,
        "description": place.neighbourhood,
        "addresses": _address(network, place),
    }
    if place.accessibility:
        data["accessibility"] = [
            {
                "id": hsds_id(network, "accessibility", place.id),
                "location_id": data["id"],
                "description": place.accessibility,
            }
        ]
    return data


def organization(network: Network, partner: Partner) -> dict:
    data = {
        "id": hsds_id(network, "organization", partner.id),
        "name": partner.name,
        "description": partner.description or str(SECTOR_LABELS[partner.sector]),
        "attributes": [],
    }
    if partner.website:
        data["website"] = partner.website
    return data


def _rule(offer: Offer) -> Rule | None:
    """The offer's rule, or None for a one-off or a stored rule that no longer reads."""
    try:
        return Rule.parse(offer.rrule) if offer.rrule else None
    except ScheduleError:
        return None


def _exceptions(offer: Offer) -> tuple[list[date], list[date]]:
    """Dates the rule names but the network skips (holidays, closures) and cancelled sessions."""
    skipped: list[date] = []
    if offer.rrule:
        try:
            starts = parse_rule(offer.rrule, datetime.combine(offer.start_date, offer.start_time))
        except ScheduleError:
            starts = []
        exclusions = exclusions_for(offer)
        skipped = [moment.date() for moment in starts if exclusions.excludes(moment.date())]
    cancelled = [
        to_local(s.starts_at).date()
        for s in db.session.execute(
            select(ActivitySession)
            .where(
                ActivitySession.offer_id == offer.id,
                ActivitySession.status == SessionStatus.CANCELLED,
            )
            .order_by(ActivitySession.starts_at)
        ).scalars()
    ]
    return skipped, cancelled


def _dates(days: list[date]) -> str:
    shown = ", ".join(f"{d:%Y-%m-%d}" for d in days[:MAX_LISTED_EXCEPTIONS])
    return shown + (
        f" (+{len(days) - MAX_LISTED_EXCEPTIONS})" if len(days) > MAX_LISTED_EXCEPTIONS else ""
    )


def schedule(network: Network, offer: Offer) -> dict:
    data = {
        "id": hsds_id(network, "schedule", offer.id),
        "service_id": hsds_id(network, "service", offer.id),
        "valid_from": offer.start_date.isoformat(),
        "dtstart": offer.start_date.isoformat(),
        "opens_at": f"{offer.start_time:%H:%M}",
        "closes_at": f"{offer.end_time:%H:%M}",
        "wkst": "MO",
    }
    rule = _rule(offer)
    if rule is None:
        data["valid_to"] = offer.start_date.isoformat()
    else:
        freq, interval = rule.freq, rule.interval
        byday = ",".join(f"{n or ''}{day}" for n, day in rule.byday)
        plain = not (rule.bymonth or rule.bysetpos)
        if freq == "DAILY" and interval == 1 and plain and not rule.bymonthday:
            # HSDS knows weekly and monthly: every day (or the days asked) of every week
            freq, byday = (
                "WEEKLY",
                ",".join(sorted(rule.weekdays(offer.start_date), key=WEEKDAYS.index)),
            )
        if freq in {"WEEKLY", "MONTHLY"}:
            data["freq"] = freq
            data["interval"] = interval
            if byday:
                data["byday"] = byday
            elif freq == "WEEKLY":
                data["byday"] = WEEKDAYS[offer.start_date.weekday()]
            if rule.bymonthday:
                data["bymonthday"] = ",".join(map(str, rule.bymonthday))
        if rule.until:
            data["until"] = rule.until.isoformat()
            data["valid_to"] = rule.until.isoformat()
        if rule.count:
            data["count"] = rule.count
    skipped, cancelled = _exceptions(offer)
    words = [
        f"{offer.start_time:%H:%M}-{offer.end_time:%H:%M} (Europe/Brussels)",
        f"RRULE:{offer.rrule}" if offer.rrule else "once",
    ]
    if skipped:
        words.append("not on (public holidays, closures): " + _dates(skipped))
    if cancelled:
        words.append("cancelled: " + _dates(cancelled))
    data["description"] = "; ".join(words)
    data["notes"] = "Times are wall-clock times in Europe/Brussels. Exceptions: " + (
        "; ".join(words[2:]) if len(words) > 2 else "none"
    )
    data["schedule_link"] = url_for(
        "public.activity_feed", slug=network.slug, offer_id=offer.id, _external=True
    )
    return data


def _fees(offer: Offer) -> str:
    if offer.cost_kind == CostKind.FREE:
        return "gratis" + (f" ({offer.cost_note})" if offer.cost_note else "")
    amount = f"€ {offer.cost_cents / 100:.2f}".replace(".", ",") if offer.cost_cents else ""
    kind = "verminderd tarief" if offer.cost_kind == CostKind.REDUCED else ""
    return " ".join(x for x in (amount, kind, offer.cost_note) if x)


def service_at_location(network: Network, offer: Offer, *, nested: bool = False) -> dict:
    data = {
        "id": hsds_id(network, "service_at_location", offer.id),
        "service_id": hsds_id(network, "service", offer.id),
        "location_id": hsds_id(network, "location", offer.location_id),
        "description": f"{offer.title} — {offer.location.name}",
    }
    if nested:
        data["location"] = location(network, offer.location)
    return data


def service(network: Network, offer: Offer, *, full: bool = False) -> dict:
    service_id = hsds_id(network, "service", offer.id)
    data = {
        "id": service_id,
        "organization_id": hsds_id(network, "organization", offer.partner_id),
        "name": offer.title,
        "description": offer.description or offer.title,
        "url": url_for("public.activity", slug=network.slug, offer_id=offer.id, _external=True),
        "status": "active",
        "fees_description": _fees(offer),
        "application_process": (
            "Inschrijven nodig. " + offer.registration_note
            if offer.registration_required
            else "Vrij binnenlopen, geen inschrijving nodig."
        ).strip(),
        "eligibility_description": (
            f"Kinderen van {offer.age_min_months // 12} tot {offer.age_max_months // 12} jaar "
            "en hun ouders"
        ),
        "minimum_age": offer.age_min_months / 12,
        "maximum_age": offer.age_max_months / 12,
        "schedules": [schedule(network, offer)],
        "languages": [
            {
                "id": hsds_id(network, "language", f"{offer.id}/{code}"),
                "service_id": service_id,
                "name": LANGUAGE_NAMES.get(code, code),
                "code": code,
            }
            for code in offer.language_list
        ],
        "service_at_locations": [service_at_location(network, offer, nested=full)],
        "attributes": [
            {
                "id": hsds_id(network, "attribute", f"{offer.id}/{t.taxonomy}/{t.code}"),
                "link_id": service_id,
                "link_type": t.taxonomy,
                "link_entity": "service",
                "taxonomy_term_id": hsds_id(network, "term", f"{t.taxonomy}/{t.code}"),
                "taxonomy_term": taxonomy_term(network, t),
            }
            for t in _offer_terms(network, offer)
        ],
    }
    if offer.registration_url:
        data["application_process"] += f" {offer.registration_url}"
    if full:
        data["organization"] = organization(network, offer.partner)
    return data


def modified_after_of(value: str | None) -> datetime | None:
    """`modified_after` as ISO 8601 (a date or a date-time; UTC when no offset) on a day within
    saas.bounds; ValueError (OutOfBounds is one) if not."""
    if not value:
        return None

    text = value.strip().replace("Z", "+00:00").replace(" ", "+")
    moment = datetime.fromisoformat(text)
    # the day as written, before any conversion: near year 1 or 9999 moving to UTC overflows
    check_date(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment
