"""Hostile and careless repetition rules: bounded, read back, never a hang or a 500 (issue #18).

A rule on the offer form's "Advanced" field is read by our own grammar (`schedule.Rule`) before
`dateutil` sees it. These tests hold its promises: a rule that loops `dateutil` for good, or
multiplies sessions, is refused with a message; a careless one is kept in one normal form; any
rule that passes expands in a bounded time; a stored rule that no longer reads shows as "cannot be
shown" on every page instead of taking the network's catalogue down; the migration repairs what
it can and takes the rest offline with a notice to the partner.
"""

from __future__ import annotations

import importlib.util
import signal
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from saas.catalogue.display import schedule_text
from saas.catalogue.models import ActivitySession, Offer
from saas.catalogue.schedule import (
    MAX_OCCURRENCES,
    Rule,
    ScheduleError,
    describe,
    normalise_rule,
    parse_rule,
)
from saas.extensions import db
from saas.notifications.models import Notification
from tenants.context import network_scope
from tests.test_catalogue import CAT, TITLE, as_, cast_of, count, create, load, offer_form, page

START = datetime(2027, 1, 4, 9, 30)  # a Monday
# The rules the issue found: an endless loop, 147,458 sessions, and a dashed end date.
ENDLESS = "FREQ=WEEKLY;INTERVAL=0;UNTIL=20270101"
FLOOD = (
    "FREQ=DAILY;BYHOUR="
    + ",".join(map(str, range(24)))
    + ";BYMINUTE="
    + ",".join(map(str, range(60)))
    + ";UNTIL=20290101"
)
DASHED = "FREQ=WEEKLY;BYDAY=MO;UNTIL=2027-06-30"


class Hung(Exception):
    pass


@contextmanager
def at_most(seconds: float):
    """Stop a runaway expansion instead of hanging the suite (this guards "never hangs"; the
    bound is far above what any accepted rule needs, so it is no timing test)."""

    def stop(_signum, _frame):
        raise Hung

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def refused(rule: str) -> str:
    with at_most(2), pytest.raises(ScheduleError) as caught:
        parse_rule(rule, START)
    return str(caught.value)


def test_the_rule_that_looped_forever_is_refused_with_a_reason():
    assert "interval" in refused(ENDLESS).lower()


def test_rules_that_pick_hours_or_minutes_are_refused():
    assert "once a day" in refused(FLOOD)
    for part in ["BYSECOND=0", "BYWEEKNO=1", "BYYEARDAY=1"]:
        assert "once a day" in refused(f"FREQ=DAILY;{part};UNTIL=20270301")


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;UNTIL=20290101",
        "FREQ=HOURLY;UNTIL=20270110",
        "FREQ=WEEKLY",  # no end
        "FREQ=WEEKLY;COUNT=3;UNTIL=20270301",  # both ends (RFC 5545 forbids it)
        "FREQ=WEEKLY;COUNT=801",
        "FREQ=WEEKLY;COUNT=-1",
        "FREQ=WEEKLY;INTERVAL=99999999999999999999;UNTIL=20270301",
        "FREQ=WEEKLY;UNTIL=20270230",  # no such day
        "FREQ=WEEKLY;UNTIL=99991231",
        "FREQ=WEEKLY;UNTIL=2027063",
        "FREQ=WEEKLY;BYDAY=XX;UNTIL=20270301",
        "FREQ=WEEKLY;BYDAY=1MO;UNTIL=20270301",  # a position needs a month
        "FREQ=WEEKLY;BYDAY=MO,MO;UNTIL=20270301",
        "FREQ=WEEKLY;BYMONTHDAY=1;UNTIL=20270301",
        "FREQ=MONTHLY;BYMONTHDAY=0;UNTIL=20270301",
        "FREQ=MONTHLY;BYMONTHDAY=30;BYMONTH=2;UNTIL=20290101",  # never: 30 February
        "FREQ=MONTHLY;BYMONTH=4;UNTIL=20290101",  # never from the 31st (see below)
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6;UNTIL=20290101",  # never: no sixth Monday
        "FREQ=MONTHLY;INTERVAL=2;BYMONTH=2;UNTIL=20290101",  # may never meet February
        "FREQ=MONTHLY;BYDAY=1MO;BYMONTHDAY=15;UNTIL=20290101",  # never: the 1st Monday is ≤ 7
        "FREQ=DAILY;INTERVAL=7;BYDAY=TU;UNTIL=20290101",  # may never meet a Tuesday
        "FREQ=WEEKLY;WKST=XX;UNTIL=20270301",
        "FREQ=WEEKLY;FREQ=DAILY;UNTIL=20270301",
        "FREQ=WEEKLY;UNTIL=20270301;X-NAME=1",
        "FREQ=WEEKLY;UNTIL=20300301",  # past three years
        "FREQ=DAILY;COUNT=800",  # past three years... no: 800 days fit; see the next test
        "FREQ=DAILY;UNTIL=20291231",  # more than 800 sessions
        "FREQ=WEEKLY;BYDAY=MO;UNTIL=20261231",  # ends before it starts: no dates
        "F" * 301,
        ";;;",
        "=",
    ],
)
def test_rules_outside_the_grammar_are_refused_quickly(rule):
    if rule == "FREQ=DAILY;COUNT=800":
        assert len(parse_rule(rule, START)) == 800
        return
    start = START.replace(day=31) if "BYMONTH=4;" in rule else START
    with at_most(2), pytest.raises(ScheduleError):
        parse_rule(rule, start)


