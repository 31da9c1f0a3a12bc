"""Rosters have a draft / published life and never double-book (#19): a roster for a period that
overlaps a published one is a draft that replaces it; publishing it retires the old roster's
overlapping days, so a worker's week, calendar feed, the roster's coverage and the network's
figures show each session once, and only to whom it now belongs. Also: the period's bad input,
one way of writing a period (page, e-mail, feed), and a solve that finds nothing.

Run on SQLite and on PostgreSQL (TEST_DATABASE_URL) alike: nothing here is backend-specific.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from saas.extensions import db
from saas.insights.figures.social_economy import social_economy_figures
from saas.insights.period import Period
from saas.notifications.models import OutboxMessage
from saas.workforce import solver
from saas.workforce.cards import save_card
from saas.workforce.models import (
    Assignment,
    Roster,
    RosterRetirement,
    RosterStatus,
    WorkerProfile,
)
from saas.workforce.rosters import create_roster, live_days
from tenants.context import network_scope
from tenants.models import Network, Role
from tests import factories as f
from tests import test_workforce
from tests.world import build_network
from workers import roster_jobs

team = test_workforce.team  # the fixture: Beringen's cast, two green workers, a Monday salon
RED = "r" * 91
SALON = "Oudersalon Paal"


def _coordinator(client, cast):
    f.login(client, cast.people[Role.SE_COORDINATOR])
    return client


def _make(client, run_jobs, first: str, last: str) -> int:
    response = client.post("/beringen/team/rosters", data={"starts_on": first, "ends_on": last})
    assert response.status_code == 302, response.get_data(as_text=True)
    run_jobs()
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _salon_days(client, who, week: str) -> list[str]:
    """The salon's sessions in the worker's week, as the page lists them day by day (one item
    each)."""
    f.login(client, who)
    page = client.get(f"/beringen/team/my-week?week={week}").get_data(as_text=True)
    return [line for line in page.splitlines() if SALON in line and '<li class="dorp-block' in line]


def _feed_salon_starts(client, ctx, cast, worker_id: int) -> list[str]:
    with ctx(cast.network.id):
        token = db.session.get(WorkerProfile, worker_id).feed_token
        if not token:
            from saas.workforce.staff import new_feed_token

            token = new_feed_token(db.session.get(WorkerProfile, worker_id))
            db.session.commit()
    body = client.get(f"/beringen/team/feed/{token}.ics").get_data(as_text=True)
    events = body.split("BEGIN:VEVENT")[1:]
    return sorted(
        next(line for line in e.splitlines() if line.startswith("DTSTART"))
        for e in events
        if SALON in e
    )


def _worker_on(ctx, cast, roster_id: int, day: date) -> int:
    from saas.catalogue.models import ActivitySession

    with ctx(cast.network.id):
        rows = db.session.execute(
            select(Assignment.worker_id, ActivitySession.starts_at)
            .join(ActivitySession, ActivitySession.id == Assignment.session_id)
            .where(Assignment.roster_id == roster_id)
        ).all()
    (worker,) = [w for w, at in rows if at.date() == day]
    return worker


def test_publishing_a_replacement_never_double_books_a_worker(
    app, client, team, ctx, run_jobs, monkeypatch
):
    """Roster A (1-14 March) is published; roster B (8-21 March) overlaps it. B's draft changes
    nobody's week; once published, the week of 8 March is B's: the worker A had on the salon of
    8 March, whom B gives it to someone else, no longer sees it; everybody sees each session
    once, in the week page and in the calendar feed, and the figures count it once."""
    _coordinator(client, team)
    a_id = _make(client, run_jobs, "2027-03-01", "2027-03-14")
    assert client.post(f"/beringen/team/rosters/{a_id}/publish").status_code == 302
    first = _worker_on(ctx, team, a_id, date(2027, 3, 8))
    people = {team.worker_id: team.people[Role.SE_WORKER], team.second_worker_id: team.other}
    other = next(w for w in people if w != first)
    # from 8 March on, A's worker on the salon can no longer do Mondays: B gives it to the other
    with ctx(team.network.id):
        save_card(db.session.get(WorkerProfile, first), RED, date(2027, 3, 8), "", None)
        db.session.commit()

    _coordinator(client, team)
    b_id = _make(client, run_jobs, "2027-03-10", "2027-03-21")  # any day of the weeks
    draft = client.get(f"/beringen/team/rosters/{b_id}").get_data(as_text=True)
    assert "Dit concept vervangt Rooster 1–14 mrt 2027 van 8 maart 2027 tot en met 14 maart" in (
        draft
    )
    assert _worker_on(ctx, team, b_id, date(2027, 3, 8)) == other
    # a draft counts for nobody: the week still shows A's roster, once
    assert len(_salon_days(client, people[first], "2027-03-08")) == 1
    assert _salon_days(client, people[other], "2027-03-08") == []

    _coordinator(client, team)
    assert client.post(f"/beringen/team/rosters/{b_id}/publish").status_code == 302

    # the week of 8 March is B's now: the session is the other worker's, once; not A's worker's
    assert _salon_days(client, people[first], "2027-03-08") == []
    assert len(_salon_days(client, people[other], "2027-03-08")) == 2  # the 8th and the 15th
    # A keeps its own first week
    assert len(_salon_days(client, people[first], "2027-03-01")) == 1
    # the feeds say the same: each session once, and only to the worker it belongs to
    mine = _feed_salon_starts(client, ctx, team, first)
    theirs = _feed_salon_starts(client, ctx, team, other)
    assert mine == ["DTSTART;TZID=Europe/Brussels:20270301T093000"]
    assert theirs == [
        "DTSTART;TZID=Europe/Brussels:20270308T093000",
        "DTSTART;TZID=Europe/Brussels:20270315T093000",
    ]
    # A's page: its second week has been replaced, and its coverage no longer lists it
    _coordinator(client, team)
    old = client.get(f"/beringen/team/rosters/{a_id}").get_data(as_text=True)
    assert "Van 8 maart 2027 tot en met 14 maart 2027 is dit rooster vervangen" in old
    assert "08/03" not in old
    with ctx(team.network.id):
        assert db.session.get(Roster, a_id).status == RosterStatus.PUBLISHED
        # the fixture's published roster of the week of 1 March is wholly A's now: retired
        assert db.session.get(Roster, team.roster_id).status == RosterStatus.RETIRED
        # two published rosters never share a day
        published = (
            db.session.execute(select(Roster).where(Roster.status == RosterStatus.PUBLISHED))
            .scalars()
            .all()
        )
        days = [(r.id, a, b) for r in published for a, b in live_days(r)]
        for i, (r1, a1, b1) in enumerate(days):
            for r2, a2, b2 in days[i + 1 :]:
                assert r1 == r2 or max(a1, a2) >= min(b1, b2)
    # the network's figures count the salons of 1, 8 and 15 March once each (2 h each): not
    # A's 8 March, nor the retired roster's hour on 1 March
    monkeypatch.setattr("saas.insights.period.utcnow", lambda: datetime(2027, 4, 1, tzinfo=UTC))
    with app.test_request_context(), network_scope(team.network.id):
        figures = social_economy_figures(Period("month", 2027, 3))
        assert figures.roster_hours == 6.0


def test_a_published_roster_of_another_network_is_never_replaced(app, client, team, ctx, run_jobs):
    other = build_network(app, "sint-truiden")  # a published roster in the same week of 2027
    _coordinator(client, team)
    roster_id = _make(client, run_jobs, "2027-03-01", "2027-03-07")
    page = client.get(f"/beringen/team/rosters/{roster_id}").get_data(as_text=True)
    assert page.count("Dit concept vervangt") == 1  # Beringen's own, not Sint-Truiden's
    assert client.post(f"/beringen/team/rosters/{roster_id}/publish").status_code == 302
    with ctx(other.network.id):
        assert db.session.get(Roster, other.roster_id).status == RosterStatus.PUBLISHED
        assert db.session.execute(select(func.count(RosterRetirement.id))).scalar_one() == 0
    # and another network's roster stays out of reach of Beringen's pages
    assert client.get(f"/beringen/team/rosters/{other.roster_id}").status_code == 404


def test_a_wholly_replaced_roster_cannot_be_solved_again(client, team, ctx, run_jobs):
    _coordinator(client, team)
    roster_id = _make(client, run_jobs, "2027-03-01", "2027-03-07")
    client.post(f"/beringen/team/rosters/{roster_id}/publish")
    old = f"/beringen/team/rosters/{team.roster_id}"
    page = client.get(old).get_data(as_text=True)
    assert "Vervangen door nieuwere roosters" in page and "Opnieuw berekenen" not in page
    response = client.post(f"{old}/solve", follow_redirects=True)
    assert "maak in de plaats een nieuw rooster" in response.get_data(as_text=True)
    with ctx(team.network.id):
        assert db.session.get(Roster, team.roster_id).status == RosterStatus.RETIRED


@pytest.mark.parametrize(
    "first, last, message",
    [
        ("2027-03-14", "2027-03-01", "De laatste dag van het rooster valt vóór de eerste."),
        ("2027-03-01", "2027-05-24", "Een rooster beslaat hoogstens 12 weken."),  # 13 weeks
        ("2027-03-01", "2127-03-01", "Kies een datum tussen"),
        ("2027-03-01", "", "Dit veld is vereist."),
    ],
)
def test_a_bad_roster_period_is_refused_with_a_message_and_nothing_changes(
    client, team, ctx, first, last, message
):
    with ctx(team.network.id):
        before = db.session.execute(select(func.count(Roster.id))).scalar_one()
    _coordinator(client, team)
    response = client.post("/beringen/team/rosters", data={"starts_on": first, "ends_on": last})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with ctx(team.network.id):
        assert db.session.execute(select(func.count(Roster.id))).scalar_one() == before


def test_twelve_weeks_is_the_longest_roster(app, team):
    with app.test_request_context(), network_scope(team.network.id):
        roster = create_roster(date(2027, 3, 3), date(2027, 5, 23), None)
        assert (roster.starts_on, roster.last_day) == (date(2027, 3, 1), date(2027, 5, 23))
        db.session.rollback()


def test_the_page_the_email_and_the_feed_write_the_period_alike(client, team, ctx, run_jobs):
    _coordinator(client, team)
    roster_id = _make(client, run_jobs, "2027-03-01", "2027-03-14")
    client.post(f"/beringen/team/rosters/{roster_id}/publish")
    page = client.get(f"/beringen/team/rosters/{roster_id}").get_data(as_text=True)
    assert "Rooster 1–14 mrt 2027" in page
    assert "Rooster 1–14 mrt 2027" in client.get("/beringen/team/rosters").get_data(as_text=True)
    with ctx():
        mails = db.session.execute(select(OutboxMessage)).scalars().all()
        mail = next(m for m in mails if "rooster" in m.subject.lower())
        assert "1–14 mrt 2027" in mail.subject and "1–14 mrt 2027" in mail.body_text
        assert "15 maart" not in mail.body_text  # the day after the period is not its end
    with ctx(team.network.id):
        token = db.session.get(WorkerProfile, team.worker_id).feed_token
        name = db.session.get(Network, team.network.id).name
    # the worker's calendar is named in the worker's language, whatever the calendar app asks
    feed = client.get(f"/beringen/team/feed/{token}.ics", headers={"Accept-Language": "en"})
    assert f"X-WR-CALNAME:{name}: mijn rooster" in feed.get_data(as_text=True)


def test_a_solve_that_finds_nothing_says_so_and_does_not_stay_solving(
    client, team, ctx, run_jobs, monkeypatch
):
    monkeypatch.setattr(solver, "solve", lambda instance, **kw: solver.Result(status="unknown"))
    _coordinator(client, team)
    roster_id = _make(client, run_jobs, "2027-03-01", "2027-03-14")
    with ctx(team.network.id):
        roster = db.session.get(Roster, roster_id)
        assert (roster.status, roster.solver_status) == (RosterStatus.FAILED, "unknown")
    page = client.get(f"/beringen/team/rosters/{roster_id}").get_data(as_text=True)
    assert "geen rooster gevonden in de beschikbare tijd" in page
    assert "data-progress=" not in page

    def broken(instance, **kw):
        raise RuntimeError("the solver fell over")

    monkeypatch.setattr(roster_jobs.solver, "solve", broken)
    client.post(f"/beringen/team/rosters/{roster_id}/solve")
    run_jobs()
    with ctx(team.network.id):
        assert db.session.get(Roster, roster_id).status == RosterStatus.FAILED
    page = client.get(f"/beringen/team/rosters/{roster_id}").get_data(as_text=True)
    assert "Het berekenen stopte voor er een rooster was" in page
    assert "optimaal" not in page.lower()
