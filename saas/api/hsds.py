"""The catalogue as open data in the Open Referral HSDS 3.0 shape.

offers → services, partners → organizations, places → locations (with service_at_locations),
an offer's schedule → an HSDS schedule (RRULE fields, validity, the skipped dates in words),
offer types, action lines, themes and age bands → taxonomies and taxonomy_terms.

Only what the families' pages already show: published, visible offers of the network, active
partners, the places those offers use. Nothing about families, referrals or people.
Identifiers are UUIDs derived from the network and the row (stable, unique across networks).

Every object carries `last_modified` (at its own endpoint; copies nested in another object leave
it out: see `listed`): the latest moment anything it shows changed (its rows'
`updated_at`/`changed_at`, the sessions cancelled or restored, the partner and the place it
shows), and, for an object that is only served because activities use it (a place, a theme),
never earlier than the latest change of any activity of the network, so a delta
(`modified_after`, on or after) always holds the places and themes its services point at and
`last_modified` never goes back in time. HSDS 3.0 has no tombstones: an offer hidden, unpublished or of a
suspended partner simply leaves the lists (see the profile's README).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from saas.bounds import check_date
from saas.catalogue.models import (
    ACTION_LINE_LABELS,
    AGE_BANDS,
    ActivitySession,
    Closure,
    ClosureKind,
    CostKind,
    Location,
    Offer,
    OfferType,
    SessionStatus,
)
from saas.catalogue.schedule import (
    TZ,
    WEEKDAYS,
    Exclusions,
    Rule,
    ScheduleError,
    parse_rule,
    to_local,
)
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


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC moments; PostgreSQL aware ones."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _latest(*moments: datetime | None) -> datetime:
    present = [_utc(m) for m in moments if m is not None]
    return max(present) if present else EPOCH


def stamp(moment: datetime) -> str:
    """`last_modified` as RFC 3339 / ISO 8601 in UTC, to the microsecond."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


# labels that only change with a release of Dorp (action lines, age groups, taxonomy names)
LABELS_CHANGED = datetime(2026, 12, 3, tzinfo=UTC)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


# --- what is served ---------------------------------------------------------------------------


@dataclass
class Term:
    taxonomy: str
    code: str
    name: str
    description: str
    changed: datetime = LABELS_CHANGED

    @property
    def key(self) -> str:
        return f"{self.taxonomy}/{self.code}"


# a taxonomy term's `code` is unique over all taxonomies: the taxonomy's prefix and the code
CODE_PREFIX = {
    "offer_types": "type",
    "action_lines": "line",
    "themes": "theme",
    "age_groups": "age",
}