def test_a_careless_rule_is_kept_in_one_normal_form():
    assert normalise_rule(DASHED) == "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270630"
    assert normalise_rule(" rrule:until=20270630T120000Z;byday=mo;freq=weekly; ") == (
        "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270630"
    )
    assert normalise_rule("FREQ=WEEKLY;INTERVAL=1;UNTIL=20270630") == "FREQ=WEEKLY;UNTIL=20270630"
    assert normalise_rule("") == ""
    # the end date is a whole local day, with or without a time
    assert parse_rule(DASHED, START)[-1] == datetime(2027, 6, 28, 9, 30)
    assert parse_rule("FREQ=WEEKLY;UNTIL=20270628T000000Z", START)[-1].date() == date(2027, 6, 28)


def test_rules_people_use_still_read_and_say_what_they_mean():
    last_workday = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;UNTIL=20270430"
    assert [d.day for d in parse_rule(last_workday, START)] == [29, 26, 31, 30]
    leap_day = "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=29;UNTIL=20291231"
    assert parse_rule(leap_day, START) == [datetime(2028, 2, 29, 9, 30)]
    assert describe("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20270630", START.date()) == {
        "frequency": "weekly",
        "weekdays": ["MO", "TH"],
        "interval": 2,
        "until": date(2027, 6, 30),
        "count": None,
        "rule": Rule.parse("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20270630"),
    }
    assert describe("FREQ=MONTHLY;BYDAY=1MO;UNTIL=20270630", START.date())["frequency"] == (
        "monthly"
    )
    assert describe(last_workday, START.date())["frequency"] == "custom"
    assert describe(ENDLESS, START.date())["frequency"] == "unreadable"


# --- any accepted rule expands within a bound ---------------------------------------------

DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _listed(items: st.SearchStrategy, most: int) -> st.SearchStrategy:
    return st.lists(items, min_size=1, max_size=most).map(lambda xs: ",".join(map(str, xs)))


