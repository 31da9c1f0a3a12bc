"""The roster reads at a glance (#19 item 10): a week grid of workers by days, each session a
block, orange hours and uncovered sessions marked in words, drawn on the server for the
coordinator's roster and for a worker's own week; a replacement roster's days shown once; a
week in the address that is not a week answers a message, never a 500."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from saas.catalogue.models import ActivitySession, SessionStatus
from saas.extensions import db
from saas.workforce.grid import roster_week, roster_weeks, week_key, worker_week
from saas.workforce.models import Assignment, Roster, RosterStatus, StaffingNeed, WorkerProfile
from saas.workforce.rosters import create_roster, publish
from tenants.models import Role
from tests import factories as f
from tests import test_workforce
from tests.world import build_world

team = test_workforce.team  # Beringen's cast, two green workers, a salon on Mondays in March 2027
MONDAY = date(2027, 3, 1)
SALON = "Oudersalon Paal"


def _session_on(day: date) -> ActivitySession:
    return next(
        s
        for s in db.session.execute(select(ActivitySession)).scalars()
        if s.offer.title == SALON and s.starts_at.date() == day
    )


def _roster(first: date, last: date, status=RosterStatus.SOLVED) -> Roster:
    roster = create_roster(first, last, None)
    roster.status = status
    db.session.flush()
    return roster


def _assign(roster: Roster, worker_id: int, day: date, *, orange=False) -> Assignment:
    assignment = Assignment(
        roster_id=roster.id,
        session_id=_session_on(day).id,
        worker_id=worker_id,
        orange=orange,
        minutes=120,
    )
    db.session.add(assignment)
    db.session.flush()
    return assignment


def _need(workers: int) -> None:
    db.session.execute(update(StaffingNeed).values(workers=workers))


def _names(grid) -> dict[str, list[list[str]]]:
    """Each row's worker with the titles in each of its day cells."""
    return {r.worker.name: [[b.title for b in cell] for cell in r.cells] for r in grid.rows}


def test_the_grid_puts_each_session_in_its_workers_row_on_its_day(app, team, ctx):
    with app.test_request_context(), ctx(team.network.id):
        roster = _roster(MONDAY, MONDAY + timedelta(days=13))
        _assign(roster, team.second_worker_id, MONDAY)
        _assign(roster, team.worker_id, MONDAY + timedelta(weeks=1))
        grid = roster_week(roster, MONDAY + timedelta(days=2))  # any day of the week

        assert grid.monday == MONDAY and grid.iso == "2027-W09"
        assert [d.day.weekday() for d in grid.days] == [0, 1, 2, 3, 4]  # no weekend session
        rows = _names(grid)
        assert rows["Tweede"] == [[SALON], [], [], [], []]
        worker = db.session.get(WorkerProfile, team.worker_id).name
        assert rows[worker] == [[], [], [], [], []]  # their salon is next week's
        assert grid.rows[[r.worker.name for r in grid.rows].index("Tweede")].minutes == 120
        assert grid.uncovered == 0 and grid.orange == 0
        assert grid.previous is None and grid.next == MONDAY + timedelta(weeks=1)
        assert roster_weeks(roster) == [MONDAY, MONDAY + timedelta(weeks=1)]
        second = roster_week(roster, MONDAY + timedelta(weeks=1))
        assert _names(second)[worker][0] == [SALON]
        assert second.previous == MONDAY and second.next is None


def test_orange_hours_and_missing_workers_are_marked(app, team, ctx):
    with app.test_request_context(), ctx(team.network.id):
        _need(2)
        roster = _roster(MONDAY, MONDAY + timedelta(days=6))
        _assign(roster, team.worker_id, MONDAY, orange=True)
        grid = roster_week(roster, MONDAY)

        (block,) = next(r for r in grid.rows if r.worker.id == team.worker_id).cells[0]
        assert block.orange and block.need == 2 and block.missing == 1
        assert next(r for r in grid.rows if r.worker.id == team.worker_id).orange_minutes == 120
        assert [[b.title for b in cell] for cell in grid.open] == [[SALON], [], [], [], []]
        assert grid.uncovered == 1 and grid.orange == 1
        (day_session,) = grid.sessions[0]
        assert day_session.block.missing == 1
        assert [(p.name, p.orange) for p in day_session.staff] == [
            (db.session.get(WorkerProfile, team.worker_id).name, True)
        ]