class Catalogue:
    """The network's open data at one moment: the queries run once, the mapping reads them."""

    def __init__(self, network: Network):
        self.network = network
        every = list(
            db.session.execute(
                select(Offer)
                .options(
                    selectinload(Offer.partner),
                    selectinload(Offer.type),
                    selectinload(Offer.location),
                )
                .order_by(Offer.id)
            ).scalars()
        )
        # published, visible, of an active partner: what the families' pages show
        self.offers = [
            o
            for o in every
            if o.published_at is not None
            and o.hidden_at is None
            and o.partner.state == PartnerState.ACTIVE
        ]
        self.partners = list(
            db.session.execute(
                select(Partner).where(Partner.state == PartnerState.ACTIVE).order_by(Partner.id)
            ).scalars()
        )
        self.sessions_changed: dict[int, datetime] = {
            offer_id: _utc(moment)
            for offer_id, moment in db.session.execute(
                select(ActivitySession.offer_id, func.max(ActivitySession.updated_at)).group_by(
                    ActivitySession.offer_id
                )
            )
            if moment is not None
        }
        self.cancelled: dict[int, list[date]] = {}
        for offer_id, starts_at in db.session.execute(
            select(ActivitySession.offer_id, ActivitySession.starts_at)
            .where(ActivitySession.status == SessionStatus.CANCELLED)
            .order_by(ActivitySession.starts_at)
        ):
            self.cancelled.setdefault(offer_id, []).append(to_local(_utc(starts_at)).date())
        self.closures = [
            (kind, start, end)
            for kind, start, end in db.session.execute(
                select(Closure.kind, Closure.starts_on, Closure.ends_on)
            )
        ]
        self.service_changed = {o.id: self._service_changed(o) for o in every}
        # Which activities use a place or a theme changes with any of them (one moves, one is
        # hidden): the latest change of any activity, so these never go back in time and a
        # delta holds every place and theme its services point at.
        self.activities_changed = max(self.service_changed.values(), default=EPOCH)
        places = {o.location_id: o.location for o in self.offers}
        self.locations = [places[key] for key in sorted(places)]
        self.location_changed = {
            place.id: _latest(place.created_at, place.updated_at, self.activities_changed)
            for place in self.locations
        }
        self.terms = self._terms()

    # when things changed

    def _service_changed(self, offer: Offer) -> datetime:
        return _latest(
            offer.created_at,
            offer.changed_at,
            offer.updated_at,
            offer.published_at,
            offer.partner.created_at,
            offer.partner.updated_at,
            offer.partner.activated_at,
            offer.location.created_at,
            offer.location.updated_at,
            offer.type.updated_at,
            self.sessions_changed.get(offer.id),
        )

    @staticmethod
    def organization_changed(partner: Partner) -> datetime:
        return _latest(partner.created_at, partner.updated_at, partner.activated_at)

    def offer_terms(self, offer: Offer) -> list[Term]:
        terms = [Term("offer_types", offer.type.code, offer.type.name_nl, offer.type.name_en)]
        for line in offer.action_line_list:
            terms.append(Term("action_lines", str(int(line)), str(ACTION_LINE_LABELS[line]), ""))
        for theme in offer.theme_list:
            terms.append(Term("themes", theme, theme, ""))
        for code, low, high, label in AGE_BANDS:
            if offer.age_min_months < high and offer.age_max_months >= low:
                terms.append(Term("age_groups", code, str(label), ""))
        return terms

    def _terms(self) -> list[Term]:
        terms: dict[str, Term] = {}
        for t in db.session.execute(
            select(OfferType).order_by(OfferType.sort, OfferType.id)
        ).scalars():
            term = Term("offer_types", t.code, t.name_nl, t.name_en, _latest(t.updated_at))
            terms[term.key] = term
        for line, label in ACTION_LINE_LABELS.items():
            term = Term("action_lines", str(int(line)), str(label), "")
            terms[term.key] = term
        for code, _low, _high, label in AGE_BANDS:
            term = Term("age_groups", code, str(label), "")
            terms[term.key] = term
        for offer in self.offers:  # a theme is served while a served activity uses it
            for theme in offer.theme_list:
                term = Term("themes", theme, theme, "", self.activities_changed)
                terms.setdefault(term.key, term)
        return list(terms.values())

    def skipped_days(self, offer: Offer, days: list[date]) -> list[date]:
        kinds = set()
        if offer.skip_closures:
            kinds.add(ClosureKind.CLOSURE)
        if offer.skip_school_holidays:
            kinds.add(ClosureKind.SCHOOL_HOLIDAY)
        exclusions = Exclusions(
            public_holidays=offer.skip_public_holidays,
            periods=tuple((s, e) for kind, s, e in self.closures if kind in kinds),
        )
        return [day for day in days if exclusions.excludes(day)]


# --- mapping --------------------------------------------------------------------------------


def taxonomy(network: Network, key: str) -> dict:
    name, description = TAXONOMIES[key]
    return {
        "id": hsds_id(network, "taxonomy", key),
        "name": name,
        "description": description,
        "uri": profile_url(f"#{key}"),
        "version": "2",
        "last_modified": stamp(LABELS_CHANGED),
    }


def term_code(term: Term) -> str:
    return f"{CODE_PREFIX[term.taxonomy]}:{term.code}"


