"""A small network whose health figures for 2025 are worked out by hand in tests/test_insights.py.

Rows are written straight through the ORM (inside the network's scope) with fixed dates, so the
expected figures do not depend on today's date or on the services' rules about the present.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from saas.catalogue import services as catalogue
from saas.catalogue.models import (
    ActionLine,
    ActivitySession,
    Headcount,
    Location,
    Offer,
    OfferType,
    SessionStatus,
)
from saas.extensions import db
from saas.partners.models import Partner, PartnerState, Sector
from saas.referrals.models import DeclineReason, Referral, Status
from tenants.context import network_scope
from tests import factories as f


@dataclass
class Fixture:
    network: f.Ref
    partners: dict[str, int] = field(default_factory=dict)


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def build(app, slug: str = "beringen", *, scale: int = 1) -> Fixture:
    """The hand-computed network; `scale` > 1 adds that many copies of its 2025 activity (for
    the test that the dashboard's number of queries does not grow with the data)."""
    net = f.network(app, slug)
    fx = Fixture(network=net)
    with app.app_context(), network_scope(net.id):
        catalogue.seed_offer_types()
        types = {t.code: t.id for t in db.session.execute(select(OfferType)).scalars()}
        partners = {
            "welzijn": Partner(
                name="Welzijnshuis", sector=Sector.WELFARE, state=PartnerState.ACTIVE
            ),
            "school": Partner(
                name="Basisschool", sector=Sector.EDUCATION, state=PartnerState.ACTIVE
            ),
            "inz": Partner(name="IN-Z", sector=Sector.SOCIAL_ECONOMY, state=PartnerState.ACTIVE),
            "invited": Partner(
                name="Nog niet actief", sector=Sector.HEALTH, state=PartnerState.INVITED
            ),
            "suspended": Partner(
                name="Geschorst", sector=Sector.LEISURE, state=PartnerState.SUSPENDED
            ),
        }
        for key, p in partners.items():
            p.contact_email = f"{key}@{slug}.example"
            db.session.add(p)
        paal = Location(name="Buurthuis Paal", address="Paal 1", neighbourhood="Paal")
        koersel = Location(name="School Koersel", address="Koersel 1", neighbourhood="Koersel")
        db.session.add_all([paal, koersel])
        db.session.flush()
        fx.partners = {k: p.id for k, p in partners.items()}

        def offer(owner, type_code, lines, low, high, place, title):
            o = Offer(
                partner_id=partners[owner].id,
                type_id=types[type_code],
                location_id=place.id,
                title=title,
                action_lines=int(lines),
                age_min_months=low,
                age_max_months=high,
                start_date=date(2024, 9, 1),
                start_time=time(9),
                end_time=time(11),
                published_at=at(date(2024, 8, 1)),
            )
            db.session.add(o)
            db.session.flush()
            return o

        def session(o, start, hours, *, place=None, cancelled=False, n=0):
            s = ActivitySession(
                offer_id=o.id,
                occurrence=f"{start:%Y%m%dT%H%M}-{n}",
                starts_at=start,
                ends_at=start + timedelta(hours=hours),
                status=SessionStatus.CANCELLED if cancelled else SessionStatus.SCHEDULED,
                location_id=place.id if place else None,
                moved=place is not None,
            )
            db.session.add(s)
            db.session.flush()
            return s

        def count(s, **numbers):
            db.session.add(Headcount(session_id=s.id, **numbers))
            db.session.flush()

        salon = offer("inz", "oudersalon", ActionLine.PARENTING, 0, 72, paal, "Oudersalon")
        atelier = offer(
            "school",
            "atelier_taal",
            ActionLine.CHILD_DEVELOPMENT | ActionLine.BROAD_LEARNING,
            36,
            144,
            koersel,
            "Taalatelier",
        )
        for n in range(scale):
            s1 = session(salon, at(date(2025, 3, 3)), 2, n=n)
            count(s1, adults=6, children_0_3=5, children_3_6=2, first_time_families=3)
            count(s1, adults=7, children_0_3=5, children_3_6=2, first_time_families=3)  # correction
            s2 = session(salon, at(date(2025, 3, 10)), 2, place=koersel, n=n)
            count(s2, adults=4, children_0_3=3, first_time_families=1)
            session(salon, at(date(2025, 3, 17)), 2, cancelled=True, n=n)
            s4 = session(atelier, at(date(2025, 5, 5), 14), 1.5, n=n)
            count(
                s4,
                adults=10,
                children_3_6=6,
                children_6_12=8,
                first_time_families=5,
                kindergarten_on_time=2,
            )
            session(atelier, at(date(2025, 6, 2), 14), 1.5, n=n)  # held, never counted
            s5 = session(atelier, at(date(2024, 12, 20), 14), 1.5, n=n)  # the previous year
            count(s5, adults=9)

        def referral(sender, receiver, status, sent, *, hours=None, lapsed=False, reason=None):
            r = Referral(
                from_partner_id=partners[sender].id,
                to_partner_id=partners[receiver].id,
                status=status,
                sent_at=sent,
                responded_at=sent + timedelta(hours=hours) if hours is not None else None,
                lapsed=lapsed,
                decline_reason=reason,
                family_label="x",
                question="x",
            )
            db.session.add(r)

        for _n in range(scale):
            referral("welzijn", "school", Status.COMPLETED, at(date(2025, 2, 1), 10), hours=10)
            referral(
                "welzijn",
                "school",
                Status.DECLINED,
                at(date(2025, 2, 2), 10),
                hours=30,
                reason=DeclineReason.NO_CAPACITY,
            )
            referral(
                "welzijn", "inz", Status.ACCEPTED, at(date(2025, 2, 3), 10), hours=50, lapsed=True
            )
            referral("school", "welzijn", Status.SENT, at(date(2025, 2, 4), 10), lapsed=True)
            referral("inz", "welzijn", Status.CANCELLED, at(date(2025, 2, 5), 10))
            referral("welzijn", "school", Status.IN_PROGRESS, at(date(2025, 2, 6), 10), hours=20)
            referral("welzijn", "school", Status.COMPLETED, at(date(2025, 4, 1), 10), hours=5)
            for k in range(1, 6):
                referral("welzijn", "school", Status.COMPLETED, at(date(2025, 5, k), 10), hours=k)
            referral("welzijn", "school", Status.DRAFT, None)
            referral("welzijn", "school", Status.COMPLETED, at(date(2024, 11, 1), 10), hours=3)
        db.session.commit()
    return fx
