"""A network whose families' page and flyer have something to filter: four daily activities
that differ in exactly one of age, neighbourhood and language, and one in another network."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from saas.catalogue.schedule import is_public_holiday
from saas.partners.models import Sector
from tests import catalogue_factories as cf
from tests import factories as f

MIJN, PAAL = "Beringen-Mijn", "Paal"
WANTED = "Peuterspel in het Arabisch"
TOO_OLD = "Sportkamp voor lagere school"
ELSEWHERE_IN_TOWN = "Peuterspel in Paal"
ONLY_DUTCH = "Peuterspel in het Nederlands"
OTHER_NETWORK = "Peuterspel in Sint-Truiden"


@dataclass
class FlyerWorld:
    network: f.Ref
    other: f.Ref
    day: date  # a day (not a public holiday) in the coming week on which every activity meets
    offers: dict[str, f.Ref]


def _set(app, net: f.Ref, offer: f.Ref, **values) -> None:
    from saas.catalogue.models import Offer
    from saas.extensions import db
    from tenants.context import network_scope

    with app.app_context(), network_scope(net.id):
        row = db.session.get(Offer, offer.id)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()


def build(app) -> FlyerWorld:
    net = f.network(app, "beringen")
    other = f.network(app, "sint-truiden")
    health = f.partner(app, net, "Kind en Gezin Beringen", Sector.HEALTH)
    theirs = f.partner(app, other, "Kind en Gezin Sint-Truiden", Sector.HEALTH)
    mijn = cf.place(app, net, "Buurthuis De Kolonie", MIJN)
    paal = cf.place(app, net, "Ontmoetingscentrum Paal", PAAL)
    today = date.today()
    daily = {
        "start": today + timedelta(days=1),
        "rrule": f"FREQ=DAILY;UNTIL={today + timedelta(days=10):%Y%m%d}",
    }
    offers = {}
    for title, place, ages, languages in (
        (WANTED, mijn, (0, 47), "nl,ar"),
        (TOO_OLD, mijn, (72, 155), "nl,ar"),
        (ELSEWHERE_IN_TOWN, paal, (0, 47), "nl,ar"),
        (ONLY_DUTCH, mijn, (0, 47), "nl"),
    ):
        offers[title] = cf.offer(app, net, health, title=title, location=place, **daily)
        _set(
            app,
            net,
            offers[title],
            age_min_months=ages[0],
            age_max_months=ages[1],
            languages=languages,
        )
    offers[OTHER_NETWORK] = cf.offer(
        app,
        other,
        theirs,
        title=OTHER_NETWORK,
        location=cf.place(app, other, "Zaal", MIJN),
        **daily,
    )
    _set(app, other, offers[OTHER_NETWORK], age_min_months=0, age_max_months=47, languages="nl,ar")
    day = next(
        today + timedelta(days=n)
        for n in range(1, 7)
        if not is_public_holiday(today + timedelta(days=n))
    )
    return FlyerWorld(net, other, day, offers)