def test_a_replaced_week_shows_each_session_once(app, team, ctx):
    """Roster A (two weeks) is published; roster B takes over its second week. A's grid marks
    that week's days as taken over and leaves them empty; B's grid holds them; the worker's own
    week shows the Monday salon once, from B."""
    second_monday = MONDAY + timedelta(weeks=1)
    with app.test_request_context(), ctx(team.network.id):
        a = _roster(MONDAY, MONDAY + timedelta(days=13), RosterStatus.PUBLISHED)
        a.published_at = a.created_at
        _assign(a, team.worker_id, MONDAY)
        _assign(a, team.worker_id, second_monday)
        b = _roster(second_monday, second_monday + timedelta(days=6))
        _assign(b, team.worker_id, second_monday)
        # before B is published, A still holds the week and the worker sees A's salon
        assert not any(d.taken_over for d in roster_week(a, second_monday).days)
        publish(b)
        db.session.flush()

        old = roster_week(a, second_monday)
        assert all(d.taken_over for d in old.days)
        assert not any(cell for r in old.rows for cell in r.cells) and old.empty
        assert not any(d.taken_over for d in roster_week(a, MONDAY).days)
        new = roster_week(b, second_monday)
        mine = next(r for r in new.rows if r.worker.id == team.worker_id)
        assert [[b.title for b in cell] for cell in mine.cells] == [[SALON], [], [], [], []]
        worker = db.session.get(WorkerProfile, team.worker_id)
        own = worker_week(worker, second_monday)
        assert [len(cell) for cell in own.rows[0].cells] == [1, 0, 0, 0, 0]
        assert [len(day) for day in own.sessions] == [1, 0, 0, 0, 0]


def test_a_workers_week_counts_published_rosters_only_and_shows_weekend_days_in_use(app, team, ctx):
    with app.test_request_context(), ctx(team.network.id):
        draft = _roster(MONDAY, MONDAY + timedelta(days=6))
        _assign(draft, team.second_worker_id, MONDAY)
        worker = db.session.get(WorkerProfile, team.second_worker_id)
        assert worker_week(worker, MONDAY).empty  # a draft counts for nobody

        draft.status, draft.published_at = RosterStatus.PUBLISHED, draft.created_at
        session = _session_on(MONDAY)
        sunday = MONDAY + timedelta(days=6)
        session.starts_at += timedelta(days=6)  # the salon moved to Sunday, cancelled after all
        session.ends_at += timedelta(days=6)
        session.status = SessionStatus.CANCELLED
        db.session.flush()
        grid = worker_week(worker, MONDAY)
        assert [d.day for d in grid.days][-1] == sunday and len(grid.days) == 6
        (block,) = grid.rows[0].cells[-1]
        assert block.cancelled and grid.rows[0].minutes == 0  # cancelled hours do not count
        assert grid.previous == MONDAY - timedelta(weeks=1)


def test_week_keys_read_back_as_the_same_monday():
    for day in (date(2026, 12, 28), date(2027, 1, 4), date(2027, 3, 1)):
        assert date.fromisoformat(week_key(day + timedelta(days=3))) == day


# --- the pages ------------------------------------------------------------------------------


def _published_roster_with_a_gap(app, team, ctx) -> int:
    """A published week: the worker on the salon in orange hours, a second place still open."""
    with app.test_request_context(), ctx(team.network.id):
        _need(2)
        roster = _roster(MONDAY, MONDAY + timedelta(days=13), RosterStatus.PUBLISHED)
        roster.published_at = roster.created_at
        _assign(roster, team.worker_id, MONDAY, orange=True)
        db.session.commit()
        return roster.id


def test_the_coordinator_reads_the_week_grid_on_the_roster_page(app, client, team, ctx):
    roster_id = _published_roster_with_a_gap(app, team, ctx)
    f.login(client, team.people[Role.SE_COORDINATOR])
    page = client.get(f"/beringen/team/rosters/{roster_id}?week=2027-W09")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'class="table table-bordered table-sm dorp-week-grid"' in html
    assert "Week 9" in html and "maandag" in html  # day names in the page's language
    assert "oranje uur" in html  # the orange hour in words, not colour alone
    assert "Niet bezet: 1 van 2 medewerkers ontbreekt" in html
    assert 'aria-current="page" class="fw-bold">Week 9<' in html
    # the next week by its link; a date of it is the same week
    html = client.get(f"/beringen/team/rosters/{roster_id}?week=2027-03-10").get_data(as_text=True)
    assert 'aria-current="page" class="fw-bold">Week 10<' in html


