"""Two small networks with a person in every role: the shared cast of the isolation tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from saas.extensions import db
from saas.onboarding import invitations
from saas.partners.models import Sector
from tenants.context import network_scope
from tenants.models import Membership, Role
from tests import factories as f
from tests.snapshots import built_once


def next_monday() -> date:
    """The first Monday after today in Brussels: a date "from next week" that is still ahead
    whenever the suite runs (a fixed one such as 4 January 2027 turns into the past)."""
    from saas.today import monday, today

    return monday(today()) + timedelta(weeks=1)


@dataclass
class NetworkCast:
    network: f.Ref
    partner_a: f.Ref
    partner_b: f.Ref
    people: dict[Role, f.Ref] = field(default_factory=dict)
    colleague_b: f.Ref | None = None
    membership_b: int = 0
    membership_network: int = 0
    invitation_token: str = ""
    offer_id: int = 0
    session_id: int = 0
    link_id: int = 0
    closure_id: int = 0
    location_id: int = 0
    referral_id: int = 0
    notification_id: int = 0  # the notice partner B's people got about the referral
    worker_id: int = 0
    roster_id: int = 0
    assignment_id: int = 0
    card_id: int = 0  # the worker's flexibility card (started: it stays as history)
    feed_token: str = ""
    token_id: int = 0  # partner B's API token
    hsds_service_id: str = ""
    provider_id: int = 0  # the network's sign-in provider (OpenID Connect)
    secrets: list[str] = field(default_factory=list)  # never shown to outsiders
    public: list[str] = field(default_factory=list)  # shown on the families' pages only


@built_once
def build_network(app, slug: str) -> NetworkCast:
    net = f.network(app, slug)
    a = f.partner(app, net, f"Welzijnshuis {slug}", Sector.WELFARE)
    b = f.partner(app, net, f"Basisschool {slug}", Sector.EDUCATION)
    cast = NetworkCast(network=net, partner_a=a, partner_b=b)
    for role in Role:
        grant = (net, role, a) if role.needs_partner else (net, role)
        cast.people[role] = f.user(
            app, f"{role.value}@{slug}.example", grant, name=f"{role.value} {slug}"
        )
    cast.colleague_b = f.user(
        app, f"colleague@{slug}.example", (net, Role.PARTNER_ADMIN, b), name=f"Collega {slug}"
    )
    with app.app_context(), network_scope(net.id):
        from sqlalchemy import select

        cast.membership_b = db.session.execute(
            select(Membership.id).where(Membership.partner_id == b.id)
        ).scalar_one()
        cast.membership_network = db.session.execute(
            select(Membership.id).where(Membership.role == Role.SE_WORKER)
        ).scalar_one()
        from tenants.models import Network

        network = db.session.get(Network, net.id)
        with app.test_request_context():
            inv = invitations.invite(
                network=network, email=f"invitee@{slug}.example", role=Role.SE_WORKER
            )
            db.session.commit()
            cast.invitation_token = invitations.token_for(inv)
    _catalogue(app, cast)
    _referral(app, cast)
    _workforce(app, cast)
    _api_token(app, cast)
    _sign_in_provider(app, cast)
    # What no outsider may see (the network's name is public: its families' page shows it).
    cast.secrets = [
        a.email,
        b.email,
        f"@{slug}.example",
        f"Huisbezoek {slug}",
        f"Gezin {slug}",
        f"Vraag over slapen in {slug}",
        f"Mantelzorg voor moeder in {slug}",
        f"Koppeling {slug}",
        f"client-of-{slug}-secret",
    ]
    cast.public = [a.name, b.name, f"Voorleesuurtje {slug}", f"Ontmoetingscentrum {slug}"]
    return cast


@built_once
def build_world(app) -> tuple[NetworkCast, NetworkCast]:
    return build_network(app, "beringen"), build_network(app, "sint-truiden")


def _catalogue(app, cast: NetworkCast) -> None:
    """An offer of partner B (with partner A as host), its sessions, a place and a closure."""
    from datetime import date

    from sqlalchemy import select

    from saas.catalogue.models import ActivitySession, Closure, ClosureKind, OfferPartner
    from tests import catalogue_factories as cf

    place = cf.place(app, cast.network, name=f"Ontmoetingscentrum {cast.network.slug}")
    offer = cf.offer(
        app,
        cast.network,
        cast.partner_b,
        title=f"Voorleesuurtje {cast.network.slug}",
        location=place,
    )
    cf.offer(
        app,
        cast.network,
        cast.partner_b,
        title=f"Huisbezoek {cast.network.slug}",
        location=place,
        published=False,
    )
    with app.test_request_context(), network_scope(cast.network.id):
        from saas.catalogue import services
        from saas.catalogue.models import Offer, OrganiserRole
        from saas.partners.models import Partner

        o = db.session.get(Offer, offer.id)
        services.set_organiser(o, db.session.get(Partner, cast.partner_a.id), OrganiserRole.HOST)
        closure = Closure(
            kind=ClosureKind.CLOSURE,
            label="Teamdag",
            starts_on=date(2027, 12, 1),
            ends_on=date(2027, 12, 1),
        )
        db.session.add(closure)
        db.session.commit()
        cast.offer_id = offer.id
        cast.location_id = place.id
        cast.closure_id = closure.id
        cast.link_id = db.session.execute(select(OfferPartner.id)).scalar_one()
        cast.session_id = (
            db.session.execute(
                select(ActivitySession.id)
                .where(ActivitySession.offer_id == offer.id)
                .order_by(ActivitySession.id)
            )
            .scalars()
            .first()
        )


def _referral(app, cast: NetworkCast) -> None:
    """A referral sent from partner A to partner B, about a family only they may see."""
    from saas.accounts.models import User
    from saas.notifications.models import Notification
    from saas.partners.models import Partner
    from saas.referrals import services

    with app.test_request_context(), network_scope(cast.network.id):
        sender = db.session.get(User, cast.people[Role.PARTNER_ADMIN].id)
        referral = services.create(
            from_partner=db.session.get(Partner, cast.partner_a.id),
            to_partner=db.session.get(Partner, cast.partner_b.id),
            family=services.FamilyData(
                family_label=f"Gezin {cast.network.slug}",
                question=f"Vraag over slapen in {cast.network.slug}",
            ),
            consent=services.ConsentData(given_by="parent", purpose="Contact over slaapproblemen"),
            user=sender,
        )
        db.session.commit()
        cast.referral_id = referral.id
        cast.notification_id = db.session.execute(
            select(Notification.id).order_by(Notification.id)
        ).scalar()


def _workforce(app, cast: NetworkCast) -> None:
    """The worker's profile and card (with a private reason), a staffed roster and a feed token."""
    from datetime import date, timedelta

    from saas.accounts.models import User
    from saas.catalogue.models import ActivitySession
    from saas.workforce.cards import save_card
    from saas.workforce.models import Assignment, Roster, RosterStatus, WorkerProfile
    from saas.workforce.rosters import monday
    from saas.workforce.staff import new_feed_token

    with app.test_request_context(), network_scope(cast.network.id):
        user = db.session.get(User, cast.people[Role.SE_WORKER].id)
        worker = WorkerProfile(user_id=user.id, skills="reading_aloud", home_area="Paal")
        db.session.add(worker)
        db.session.flush()
        card = save_card(
            worker,
            "g" * 91,
            date(2020, 1, 6),
            f"Mantelzorg voor moeder in {cast.network.slug}",
            None,
        )
        cast.card_id = card.id
        cast.feed_token = new_feed_token(worker)
        session = db.session.get(ActivitySession, cast.session_id)
        roster = Roster(
            starts_on=monday(session.starts_at.date()),
            ends_on=monday(session.starts_at.date()) + timedelta(weeks=1),
            status=RosterStatus.PUBLISHED,
        )
        db.session.add(roster)
        db.session.flush()
        assignment = Assignment(
            roster_id=roster.id, session_id=session.id, worker_id=worker.id, minutes=60
        )
        db.session.add(assignment)
        db.session.commit()
        cast.worker_id, cast.roster_id, cast.assignment_id = worker.id, roster.id, assignment.id


