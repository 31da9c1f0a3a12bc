"""Catalogue test data: places, offers and their sessions in one network."""

from __future__ import annotations

from datetime import date, time

from saas.catalogue import services
from saas.catalogue.models import ActionLine, Location, Offer, OfferType
from saas.extensions import db
from saas.partners.models import Partner
from tenants.context import network_scope
from tests import factories as f


def place(app, net: f.Ref, name="Buurthuis De Kolonie", neighbourhood="Beringen-Mijn") -> f.Ref:
    with app.app_context(), network_scope(net.id):
        loc = Location(
            name=name, address="Kioskplein 1, 3582 Beringen", neighbourhood=neighbourhood
        )
        db.session.add(loc)
        db.session.commit()
        return f.Ref(id=loc.id, name=name)


def type_id(app, net: f.Ref, code: str = "oudersalon") -> int:
    with app.app_context(), network_scope(net.id):
        services.seed_offer_types()
        db.session.commit()
        from sqlalchemy import select

        return db.session.execute(select(OfferType.id).where(OfferType.code == code)).scalar_one()


def offer(
    app,
    net: f.Ref,
    partner: f.Ref,
    *,
    title="Oudersalon",
    location: f.Ref | None = None,
    start=date(2027, 3, 1),
    start_time=time(9, 30),
    end_time=time(11, 30),
    rrule="FREQ=WEEKLY;BYDAY=MO;UNTIL=20270628",
    published=True,
    code="oudersalon",
    **extra,
) -> f.Ref:
    location = location or place(app, net)
    tid = type_id(app, net, code)
    languages = extra.pop("languages", ["nl", "tr"])
    with app.app_context(), network_scope(net.id):
        data = services.OfferData(
            title=title,
            type_id=tid,
            location_id=location.id,
            start_date=start,
            start_time=start_time,
            end_time=end_time,
            rrule=rrule,
            action_lines=int(ActionLine.PARENTING),
            age_min_months=0,
            age_max_months=72,
            languages=languages,
            **extra,
        )
        o = services.save_offer(None, data, partner=db.session.get(Partner, partner.id))
        services.sync_sessions(
            o,
            since=services.to_utc(__import__("datetime").datetime(2026, 1, 1)),
            until=services.to_utc(__import__("datetime").datetime(2028, 1, 1)),
        )
        if published:
            services.publish(o)
        db.session.commit()
        return f.Ref(id=o.id, name=title)


__all__ = ["Offer", "offer", "place", "type_id"]