def test_the_roster_page_reads_its_sessions_assignments_and_team_once(app, client, team, ctx):
    """The week grid works from the page's coverage: one read each of the period's sessions,
    their assignments, the active team and the days newer rosters took over (the sessions were
    read twice before, the team twice and the taken-over days three times)."""
    roster_id = _published_roster_with_a_gap(app, team, ctx)
    f.login(client, team.people[Role.SE_COORDINATOR])
    with f.counting(app) as statements:
        assert client.get(f"/beringen/team/rosters/{roster_id}?week=2027-W09").status_code == 200
    froms = [" ".join(s.split()).split(" FROM ", 1)[-1] for s in statements]
    for table in (
        "sessions JOIN staffing_needs",
        "roster_assignments",
        "worker_profiles WHERE worker_profiles.active",
        "roster_retirements",
    ):
        reads = [s for s in froms if s.startswith(table)]
        assert len(reads) == 1, (table, reads)


@pytest.mark.parametrize("week", ["2027-W60", "volgende", "1999-W01", "9999-W52", "2027-02-22"])
def test_a_week_that_is_not_one_or_not_the_rosters_answers_a_message(app, client, team, ctx, week):
    roster_id = _published_roster_with_a_gap(app, team, ctx)
    f.login(client, team.people[Role.SE_COORDINATOR])
    page = client.get(f"/beringen/team/rosters/{roster_id}", query_string={"week": week})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'role="alert"' in html  # a warning that says why
    assert 'aria-current="page" class="fw-bold">Week 9<' in html  # and the roster's first week


def test_the_worker_reads_their_own_week_grid(app, client, team, ctx):
    _published_roster_with_a_gap(app, team, ctx)
    f.login(client, team.people[Role.SE_WORKER])
    html = client.get("/beringen/team/my-week?week=2027-W09").get_data(as_text=True)
    assert "dorp-week-grid" in html and SALON in html and "oranje uur" in html
    assert "Niet bezet" not in html  # a worker's week is theirs, not the team's gaps
    assert "?week=2027-W08" in html and "?week=2027-W10" in html
    bad = client.get("/beringen/team/my-week?week=2027-W99")
    assert bad.status_code == 200 and 'role="alert"' in bad.get_data(as_text=True)


def test_another_networks_roster_week_answers_404(app):
    beringen, sint_truiden = build_world(app)
    client = app.test_client()
    f.login(client, beringen.people[Role.SE_COORDINATOR])
    response = client.get(f"/beringen/team/rosters/{sint_truiden.roster_id}?week=2027-W09")
    assert response.status_code == 404
    response = client.get(f"/sint-truiden/team/rosters/{sint_truiden.roster_id}?week=2027-W09")
    assert response.status_code == 404


def test_the_old_rosters_page_says_a_newer_roster_took_its_week(app, client, team, ctx):
    second_monday = MONDAY + timedelta(weeks=1)
    with app.test_request_context(), ctx(team.network.id):
        a = _roster(MONDAY, MONDAY + timedelta(days=13), RosterStatus.PUBLISHED)
        a.published_at = a.created_at
        _assign(a, team.worker_id, second_monday)
        b = _roster(second_monday, second_monday + timedelta(days=6))
        _assign(b, team.second_worker_id, second_monday)
        publish(b)
        db.session.commit()
        a_id, b_id = a.id, b.id
    f.login(client, team.people[Role.SE_COORDINATOR])
    old = client.get(f"/beringen/team/rosters/{a_id}?week=2027-W10").get_data(as_text=True)
    assert "Een nieuwer rooster heeft de dagen van deze week overgenomen" in old
    assert "dorp-week-grid" not in old  # nothing drawn twice
    new = client.get(f"/beringen/team/rosters/{b_id}?week=2027-W10").get_data(as_text=True)
    assert "dorp-week-grid" in new and "Tweede" in new