@st.composite
def rules_from(draw) -> tuple[str, datetime]:
    """A start and a rule for it: mostly near the grammar's edges, sometimes past them."""
    start = draw(st.datetimes(datetime(2000, 1, 1), datetime(2099, 1, 1)))
    start = start.replace(hour=9, minute=30, second=0, microsecond=0)
    parts = [f"FREQ={draw(st.sampled_from(['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']))}"]
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.integers(0, 60))}")
    if draw(st.booleans()):
        ordinal = st.sampled_from(["", "", "", "1", "2", "-1", "4", "5", "-5", "6"])
        parts.append(
            "BYDAY=" + draw(_listed(st.tuples(ordinal, st.sampled_from(DAYS)).map("".join), 7))
        )
    if draw(st.integers(0, 3)) == 0:
        parts.append("BYMONTHDAY=" + draw(_listed(st.integers(-32, 32), 4)))
    if draw(st.integers(0, 3)) == 0:
        parts.append("BYMONTH=" + draw(_listed(st.integers(0, 13), 4)))
    if draw(st.integers(0, 4)) == 0:
        parts.append("BYSETPOS=" + draw(_listed(st.integers(-25, 25), 3)))
    if draw(st.integers(0, 4)) == 0:
        parts.append(f"WKST={draw(st.sampled_from(DAYS))}")
    if draw(st.booleans()):
        parts.append(f"COUNT={draw(st.integers(0, 900))}")
    else:
        until = start.date() + timedelta(days=draw(st.integers(-10, 1200)))
        parts.append(f"UNTIL={draw(st.sampled_from([f'{until:%Y%m%d}', until.isoformat()]))}")
    return ";".join(draw(st.permutations(parts))), start


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=rules_from())
def test_any_accepted_rule_describes_and_expands_within_a_bound(case):
    rule, start = case
    with at_most(1):
        try:
            found = parse_rule(rule, start)
        except ScheduleError:
            found = None
        plan = describe(rule, start.date())  # never raises
    if found is None:
        return
    assert plan["frequency"] != "unreadable"
    assert 1 <= len(found) <= MAX_OCCURRENCES
    assert found == sorted(found) and found[0] >= start
    assert found[-1] <= start + timedelta(days=3 * 366)
    assert len({d.date() for d in found}) == len(found)  # at most one session a day
    assert parse_rule(normalise_rule(rule), start) == found  # the normal form means the same


# --- through the offer form ---------------------------------------------------------------


@pytest.mark.parametrize("rule", [ENDLESS, FLOOD])
def test_a_hostile_rule_on_the_offer_form_is_answered_and_saves_nothing(app, rule):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    with at_most(10):
        response = owner.post(f"{CAT}/offers/new?lang=en", data=offer_form(cast, rrule=rule))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "interval" in body or "once a day" in body
    assert (count(app, cast, Offer), count(app, cast, ActivitySession)) == (0, 0)


def test_a_dashed_end_date_is_saved_in_the_normal_form_and_pages_read_it(app):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    start = date.today() + timedelta(days=1)
    until = start + timedelta(weeks=3)
    rule = f"FREQ=WEEKLY;UNTIL={until.isoformat()}"
    offer_id = create(owner, cast, rrule=rule)
    assert load(app, cast, Offer, offer_id).rrule == f"FREQ=WEEKLY;UNTIL={until:%Y%m%d}"
    assert count(app, cast, ActivitySession) == 4
    assert TITLE in page(owner, f"{CAT}/offers/{offer_id}?lang=en")
    edit = page(owner, f"{CAT}/offers/{offer_id}/edit?lang=en")
    assert 'value="weekly" checked' in edit or "checked" in edit


def test_a_rule_the_plain_choices_cannot_say_stays_in_the_advanced_field(app):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    start = date.today() + timedelta(days=1)
    rule = f"FREQ=MONTHLY;BYMONTHDAY=1,15;UNTIL={start + timedelta(days=100):%Y%m%d}"
    offer_id = create(owner, cast, rrule=rule)
    edit = page(owner, f"{CAT}/offers/{offer_id}/edit?lang=en")
    assert "BYMONTHDAY=1,15" in edit and '<details class="mb-3" open>' in edit
    assert "Every month on day 1, 15" in page(owner, f"{CAT}/offers/{offer_id}?lang=en")
    # a plain weekly offer opens with its choices, the advanced field empty
    plain_id = create(owner, cast)
    assert 'name="rrule" type="text" value=""' in page(owner, f"{CAT}/offers/{plain_id}/edit")


# --- a stored rule that no longer reads never takes a page down -----------------------------


def _store_rule(app, cast, offer_id: int, rule: str) -> None:
    """What an older Dorp let through, written past today's checks."""
    with app.app_context(), network_scope(cast.net.id):
        db.session.execute(update(Offer).where(Offer.id == offer_id).values(rrule=rule))
        db.session.commit()