def taxonomy_term(network: Network, term: Term, *, nested: bool = False) -> dict:
    data = {
        "id": hsds_id(network, "term", term.key),
        "code": term_code(term),
        "name": term.name,
        "description": term.description or term.name,
        "taxonomy": TAXONOMIES[term.taxonomy][0],
        "taxonomy_id": hsds_id(network, "taxonomy", term.taxonomy),
        "language": "nl",
        "last_modified": stamp(term.changed),
    }
    if nested:
        data["taxonomy_detail"] = taxonomy(network, term.taxonomy)
    return data


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


def location(cat: Catalogue, place: Location) -> dict:
    network = cat.network
    data = {
        "id": hsds_id(network, "location", place.id),
        "location_type": "physical",
        "name": place.name,
        "description": place.neighbourhood,
        "addresses": _address(network, place),
        "last_modified": stamp(cat.location_changed[place.id]),
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


def organization(cat: Catalogue, partner: Partner) -> dict:
    data = {
        "id": hsds_id(cat.network, "organization", partner.id),
        "name": partner.name,
        "description": partner.description or str(SECTOR_LABELS[partner.sector]),
        "attributes": [],
        "last_modified": stamp(cat.organization_changed(partner)),
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


def _occurrences(offer: Offer) -> list[date]:
    """The days the rule names (bounded like the platform's own sessions: three years)."""
    start = datetime.combine(offer.start_date, offer.start_time)
    if not offer.rrule:
        return [offer.start_date]
    try:
        return [moment.date() for moment in parse_rule(offer.rrule, start)]
    except ScheduleError:
        return [offer.start_date]


def _offset(day: date, moment: time) -> timedelta:
    return datetime.combine(day, moment, tzinfo=TZ).utcoffset() or timedelta(0)


def _with_offset(day: date, moment: time) -> str:
    """ "09:30+01:00": HH:MM with the UTC offset Brussels has at that moment of that day."""
    minutes = int(_offset(day, moment).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{moment:%H:%M}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _dates(days: list[date]) -> str:
    shown = ", ".join(f"{d:%Y-%m-%d}" for d in days[:MAX_LISTED_EXCEPTIONS])
    return shown + (
        f" (+{len(days) - MAX_LISTED_EXCEPTIONS})" if len(days) > MAX_LISTED_EXCEPTIONS else ""
    )


def _rule_fields(offer: Offer, rule: Rule | None) -> dict:
    data: dict = {"dtstart": offer.start_date.isoformat(), "wkst": "MO"}
    if rule is None:
        return data
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
    if rule.count:
        data["count"] = rule.count
    return data


def schedules(cat: Catalogue, offer: Offer) -> list[dict]:
    """The offer's schedule, one HSDS schedule per stretch with one UTC offset (winter, summer
    time): opens_at/closes_at carry that offset and `timezone` says it in hours, so no reader
    takes Brussels wall-clock times for UTC. valid_from/valid_to bound each stretch."""
    network = cat.network
    rule = _rule(offer)
    days = _occurrences(offer)
    last = rule.until if rule is not None and rule.until else days[-1]
    skipped = cat.skipped_days(offer, days)
    cancelled = cat.cancelled.get(offer.id, [])
    stretches: list[list[date]] = []
    for day in days:
        if stretches and _offset(stretches[-1][-1], offer.start_time) == _offset(
            day, offer.start_time
        ):
            stretches[-1].append(day)
        else:
            stretches.append([day])
    fields = _rule_fields(offer, rule)
    link = url_for("public.activity_feed", slug=network.slug, offer_id=offer.id, _external=True)
    result = []
    for n, stretch in enumerate(stretches):
        valid_from = offer.start_date if n == 0 else stretch[0]
        valid_to = last if n == len(stretches) - 1 else stretch[-1]
        hours = _offset(stretch[0], offer.start_time).total_seconds() / 3600
        words = [
            f"{offer.start_time:%H:%M}-{offer.end_time:%H:%M} Europe/Brussels "
            f"(UTC{_with_offset(stretch[0], offer.start_time)[5:]})",
            f"RRULE:{offer.rrule}" if offer.rrule else "once",
        ]
        inside = [d for d in skipped if valid_from <= d <= valid_to]
        gone = [d for d in cancelled if valid_from <= d <= valid_to]
        if inside:
            words.append("not on (public holidays, closures): " + _dates(inside))
        if gone:
            words.append("cancelled: " + _dates(gone))
        data = {
            "id": hsds_id(network, "schedule", offer.id if n == 0 else f"{offer.id}/{n}"),
            "service_id": hsds_id(network, "service", offer.id),
            "valid_from": valid_from.isoformat(),
            "valid_to": valid_to.isoformat(),
            **fields,
            "timezone": int(hours) if hours.is_integer() else hours,
            "opens_at": _with_offset(stretch[0], offer.start_time),
            "closes_at": _with_offset(stretch[0], offer.end_time),
            "description": "; ".join(words),
            "notes": "Times are wall-clock times in Europe/Brussels. Exceptions: "
            + ("; ".join(words[2:]) if len(words) > 2 else "none"),
            "schedule_link": link,
        }
        result.append(data)
    return result


def _fees(offer: Offer) -> str:
    if offer.cost_kind == CostKind.FREE:
        return "gratis" + (f" ({offer.cost_note})" if offer.cost_note else "")
    amount = f"€ {offer.cost_cents / 100:.2f}".replace(".", ",") if offer.cost_cents else ""
    kind = "verminderd tarief" if offer.cost_kind == CostKind.REDUCED else ""
    return " ".join(x for x in (amount, kind, offer.cost_note) if x)


def service_at_location(cat: Catalogue, offer: Offer, *, nested: bool = False) -> dict:
    network = cat.network
    data = {
        "id": hsds_id(network, "service_at_location", offer.id),
        "service_id": hsds_id(network, "service", offer.id),
        "location_id": hsds_id(network, "location", offer.location_id),
        "description": f"{offer.title} — {offer.location.name}",
        "last_modified": stamp(cat.service_changed[offer.id]),
    }
    if nested:
        data["location"] = location(cat, offer.location)
    return data


def minimal_service(cat: Catalogue, offer: Offer) -> dict:
    """The `minimal` form: who, what, whether it runs and when it last changed."""
    return {
        "id": hsds_id(cat.network, "service", offer.id),
        "organization_id": hsds_id(cat.network, "organization", offer.partner_id),
        "name": offer.title,
        "description": offer.description or offer.title,
        "status": "active",
        "last_modified": stamp(cat.service_changed[offer.id]),
    }


def service(cat: Catalogue, offer: Offer, *, full: bool = False) -> dict:
    network = cat.network
    service_id = hsds_id(network, "service", offer.id)
    data = {
        **minimal_service(cat, offer),
        "url": url_for("public.activity", slug=network.slug, offer_id=offer.id, _external=True),
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
        "schedules": schedules(cat, offer),
        "languages": [
            {
                "id": hsds_id(network, "language", f"{offer.id}/{code}"),
                "service_id": service_id,
                "name": LANGUAGE_NAMES.get(code, code),
                "code": code,
            }
            for code in offer.language_list
        ],
        "service_at_locations": [service_at_location(cat, offer, nested=full)],
        "attributes": [
            {
                "id": hsds_id(network, "attribute", f"{offer.id}/{t.key}"),
                "link_id": service_id,
                "link_type": t.taxonomy,
                "link_entity": "service",
                "taxonomy_term_id": hsds_id(network, "term", t.key),
                "taxonomy_term": taxonomy_term(network, t),
            }
            for t in cat.offer_terms(offer)
        ],
    }
    if offer.registration_url:
        data["application_process"] += f" {offer.registration_url}"
    if full:
        data["organization"] = organization(cat, offer.partner)
    return data


def listed(data: dict) -> dict:
    """An object as its own endpoint serves it: its `last_modified`, and none on the copies
    nested in it (a location in a service at location, a term in an attribute). A copy shows
    what its container's `last_modified` covers; its own moment is at its own endpoint."""

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "last_modified"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return {k: (v if k == "last_modified" else strip(v)) for k, v in data.items()}


def profile_url(anchor: str = "") -> str:
    return url_for("hsds_profile.index", _external=True) + anchor


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
