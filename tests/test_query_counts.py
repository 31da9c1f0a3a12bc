"""The busy pages run the same number of SQL statements at 10 items as at 1,000 (no N+1)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from saas.catalogue import services
from saas.catalogue.models import ActivitySession, Location, Offer, OfferType
from saas.extensions import db
from saas.models_base import utcnow
from saas.partners.models import Sector
from saas.referrals.models import Referral, Status
from tenants.context import network_scope
from tenants.models import Role
from tests import factories as f


def _grow(app, net, sender, receiver, count: int, batch: str) -> None:
    """`count` published offers, each with a session tomorrow, and `count` referrals received."""
    tomorrow = datetime.combine(date.today() + timedelta(days=1), time(9, 0), tzinfo=UTC)
    with app.app_context(), network_scope(net.id):
        services.seed_offer_types()
        type_id = db.session.query(OfferType.id).first()[0]
        places = [
            Location(
                name=f"Plek {batch}{i}", address="Markt 1, 3580 Beringen", neighbourhood=f"Wijk {i}"
            )
            for i in range(max(1, count // 20))
        ]
        db.session.add_all(places)
        db.session.flush()
        offers = [
            Offer(
                partner_id=(sender, receiver)[i % 2],
                type_id=type_id,
                location_id=places[i % len(places)].id,
                title=f"Activiteit {batch}{i:04d}",
                start_date=tomorrow.date(),
                start_time=time(9, 0),
                end_time=time(11, 0),
                published_at=utcnow(),
            )
            for i in range(count)
        ]
        db.session.add_all(offers)
        db.session.flush()
        db.session.add_all(
            ActivitySession(
                offer_id=o.id,
                occurrence=tomorrow.strftime("%Y%m%dT%H%M"),
                starts_at=tomorrow,
                ends_at=tomorrow + timedelta(hours=2),
            )
            for o in offers
        )
        db.session.add_all(
            Referral(
                from_partner_id=sender,
                to_partner_id=receiver,
                status=Status.SENT,
                family_label=f"Gezin {i}",
                sent_at=utcnow(),
            )
            for i in range(count)
        )
        db.session.commit()


PAGES = {
    "catalogue": "/beringen/catalogue/",
    "catalogue filtered on a weekday": "/beringen/catalogue/?day=0",
    "referral inbox": "/beringen/referrals/",
    "families' page": "/beringen/",
    "network overview": "/beringen/dashboard",
}


def _statements(app, client, path: str) -> int:
    client.get(path)  # warm: translations, first-request work
    with f.counting(app) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


@pytest.mark.parametrize("page", PAGES)
def test_statements_per_page_do_not_grow_with_the_data(app, page):
    net = f.network(app, "beringen")
    sender = f.partner(app, net, "OCMW Beringen")
    receiver = f.partner(app, net, "Kind & Gezin", Sector.HEALTH)
    person = f.user(app, "cas@kg.example", (net, Role.PARTNER_ADMIN, receiver))
    client = app.test_client()
    f.login(client, person)
    _grow(app, net, sender.id, receiver.id, 10, "a")
    small = _statements(app, client, PAGES[page])
    _grow(app, net, sender.id, receiver.id, 990, "b")
    large = _statements(app, client, PAGES[page])
    assert small == large, f"{page}: {small} statements at 10 items, {large} at 1,000"