def _api_token(app, cast: NetworkCast) -> None:
    """Partner B's API token, and the open-data id of the published offer."""
    from saas.accounts.models import User
    from saas.api import hsds
    from saas.api import services as tokens
    from saas.partners.models import Partner
    from tenants.models import Network

    with app.test_request_context(), network_scope(cast.network.id):
        created = tokens.create(
            partner=db.session.get(Partner, cast.partner_b.id),
            user=db.session.get(User, cast.colleague_b.id),
            name=f"Koppeling {cast.network.slug}",
            scopes=["offers:read"],
            days=30,
        )
        db.session.commit()
        cast.token_id = created.token.id
        network = db.session.get(Network, cast.network.id)
        cast.hsds_service_id = hsds.hsds_id(network, "service", cast.offer_id)


def _sign_in_provider(app, cast: NetworkCast) -> None:
    """The network's sign-in provider, stored as saving it would (no provider runs there)."""
    from saas.sso.models import NetworkProvider
    from saas.sso.secrets import seal

    slug = cast.network.slug
    issuer = f"https://login.{slug}.example"
    with app.test_request_context(), network_scope(cast.network.id):
        provider = NetworkProvider(
            name=f"Login {slug}",
            issuer=issuer,
            client_id=f"dorp-{slug}",
            client_secret_sealed=seal(f"client-of-{slug}-secret"),
            allowed_domains=f"{slug}.example",
            authorization_endpoint=f"{issuer}/authorize",
            token_endpoint=f"{issuer}/token",
            jwks_uri=f"{issuer}/jwks",
        )
        db.session.add(provider)
        db.session.commit()
        cast.provider_id = provider.id
