"""Demo data: Beringen and Sint-Truiden as the publication describes them (idempotent).

Each feature adds its own part here, so a newcomer's first look shows a living network.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from saas.accounts import services as accounts
from saas.accounts.models import User
from saas.demo.api import seed_api_tokens
from saas.demo.billing import seed_billing
from saas.demo.catalogue import seed_catalogue
from saas.demo.insights import seed_insights
from saas.demo.referrals import seed_referrals
from saas.demo.workforce import seed_workforce
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Partner, PartnerState, Sector
from tenants import invitations
from tenants.context import network_scope
from tenants.models import Membership, Network, Role

PASSWORD = "dorp-demo"

NETWORKS = {
    "beringen": {
        "name": "Huis van het Kind Beringen",
        "municipality": "Beringen",
        "partners": [
            (
                "Stad Beringen – Welzijn",
                Sector.LOCAL_GOVERNMENT,
                "welzijn@beringen.demo",
                PartnerState.ACTIVE,
                "De regisseur van het Huis van het Kind: welzijnsdienst van de stad.",
            ),
            (
                "Kind & Gezin",
                Sector.HEALTH,
                "kindengezin@beringen.demo",
                PartnerState.ACTIVE,
                "Consultatiebureaus voor kinderen van 0 tot 3 jaar, in Beverlo, Koersel en Paal.",
            ),
            (
                "Opvoedingswinkel West-Limburg",
                Sector.WELFARE,
                "opvoedingswinkel@beringen.demo",
                PartnerState.ACTIVE,
                "Gratis opvoedingsondersteuning: vragen over slapen, eten, zindelijkheid, driftbuien.",
            ),
            (
                "LOP Beringen",
                Sector.EDUCATION,
                "lop@beringen.demo",
                PartnerState.ACTIVE,
                "Lokaal overlegplatform voor gelijke onderwijskansen; helpt peuters inschrijven.",
            ),
            (
                "OCMW Beringen",
                Sector.WELFARE,
                "ocmw@beringen.demo",
                PartnerState.ACTIVE,
                "Sociale dienst: schooltoelage, energie, budgetbegeleiding.",
            ),
            (
                "Ziekenfondsen Beringen",
                Sector.HEALTH,
                "ziekenfonds@beringen.demo",
                PartnerState.ACTIVE,
                "De ziekenfondsen samen: terugbetalingen, kraamzorg, gezonde voeding.",
            ),
            (
                "RIMO Limburg",
                Sector.COMMUNITY,
                "rimo@beringen.demo",
                PartnerState.ACTIVE,
                "Samenlevingsopbouw in Beringen-Mijn en Tervant.",
            ),
            (
                "CGG Limburg",
                Sector.HEALTH,
                "cgg@beringen.demo",
                PartnerState.ACTIVE,
                "Centrum voor geestelijke gezondheidszorg.",
            ),
            (
                "CKG De Schommel",
                Sector.WELFARE,
                "ckg@beringen.demo",
                PartnerState.ACTIVE,
                "Centrum voor kinderzorg en gezinsondersteuning.",
            ),
            (
                "CLB Beringen",
                Sector.EDUCATION,
                "clb@beringen.demo",
                PartnerState.ACTIVE,
                "Centrum voor leerlingenbegeleiding.",
            ),
            (
                "Basisschool De Mijnlamp",
                Sector.EDUCATION,
                "school@beringen.demo",
                PartnerState.ACTIVE,
                "Kleuter- en lagere school in Beringen-Mijn.",
            ),
            (
                "Buitenschoolse kinderopvang Beringen",
                Sector.WELFARE,
                "bko@beringen.demo",
                PartnerState.INVITED,
                "",
            ),
            ("TAO Beringen", Sector.SOCIAL_ECONOMY, "tao@beringen.demo", PartnerState.INVITED, ""),
            (
                "De Draaischijf",
                Sector.COMMUNITY,
                "draaischijf@beringen.demo",
                PartnerState.ACTIVE,
                "Vereniging waar armen het woord nemen.",
            ),
            (
                "Turkse Unie",
                Sector.COMMUNITY,
                "turkseunie@beringen.demo",
                PartnerState.SUSPENDED,
                "Vereniging van Turkse Belgen.",
            ),
            (
                "IN-Z vzw",
                Sector.SOCIAL_ECONOMY,
                "info@in-z.demo",
                PartnerState.ACTIVE,
                "Lokale diensteneconomie: IN-Zetje, oudersalons, voorschools klasje, onthaalmoment.",
            ),
        ],
    },
    "sint-truiden": {
        "name": "Huis van het Kind Sint-Truiden",
        "municipality": "Sint-Truiden",
        "partners": [
            (
                "Stad Sint-Truiden – Flankerend Onderwijsbeleid",
                Sector.LOCAL_GOVERNMENT,
                "fob@sint-truiden.demo",
                PartnerState.ACTIVE,
                "De regisseur van de brede school.",
            ),
            (
                "LOP Sint-Truiden",
                Sector.EDUCATION,
                "lop@sint-truiden.demo",
                PartnerState.ACTIVE,
                "",
            ),
            (
                "OCMW Sint-Truiden",
                Sector.WELFARE,
                "ocmw@sint-truiden.demo",
                PartnerState.ACTIVE,
                "Met de coördinator kinderarmoede.",
            ),
            (
                "Jeugddienst Sint-Truiden",
                Sector.LEISURE,
                "jeugd@sint-truiden.demo",
                PartnerState.ACTIVE,
                "",
            ),
            (
                "Sportdienst Sint-Truiden",
                Sector.LEISURE,
                "sport@sint-truiden.demo",
                PartnerState.ACTIVE,
                "",
            ),
            (
                "Integratiedienst Sint-Truiden",
                Sector.LOCAL_GOVERNMENT,
                "integratie@sint-truiden.demo",
                PartnerState.ACTIVE,
                "Leidt gezinnen toe naar activiteiten.",
            ),
            (
                "CLB Sint-Truiden",
                Sector.EDUCATION,
                "clb@sint-truiden.demo",
                PartnerState.ACTIVE,
                "",
            ),
            (
                "Kind en Gezin Sint-Truiden",
                Sector.HEALTH,
                "kindengezin@sint-truiden.demo",
                PartnerState.ACTIVE,
                "",
            ),
            (
                "Opvoedingswinkel Haspengouw",
                Sector.WELFARE,
                "opvoedingswinkel@sint-truiden.demo",
                PartnerState.ACTIVE,
                "",
            ),
            (
                "Kinderopvang Kabokio",
                Sector.WELFARE,
                "kabokio@sint-truiden.demo",
                PartnerState.ACTIVE,
                "",
            ),
            (
                "Basisschool De Regenboog (GOK)",
                Sector.EDUCATION,
                "school@sint-truiden.demo",
                PartnerState.ACTIVE,
                "GOK-school in het centrum; vraagt leesondersteuning in de klas.",
            ),
            (
                "Freinetschool De Kersenpit",
                Sector.EDUCATION,
                "freinet@sint-truiden.demo",
                PartnerState.ACTIVE,
                "",
            ),
            (
                "Vrije Basisschool Brustem",
                Sector.EDUCATION,
                "brustem@sint-truiden.demo",
                PartnerState.ACTIVE,
                "",
            ),
            (
                "GO! Basisschool Zepperen",
                Sector.EDUCATION,
                "zepperen@sint-truiden.demo",
                PartnerState.INVITED,
                "",
            ),
            (
                "Chiro Sint-Truiden",
                Sector.LEISURE,
                "chiro@sint-truiden.demo",
                PartnerState.ACTIVE,
                "",
            ),
            (
                "Dansatelier Haspengouw",
                Sector.LEISURE,
                "dans@sint-truiden.demo",
                PartnerState.INVITED,
                "",
            ),
            (
                "Beweging.net Limburg",
                Sector.COMMUNITY,
                "bewegingnet@sint-truiden.demo",
                PartnerState.ACTIVE,
                "",
            ),
            (
                "IN-Z vzw",
                Sector.SOCIAL_ECONOMY,
                "info@in-z.demo",
                PartnerState.ACTIVE,
                "IN-Zetje Brede School: brugfiguren op school, middag- en naschoolse ateliers.",
            ),
        ],
    },
}

# (email, name, platform admin, [(network, role, partner name or None)])
PEOPLE = [
    ("admin@dorp.demo", "Platformbeheer Dorp", True, []),
    ("regie@beringen.demo", "Els Vanhoudt", False, [("beringen", Role.STEWARD, None)]),
    ("regie@sint-truiden.demo", "Marc Jorissen", False, [("sint-truiden", Role.STEWARD, None)]),
    (
        "coordinator@in-z.demo",
        "Nadia El Amrani",
        False,
        [("beringen", Role.SE_COORDINATOR, None), ("sint-truiden", Role.SE_COORDINATOR, None)],
    ),
    ("werker@in-z.demo", "Fatma Yilmaz", False, [("beringen", Role.SE_WORKER, None)]),
    ("brugfiguur@in-z.demo", "Sofie Claes", False, [("sint-truiden", Role.SE_WORKER, None)]),
    # the rest of IN-Z's team (saas/demo/workforce.py gives them profiles and cards)
    ("hafida@in-z.demo", "Hafida Bouzid", False, [("beringen", Role.SE_WORKER, None)]),
    ("olga@in-z.demo", "Olga Nowak", False, [("beringen", Role.SE_WORKER, None)]),
    ("ilse@in-z.demo", "Ilse Vangeel", False, [("beringen", Role.SE_WORKER, None)]),
    ("samira@in-z.demo", "Samira Ait Ali", False, [("beringen", Role.SE_WORKER, None)]),
    ("yusuf@in-z.demo", "Yusuf Demir", False, [("sint-truiden", Role.SE_WORKER, None)]),
    ("mira@in-z.demo", "Mira Petrova", False, [("sint-truiden", Role.SE_WORKER, None)]),
    (
        "kindengezin@beringen.demo",
        "An Peeters",
        False,
        [("beringen", Role.PARTNER_ADMIN, "Kind & Gezin")],
    ),
    (
        "ocmw@sint-truiden.demo",
        "Bart Lambrechts",
        False,
        [("sint-truiden", Role.PARTNER_ADMIN, "OCMW Sint-Truiden")],
    ),
    (
        "school@sint-truiden.demo",
        "Lies Vandersmissen",
        False,
        [("sint-truiden", Role.PARTNER_ADMIN, "Basisschool De Regenboog (GOK)")],
    ),
    (
        "beleid@beringen.demo",
        "Schepen Jan Driesen",
        False,
        [("beringen", Role.MUNICIPALITY_VIEWER, None)],
    ),
]


def _network(slug: str, spec: dict) -> Network:
    network = db.session.execute(select(Network).where(Network.slug == slug)).scalar_one_or_none()
    if network is None:
        network = Network(
            slug=slug,
            name=spec["name"],
            municipality=spec["municipality"],
            default_language="nl",
            settings={"response_target_working_days": 5},
        )
        db.session.add(network)
        db.session.flush()
    return network


def _partners(network: Network, spec: dict, steward: User | None) -> int:
    created = 0
    existing = {p.name: p for p in db.session.execute(select(Partner)).scalars()}
    for name, sector, email, state, description in spec["partners"]:
        if name in existing:
            continue
        partner = Partner(
            name=name,
            sector=sector,
            contact_email=email,
            state=state,
            description=description,
            languages=["nl", "fr", "tr"] if sector == Sector.SOCIAL_ECONOMY else ["nl"],
            activated_at=utcnow() - timedelta(days=200) if state != PartnerState.INVITED else None,
            suspended_at=utcnow() - timedelta(days=20) if state == PartnerState.SUSPENDED else None,
        )
        db.session.add(partner)
        db.session.flush()
        if state == PartnerState.INVITED:
            invitations.invite(
                network=network,
                email=email,
                role=Role.PARTNER_ADMIN,
                partner=partner,
                invited_by=steward,
            )
        created += 1
    return created


def _user(email: str, name: str, admin: bool) -> User:
    user = accounts.find_user(email)
    if user is None:
        user = accounts.create_user(email=email, name=name, password=PASSWORD, language="nl")
        user.is_platform_admin = admin
    return user


def _grant(user: User, role: Role, partner_name: str | None) -> None:
    partner_id = None
    if partner_name:
        partner_id = db.session.execute(
            select(Partner.id).where(Partner.name == partner_name)
        ).scalar_one()
    found = db.session.execute(
        select(Membership.id).where(
            Membership.user_id == user.id,
            Membership.role == role,
            Membership.partner_id.is_(None)
            if partner_id is None
            else Membership.partner_id == partner_id,
        )
    ).first()
    if found is None:
        db.session.add(Membership(user_id=user.id, role=role, partner_id=partner_id))


def seed() -> dict:
    users = {email: _user(email, name, admin) for email, name, admin, _grants in PEOPLE}
    db.session.flush()
    summary = {"networks": 0, "partners": 0, "people": len(users)}
    for slug, spec in NETWORKS.items():
        network = _network(slug, spec)
        summary["networks"] += 1
        steward = next(
            (users[e] for e, _n, _a, g in PEOPLE if (slug, Role.STEWARD, None) in g), None
        )
        with network_scope(network.id):
            summary["partners"] += _partners(network, spec, steward)
            for email, _name, _admin, grants in PEOPLE:
                for grant_slug, role, partner_name in grants:
                    if grant_slug == slug:
                        _grant(users[email], role, partner_name)
            db.session.flush()
            for key, value in seed_catalogue(network, steward).items():
                summary[key] = summary.get(key, 0) + value
            for key, value in seed_referrals(network, steward).items():
                summary[key] = summary.get(key, 0) + value
            for key, value in seed_workforce(network).items():
                summary[key] = summary.get(key, 0) + value
            for key, value in seed_billing(network).items():
                summary[key] = summary.get(key, 0) + value
            for key, value in seed_api_tokens(network).items():
                summary[key] = summary.get(key, 0) + value
            for key, value in seed_insights(network, steward).items():
                summary[key] = summary.get(key, 0) + value
    db.session.commit()
    return summary
