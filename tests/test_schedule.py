"""Schedules: RRULE expansion in Brussels time, holidays, closures, cancellations, bad rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from saas.catalogue import services
from saas.catalogue.models import ActivitySession, Closure, ClosureKind, SessionStatus
from saas.catalogue.schedule import Exclusions, ScheduleError, build_rrule, expand
from saas.extensions import db
from tenants.context import network_scope
from tests import catalogue_factories as cf
from tests import factories as f

NO_EXCLUSIONS = Exclusions(public_holidays=False)


def test_weekly_rule_keeps_wall_clock_time_across_the_march_change():
    # 2027: summer time starts on Sunday 28 March (the last Sunday of March)
    sessions = expand(
        start_date=date(2027, 3, 22),
        start_time=time(9, 30),
        end_time=time(11, 0),
        rule="FREQ=WEEKLY;BYDAY=MO,SU;UNTIL=20270405",
        exclusions=NO_EXCLUSIONS,
    )
    local = [s.local_start.strftime("%a %d %H:%M") for s in sessions]
    assert local == ["Mon 22 09:30", "Sun 28 09:30", "Mon 29 09:30", "Sun 04 09:30", "Mon 05 09:30"]
    utc = [s.starts_at for s in sessions]
    assert utc[0] == datetime(2027, 3, 22, 8, 30, tzinfo=UTC)  # CET, UTC+1
    assert utc[1] == datetime(2027, 3, 28, 7, 30, tzinfo=UTC)  # CEST from that Sunday, UTC+2
    assert utc[2] == datetime(2027, 3, 29, 7, 30, tzinfo=UTC)
    assert all((s.ends_at - s.starts_at).total_seconds() == 90 * 60 for s in sessions)


def test_weekly_rule_keeps_wall_clock_time_across_the_october_change():
    # 2027: winter time starts on Sunday 31 October (the last Sunday of October)
    sessions = expand(
        start_date=date(2027, 10, 24),
        start_time=time(14, 0),
        end_time=time(16, 0),
        rule="FREQ=WEEKLY;BYDAY=SU;UNTIL=20271107",
        exclusions=NO_EXCLUSIONS,
    )
    assert [s.local_start.hour for s in sessions] == [14, 14, 14]
    assert [s.starts_at.hour for s in sessions] == [12, 13, 13]  # UTC+2, then UTC+1


def test_public_holidays_are_skipped():
    # Easter Monday 2027 is 29 March
    sessions = expand(
        start_date=date(2027, 3, 22),
        start_time=time(9, 30),
        end_time=time(11, 0),
        rule="FREQ=WEEKLY;BYDAY=MO;UNTIL=20270405",
        exclusions=Exclusions(public_holidays=True),
    )
    assert [s.day for s in sessions] == [date(2027, 3, 22), date(2027, 4, 5)]


def test_plain_form_builds_the_rule():
    assert build_rrule(frequency="once", weekdays=[], until=None, start=date(2027, 1, 4)) == ""
    assert (
        build_rrule(
            frequency="weekly",
            weekdays=["MO", "FR"],
            until=date(2027, 6, 30),
            start=date(2027, 1, 4),
        )
        == "FREQ=WEEKLY;BYDAY=MO,FR;UNTIL=20270630"
    )
    assert (
        build_rrule(
            frequency="monthly", weekdays=[], until=date(2027, 6, 30), start=date(2027, 1, 29)
        )
        == "FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20270630"
    )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=WEEKLY;BYDAY=MO", "end date"),  # never ends
        ("FREQ=WEEKLY;BYDAY=MO;UNTIL=20260101", "no dates"),  # ends before it starts
        ("FREQ=YEARLY;COUNT=3", "daily, weekly or monthly"),
        ("FREQ=WEEKLY;COUNT=5000", "800"),
        ("FREQ=DAILY;UNTIL=20350101", "three years"),
        ("FREQ=WEEKLY;BYDAY=XX;UNTIL=20270601", "not valid"),
    ],
)
def test_bad_rules_are_refused_with_a_clear_message(app, rule, message):
    with app.test_request_context("/?lang=en"), pytest.raises(ScheduleError, match=message):
        expand(
            start_date=date(2027, 1, 4),
            start_time=time(9),
            end_time=time(10),
            rule=rule,
            exclusions=NO_EXCLUSIONS,
        )


def test_sessions_are_generated_and_a_cancellation_survives_regeneration(app):
    net = f.network(app, "beringen")
    partner = f.partner(app, net, "IN-Z vzw")
    offer = cf.offer(app, net, partner)
    with app.test_request_context("/?lang=en"), network_scope(net.id):
        sessions = (
            db.session.execute(
                select(ActivitySession)
                .where(ActivitySession.offer_id == offer.id)
                .order_by(ActivitySession.starts_at)
            )
            .scalars()
            .all()
        )
        days = [s.starts_at.date() for s in sessions]
        assert date(2027, 3, 29) not in days  # Easter Monday
        assert date(2027, 5, 17) not in days  # Whit Monday
        assert len(sessions) == 16  # 18 Mondays, less Easter and Whit Monday
        services.cancel_session(sessions[2], "Ziekte van de begeleider")
        db.session.commit()
        o = sessions[2].offer
        services.sync_sessions(
            o, since=datetime(2026, 1, 1, tzinfo=UTC), until=datetime(2028, 1, 1, tzinfo=UTC)
        )
        db.session.commit()
        again = (
            db.session.execute(
                select(ActivitySession)
                .where(ActivitySession.offer_id == offer.id)
                .order_by(ActivitySession.starts_at)
            )
            .scalars()
            .all()
        )
        assert len(again) == 16
        assert (
            again[2].status == SessionStatus.CANCELLED
            and again[2].note == "Ziekte van de begeleider"
        )


def test_closures_and_school_holidays_are_skipped_when_asked(app):
    net = f.network(app, "beringen")
    partner = f.partner(app, net, "IN-Z vzw")
    with app.app_context(), network_scope(net.id):
        db.session.add(
            Closure(
                kind=ClosureKind.SCHOOL_HOLIDAY,
                label="Paasvakantie",
                starts_on=date(2027, 4, 3),
                ends_on=date(2027, 4, 18),
            )
        )
        db.session.add(
            Closure(
                kind=ClosureKind.CLOSURE,
                label="Teamdag",
                starts_on=date(2027, 3, 8),
                ends_on=date(2027, 3, 8),
            )
        )
        db.session.commit()
    offer = cf.offer(
        app, net, partner, skip_school_holidays=True, rrule="FREQ=WEEKLY;BYDAY=MO;UNTIL=20270426"
    )
    with app.app_context(), network_scope(net.id):
        days = sorted(
            s.starts_at.date()
            for s in db.session.execute(
                select(ActivitySession).where(ActivitySession.offer_id == offer.id)
            ).scalars()
        )
    assert days == [
        date(2027, 3, 1),
        date(2027, 3, 15),
        date(2027, 3, 22),
        date(2027, 4, 19),
        date(2027, 4, 26),
    ]


def test_bad_offers_change_nothing(app):
    net = f.network(app, "beringen")
    partner = f.partner(app, net, "IN-Z vzw")
    place = cf.place(app, net)
    tid = cf.type_id(app, net)
    base = dict(
        title="Salon",
        type_id=tid,
        location_id=place.id,
        start_date=date(2027, 1, 4),
        start_time=time(9),
        end_time=time(10),
    )
    cases = [
        ({"end_time": time(8)}, "end time"),
        ({"age_min_months": 60, "age_max_months": 12}, "lowest age"),
        ({"location_id": 999999}, "Unknown location"),
        ({"type_id": 999999}, "Unknown type"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=MO"}, "end date"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270101"}, "no dates"),
        ({"title": "   "}, "title"),
        ({"capacity": 0}, "places"),
    ]
    from saas.catalogue.models import Offer
    from saas.partners.models import Partner

    with app.test_request_context("/?lang=en"), network_scope(net.id):
        for change, message in cases:
            with pytest.raises(services.OfferError, match=message):
                services.save_offer(
                    None,
                    services.OfferData(**{**base, **change}),
                    partner=db.session.get(Partner, partner.id),
                )
            db.session.rollback()
        assert db.session.execute(select(Offer)).first() is None
        assert db.session.execute(select(ActivitySession)).first() is None


def test_daily_sync_leaves_moved_and_far_sessions_alone(app):
    from datetime import timedelta

    from saas.catalogue.schedule import to_local
    from saas.models_base import utcnow

    net = f.network(app, "beringen")
    partner = f.partner(app, net, "IN-Z vzw")
    start = date.today() - timedelta(days=14)
    offer = cf.offer(
        app,
        net,
        partner,
        start=start,
        rrule=f"FREQ=WEEKLY;UNTIL={start + timedelta(weeks=40):%Y%m%d}",
    )
    with app.test_request_context("/?lang=en"), network_scope(net.id):
        sessions = (
            db.session.execute(
                select(ActivitySession)
                .where(ActivitySession.offer_id == offer.id)
                .order_by(ActivitySession.starts_at)
            )
            .scalars()
            .all()
        )
        total = len(sessions)
        upcoming = [s for s in sessions if s.starts_at > utcnow() + timedelta(days=1)]
        target = upcoming[0]
        later = to_local(target.starts_at).date() + timedelta(days=2)
        services.move_session(
            target, day=later, start_time=time(13), end_time=time(14), location_id=None
        )
        db.session.commit()
        # the next day's sync runs after the original date: the moved session must survive
        o = target.offer
        services.sync_sessions(o, since=target.starts_at + timedelta(hours=1))
        services.sync_sessions(o)
        db.session.commit()
        after = (
            db.session.execute(select(ActivitySession).where(ActivitySession.offer_id == offer.id))
            .scalars()
            .all()
        )
        assert len(after) == total  # nothing beyond the 16-week horizon was deleted either
        moved = next(s for s in after if s.id == target.id)
        assert moved.moved and to_local(moved.starts_at).date() == later