@pytest.mark.parametrize("rule", [ENDLESS, "FREQ=WEEKLY;UNTIL=2027-06-3O", "garbage"])
def test_an_unreadable_stored_rule_shows_as_such_and_the_steward_can_hide_it(app, rule):
    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    offer_id = create(owner, cast)
    _store_rule(app, cast, offer_id, rule)
    steward = as_(app, cast.people["steward"])
    other = as_(app, cast.people["other"])
    anonymous = app.test_client()
    with at_most(10):
        assert TITLE in page(other, f"{CAT}/?lang=en")
        assert "cannot be shown" in page(other, f"{CAT}/offers/{offer_id}?lang=en")
        assert TITLE in page(owner, f"{CAT}/mine?lang=en")
        assert (
            "garbage" in page(owner, f"{CAT}/offers/{offer_id}/edit?lang=en") or rule != "garbage"
        )
        assert "cannot be shown" in page(anonymous, f"/beringen/activity/{offer_id}?lang=en")
        assert anonymous.get("/beringen/agenda.ics").status_code == 200
        assert anonymous.get(f"/beringen/activity/{offer_id}.ics").status_code == 200
        assert anonymous.get("/beringen/hsds/services").status_code == 200
        # a closure re-syncs every offer: the unreadable one is left as it was
        hidden = steward.post(f"{CAT}/offers/{offer_id}/hide", data={"reason": "Schema kapot"})
        assert hidden.status_code == 302
    assert load(app, cast, Offer, offer_id).hidden_at is not None


def test_a_closure_day_leaves_an_offer_with_an_unreadable_rule_alone(app):
    cast = cast_of(app)
    offer_id = create(as_(app, cast.people["owner"]), cast)
    before = count(app, cast, ActivitySession)
    _store_rule(app, cast, offer_id, ENDLESS)
    from saas.catalogue import services

    with app.test_request_context(), network_scope(cast.net.id), at_most(10):
        offer = db.session.get(Offer, offer_id)
        assert services.sync_sessions(offer) == {"created": 0, "removed": 0}
    assert count(app, cast, ActivitySession) == before


def test_schedule_text_never_fails(app):
    offer = Offer(rrule=ENDLESS, start_date=START.date(), start_time=time(9, 30))
    offer.end_time = time(11, 0)
    with app.test_request_context("/?lang=en"):
        assert schedule_text(offer) == "The schedule cannot be shown."


# --- the migration --------------------------------------------------------------------------


def _migration():
    path = Path(__file__).resolve().parent.parent / "saas/migrations/versions"
    spec = importlib.util.spec_from_file_location(
        "rules_checked", path / "0012_offer_rules_checked.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_repairs_careless_rules_and_takes_broken_ones_offline(app):
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    cast = cast_of(app)
    owner = as_(app, cast.people["owner"])
    careless, broken, fine = (create(owner, cast, title=t) for t in ["Careless", "Broken", "Fine"])
    _store_rule(app, cast, careless, "freq=weekly;until=2027-06-30")
    _store_rule(app, cast, broken, ENDLESS)
    fine_rule = load(app, cast, Offer, fine).rrule
    with app.app_context():
        connection = db.engine.connect()  # the app's role would do for SQLite; see below
        if connection.dialect.name == "postgresql":
            connection.close()
            from sqlalchemy import create_engine

            owner_engine = create_engine(app.config["DATABASE_ADMIN_URL"])
            connection = owner_engine.connect()
        migration = MigrationContext.configure(connection)
        with connection.begin(), at_most(10), Operations.context(migration):
            _migration().upgrade()
        connection.close()
    assert load(app, cast, Offer, careless).rrule == "FREQ=WEEKLY;UNTIL=20270630"
    assert load(app, cast, Offer, careless).published_at is not None
    assert load(app, cast, Offer, fine).rrule == fine_rule
    assert load(app, cast, Offer, broken).published_at is None
    notices = [n for n in _rows(app, cast, Notification) if n.kind == "offer_schedule_invalid"]
    assert [n.user_id for n in notices] == [cast.people["owner"].id]
    assert "Broken" in notices[0].subject and notices[0].link.endswith(f"/{broken}/edit")
    assert page(owner, notices[0].link + "?lang=en")


def _rows(app, cast, model):
    with app.app_context(), network_scope(cast.net.id):
        found = list(db.session.execute(select(model)).scalars())
        db.session.expunge_all()
        return found
