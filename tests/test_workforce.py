"""The workforce through HTTP: cards and their privacy, bad input, demand, matching schools,
rosters solved on the queue, locks, manual changes within the hard rules, publishing, my week
and its feed."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from rq.job import Job, JobStatus
from sqlalchemy import func, select, update

from saas.connections import redis_connection
from saas.extensions import db
from saas.models_base import utcnow
from saas.workforce import matching
from saas.workforce.cards import card_on, save_card
from saas.workforce.models import (
    Assignment,
    FixedContact,
    FlexibilityCard,
    Roster,
    RosterStatus,
    SchoolWish,
    StaffingNeed,
    WorkerProfile,
)
from saas.workforce.rosters import build_instance, create_roster, replaces
from tenants.context import network_scope
from tenants.models import Role
from tests import catalogue_factories as cf
from tests import factories as f
from tests.demo_world import seeded_twice
from tests.snapshots import built_once
from tests.world import build_network, next_monday
from workers import relays
from workers.roster_jobs import solve_roster_job

GREEN = "g" * 91
MONDAY = date(2027, 3, 1)  # the offers below repeat on Mondays in March 2027


def _grid_form(grid: str, **extra) -> dict:
    data = {f"c-{d}-{h}": grid[d * 13 + h - 7] for d in range(7) for h in range(7, 20)}
    return {**data, **extra}


@pytest.fixture
def team(app):
    """Beringen's cast plus a second worker, both green all week, and an offer needing one."""
    return _team(app)


@built_once
def _team(app):
    cast = build_network(app, "beringen")
    other = f.user(app, "tweede@beringen.example", (cast.network, Role.SE_WORKER), name="Tweede")
    salon = cf.offer(app, cast.network, cast.partner_a, title="Oudersalon Paal")
    with (
        app.test_request_context(),
        network_scope(cast.network.id),
    ):
        worker = db.session.get(WorkerProfile, cast.worker_id)
        second = WorkerProfile(user_id=other.id, skills="reading_aloud,cooking", languages="nl,tr")
        db.session.add(second)
        db.session.flush()
        save_card(second, GREEN, date(2020, 1, 6), "", None)
        db.session.add(StaffingNeed(offer_id=salon.id, workers=1))
        worker.contract_minutes = 19 * 60
        db.session.commit()
        cast.second_worker_id = second.id
    cast.other = other
    cast.salon_id = salon.id
    return cast


def _login(client, cast, role=Role.SE_COORDINATOR):
    f.login(client, cast.people[role])


def test_worker_sees_own_card_without_the_private_reason_and_not_a_colleagues(client, team):
    _login(client, team, Role.SE_WORKER)
    own = client.get(f"/beringen/team/workers/{team.worker_id}/card")
    assert own.status_code == 200
    assert "Mantelzorg voor moeder" not in own.get_data(as_text=True)
    assert client.get(f"/beringen/team/workers/{team.second_worker_id}/card").status_code == 404
    assert client.get(f"/beringen/team/workers/{team.second_worker_id}").status_code == 404
    assert (
        client.get("/beringen/team/my-card")
        .headers["Location"]
        .endswith(f"/workers/{team.worker_id}/card")
    )
    for url in ("/beringen/team/workers", "/beringen/team/rosters", "/beringen/team/demand"):
        assert client.get(url).status_code == 403


def test_coordinator_sees_the_private_reason(client, team):
    _login(client, team)
    page = client.get(f"/beringen/team/workers/{team.worker_id}/card").get_data(as_text=True)
    assert "Mantelzorg voor moeder in beringen" in page


def test_a_worker_saves_a_new_card_and_the_old_one_stays(client, team, ctx):
    _login(client, team, Role.SE_WORKER)
    grid = "r" * 13 + "g" * 78  # Monday red
    starts = next_monday()
    response = client.post(
        f"/beringen/team/workers/{team.worker_id}/card",
        data=_grid_form(grid, valid_from=starts.isoformat(), reason="Opleiding op maandag"),
    )
    assert response.status_code == 302
    with ctx(team.network.id):
        rows = (
            db.session.execute(
                select(FlexibilityCard).where(FlexibilityCard.worker_id == team.worker_id)
            )
            .scalars()
            .all()
        )
        assert len(rows) == 2
        worker = db.session.get(WorkerProfile, team.worker_id)
        assert card_on(worker, starts + timedelta(weeks=1)).grid == grid
        assert card_on(worker, starts - timedelta(weeks=1)).grid == GREEN


@pytest.mark.parametrize(
    "data, message",
    [
        (_grid_form("x" + GREEN[1:], valid_from=next_monday().isoformat()), "onbekende kleur"),
        ({"valid_from": next_monday().isoformat()}, "onbekende kleur"),
        (_grid_form(GREEN, valid_from="2020-01-06"), "verleden"),
        (_grid_form(GREEN, valid_from="2019-05-01"), "verleden"),
        (_grid_form(GREEN, valid_from="yesterday"), "datum"),
    ],
)
def test_a_bad_card_is_refused_with_a_message_and_nothing_changes(client, team, ctx, data, message):
    _login(client, team)
    response = client.post(f"/beringen/team/workers/{team.worker_id}/card", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True).lower()
    with ctx(team.network.id):
        count = db.session.execute(
            select(func.count())
            .select_from(FlexibilityCard)
            .where(FlexibilityCard.worker_id == team.worker_id)
        ).scalar_one()
        assert count == 1


def test_a_session_needing_more_workers_than_exist_is_refused(client, team, ctx):
    _login(client, team)
    response = client.post("/beringen/team/demand", data={"offer_id": team.offer_id, "workers": 5})
    assert response.status_code == 422
    assert "het team telt er 2" in response.get_data(as_text=True)
    with ctx(team.network.id):
        assert (
            db.session.execute(
                select(StaffingNeed).where(StaffingNeed.offer_id == team.offer_id)
            ).scalar_one_or_none()
            is None
        )
    ok = client.post("/beringen/team/demand", data={"offer_id": team.offer_id, "workers": 2})
    assert ok.status_code == 302


def test_matching_ranks_workers_for_a_school_with_reasons_and_confirms_a_contact(client, team, ctx):
    _login(client, team)
    response = client.post(
        f"/beringen/team/schools/{team.partner_b.id}",
        data={
            "tasks": ["reading_aloud", "cooking"],
            "languages": ["tr"],
            "neighbourhood": "Paal",
            "weekdays": ["0", "3"],
            "start_time": "12:00",
            "end_time": "13:00",
            "hours_per_week": "2",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/beringen/team/schools/{team.partner_b.id}").get_data(as_text=True)
    assert page.index("Tweede") < page.index(team.people[Role.SE_WORKER].name)
    assert "Cooking" in page or "Koken" in page
    response = client.post(
        f"/beringen/team/schools/{team.partner_b.id}/contact",
        data={"worker_id": team.second_worker_id},
    )
    assert response.status_code == 302
    with ctx(team.network.id):
        contact = db.session.execute(select(FixedContact)).scalar_one()
        assert contact.worker_id == team.second_worker_id
        assert db.session.execute(select(SchoolWish)).scalar_one().hours_per_week == 2


def test_matching_drops_a_worker_who_cannot_travel_so_far():
    near = matching.Candidate(1, frozenset(), frozenset(), "Paal", 5, None, 600)
    far = matching.Candidate(2, frozenset({"x"}), frozenset(), "Koersel", 2, None, 600)
    wish = matching.Wish(frozenset({"x"}), frozenset(), "Paal", (0,), 12, 13, 1)
    ranked = matching.suggest([far, near], wish)
    assert [s.worker_id for s in ranked] == [1, 2]
    assert ranked[1].excluded == "too_far"


def _make_roster(client, run_jobs, ctx, cast) -> int:
    response = client.post(
        "/beringen/team/rosters", data={"starts_on": "2027-03-01", "ends_on": "2027-03-14"}
    )
    assert response.status_code == 302
    with ctx(cast.network.id):
        roster = db.session.execute(select(Roster).order_by(Roster.id.desc())).scalars().first()
        assert roster.status == RosterStatus.SOLVING
        roster_id = roster.id
    page = client.get(f"/beringen/team/rosters/{roster_id}").get_data(as_text=True)
    assert "data-progress=" in page and "progress.js" in page  # the progress updates itself
    run_jobs()
    return roster_id


def test_coordinator_solves_locks_and_publishes_and_the_worker_sees_their_week(
    client, team, ctx, run_jobs
):
    _login(client, team)
    roster_id = _make_roster(client, run_jobs, ctx, team)
    with ctx(team.network.id):
        roster = db.session.get(Roster, roster_id)
        assert roster.status == RosterStatus.SOLVED
        assert roster.solver_status == "optimal"
        rows = (
            db.session.execute(select(Assignment).where(Assignment.roster_id == roster_id))
            .scalars()
            .all()
        )
        assert len(rows) == 2  # two Monday salons in the period, one worker each
        first = rows[0]
        first_worker = first.worker_id
    page = client.get(f"/beringen/team/rosters/{roster_id}").get_data(as_text=True)
    assert "Proved optimal" in page or "optimaal" in page
    # lock the first assignment, solve again: it stays
    client.post(f"/beringen/team/rosters/{roster_id}/assignments/{first.id}/lock")
    client.post(f"/beringen/team/rosters/{roster_id}/solve")
    run_jobs()
    with ctx(team.network.id):
        kept = db.session.get(Assignment, first.id)
        assert kept is not None and kept.locked
    # publish: the workers on it hear of it
    assert client.post(f"/beringen/team/rosters/{roster_id}/publish").status_code == 302
    with ctx(team.network.id):
        from saas.notifications.models import Notification

        notices = (
            db.session.execute(select(Notification).where(Notification.kind == "roster_published"))
            .scalars()
            .all()
        )
        current = db.session.execute(
            select(WorkerProfile.user_id)
            .join(Assignment, Assignment.worker_id == WorkerProfile.id)
            .where(Assignment.roster_id == roster_id)
        ).scalars()
        # ... and so does the worker whose session of that week on the fixture's published
        # roster this one took over
        assert {n.user_id for n in notices} == set(current) | {team.people[Role.SE_WORKER].id}
        owner = db.session.execute(
            select(WorkerProfile.user_id).where(WorkerProfile.id == first_worker)
        ).scalar_one()
    # the worker on the locked session sees it in their week
    person = team.people[Role.SE_WORKER] if owner == team.people[Role.SE_WORKER].id else team.other
    worker_client = client.application.test_client()
    f.login(worker_client, person)
    week = worker_client.get("/beringen/team/my-week?week=2027-03-01").get_data(as_text=True)
    assert "Oudersalon Paal" in week


def test_a_manual_change_that_breaks_a_hard_rule_is_refused(client, team, ctx, run_jobs):
    _login(client, team)
    roster_id = _make_roster(client, run_jobs, ctx, team)
    with ctx(team.network.id):
        taken = db.session.execute(
            select(Assignment.session_id, Assignment.worker_id).where(
                Assignment.roster_id == roster_id
            )
        ).all()
        session_id, on_it = taken[0]
        other = team.worker_id if on_it == team.second_worker_id else team.second_worker_id
        save_card(db.session.get(WorkerProfile, other), "r" * 91, date(2027, 1, 4), "", None)
        db.session.commit()
    response = client.post(
        f"/beringen/team/rosters/{roster_id}/assign",
        data={"worker_id": other, "session_id": session_id},
        follow_redirects=True,
    )
    assert "rode uren worden nooit ingepland" in response.get_data(as_text=True)
    with ctx(team.network.id):
        after = db.session.execute(
            select(Assignment.session_id, Assignment.worker_id).where(
                Assignment.roster_id == roster_id
            )
        ).all()
        assert sorted(after) == sorted(taken)


def test_a_lock_on_a_red_hour_is_refused(client, team, ctx, run_jobs):
    _login(client, team)
    roster_id = _make_roster(client, run_jobs, ctx, team)
    with ctx(team.network.id):
        a = (
            db.session.execute(select(Assignment).where(Assignment.roster_id == roster_id))
            .scalars()
            .first()
        )
        worker = db.session.get(WorkerProfile, a.worker_id)
        save_card(worker, "r" * 91, date(2027, 1, 4), "", None)
        db.session.commit()
        assignment_id = a.id
    response = client.post(
        f"/beringen/team/rosters/{roster_id}/assignments/{assignment_id}/lock",
        follow_redirects=True,
    )
    assert "kan niet vergrendeld worden" in response.get_data(as_text=True)
    with ctx(team.network.id):
        assert not db.session.get(Assignment, assignment_id).locked


def test_an_uncoverable_session_is_listed_with_its_reasons(client, team, ctx, run_jobs):
    with ctx(team.network.id):
        need = db.session.execute(select(StaffingNeed)).scalar_one()
        need.skills = "bike_trainer"
        db.session.commit()
    _login(client, team)
    roster_id = _make_roster(client, run_jobs, ctx, team)
    with ctx(team.network.id):
        roster = db.session.get(Roster, roster_id)
        assert roster.status == RosterStatus.SOLVED
        assert len(roster.uncovered) == 2
        assert roster.uncovered[0]["reasons"] == {"skills": 2}
    page = client.get(f"/beringen/team/rosters/{roster_id}").get_data(as_text=True)
    assert "lacking a required skill" in page or "vaardigheid" in page


def test_the_feed_shows_only_the_workers_own_published_sessions(app, client, team, ctx):
    with ctx(team.network.id):
        worker = db.session.get(WorkerProfile, team.worker_id)
        token = worker.feed_token
    response = client.get(f"/beringen/team/feed/{token}.ics")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "BEGIN:VTIMEZONE" in body and "Voorleesuurtje beringen" in body
    assert "X-WR-CALNAME:" in body and ": mijn rooster" in body
    assert "@beringen.example" not in body and "Mantelzorg" not in body
    assert client.get("/beringen/team/feed/not-a-token.ics").status_code == 404
    other = build_network(app, "sint-truiden")
    assert client.get(f"/sint-truiden/team/feed/{token}.ics").status_code == 404
    assert client.get(f"/beringen/team/feed/{other.feed_token}.ics").status_code == 404
    # the worker makes a new address: the old one stops working
    _login(client, team, Role.SE_WORKER)
    assert client.post("/beringen/team/my-week").status_code == 302
    assert client.get(f"/beringen/team/feed/{token}.ics").status_code == 404


def test_team_slot_keeps_the_intervisie_free(client, team, ctx, run_jobs):
    _login(client, team)
    response = client.post(
        "/beringen/team/team-slot",
        data={"label": "Intervisie", "weekday": "0", "start_time": "09:00", "end_time": "10:00"},
    )
    assert response.status_code == 302
    roster_id = _make_roster(client, run_jobs, ctx, team)
    with ctx(team.network.id):
        roster = db.session.get(Roster, roster_id)
        assert (
            db.session.execute(
                select(func.count())
                .select_from(Assignment)
                .where(Assignment.roster_id == roster_id)
            ).scalar_one()
            == 0
        )
        assert roster.uncovered[0]["reasons"] == {"team_slot": 2}


@pytest.mark.demo_world
def test_demo_workforce_seeds_both_networks(app):
    from tenants.context import all_networks

    seeded_twice(app)
    with app.app_context():
        with all_networks():
            rosters = db.session.execute(select(Roster)).scalars().all()
            assert len({r.network_id for r in rosters}) == 2 and len(rosters) == 6
            assert sorted(r.status.value for r in rosters) == ["published"] * 4 + ["solved"] * 2
            drafts = [(r.network_id, r.id) for r in rosters if r.status == RosterStatus.SOLVED]
        for network_id, draft_id in drafts:  # each replaces the last two weeks of the current one
            with network_scope(network_id):
                draft = db.session.get(Roster, draft_id)
                (replaced,) = replaces(draft)
                assert replaced.first_day == draft.starts_on
                assert replaced.last_day == replaced.roster.last_day
                assert (replaced.last_day - replaced.first_day).days == 13
        with all_networks():
            assert (
                db.session.execute(select(func.count()).select_from(Assignment)).scalar_one() > 20
            )
            # each network: a coming card the coordinator saved and corrected, and the worker's
            # two notices of it
            from saas.notifications.models import Notification

            coming = db.session.execute(
                select(FlexibilityCard.network_id, FlexibilityCard.worker_id).where(
                    FlexibilityCard.valid_from > date.today()
                )
            ).all()
            assert len({network for network, _w in coming}) == 2
            told = db.session.execute(
                select(Notification.network_id, Notification.subject).where(
                    Notification.kind == "card_changed"
                )
            ).all()
            # (the worker who changed her own card from next week on is not told of it)
            assert sorted(network for network, _s in told) == sorted(
                network for network in {n for n, _w in coming} for _ in (1, 2)
            )
            assert all("flexibiliteitskaart" in subject for _n, subject in told)
        for network_id in {n for n, _d in drafts}:
            _demo_grids_show_orange_and_gaps(network_id)


def _demo_grids_show_orange_and_gaps(network_id: int) -> None:
    """The demo asks two workers where the team has one who can (a bike lesson in Beringen, the
    drawing academy in Sint-Truiden) and puts an after-school dance atelier in Sofie's orange
    hours: the rosters' week grids show an orange hour and an uncovered session in both
    networks (when those activities run in the rosters' weeks: not in a school holiday)."""
    from saas.workforce.grid import roster_week, roster_weeks
    from saas.workforce.rosters import roster_sessions

    with network_scope(network_id):
        rosters = db.session.execute(select(Roster)).scalars().all()
        short_handed = [  # sessions of a bike lesson, dance atelier or drawing academy
            s
            for r in rosters
            for s, need in roster_sessions(r)
            if need.workers == 2 and need.skills in ("bike_trainer", "sport_dance", "crafts")
        ]
        grids = [roster_week(r, week) for r in rosters for week in roster_weeks(r)]
        if short_handed:
            assert sum(g.uncovered for g in grids) > 0
            assert sum(g.orange for g in grids) > 0


def test_a_new_roster_starts_from_the_last_published_one(client, team, ctx, run_jobs):
    """Continuity: the solver is hinted with last period's worker on the same weekly session."""
    _login(client, team)
    client.post("/beringen/team/rosters", data={"starts_on": "2027-03-01", "ends_on": "2027-03-07"})
    run_jobs()
    with ctx(team.network.id):
        first = db.session.execute(select(Roster).order_by(Roster.id.desc())).scalars().first()
        before = db.session.execute(
            select(Assignment.worker_id).where(Assignment.roster_id == first.id)
        ).scalar_one()
    client.post(f"/beringen/team/rosters/{first.id}/publish")
    with client.application.test_request_context(), network_scope(team.network.id):
        roster = create_roster(date(2027, 3, 8), date(2027, 3, 14), None)
        built = build_instance(roster)
        (shift,) = built.instance.shifts
        assert built.instance.hint == frozenset({(before, shift.id)})
        db.session.rollback()


# ---- a solve starts only after the request committed (workers.relays) ----


def _roster_id(response) -> int:
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_a_quick_worker_finds_the_roster_the_request_just_made(app, client, team, ctx, monkeypatch):
    """The solve job is handed to RQ after the request commits: a worker that picks it up at
    once (here: at the very moment of enqueueing, in a thread of its own with its own database
    connection) finds the roster and solves it, instead of finding nothing and leaving the
    roster "solving" for ever."""
    seen = []

    def quick_worker(network_id, roster_id, **options):
        def work():
            with app.app_context():
                seen.append(solve_roster_job(network_id, roster_id))

        thread = threading.Thread(target=work)
        thread.start()
        thread.join(timeout=60)

    monkeypatch.setattr(solve_roster_job, "enqueue", quick_worker)
    _login(client, team)
    response = client.post(
        "/beringen/team/rosters", data={"starts_on": "2027-03-01", "ends_on": "2027-03-14"}
    )
    assert response.status_code == 302
    assert seen == ["optimal"]
    with ctx(team.network.id):
        assert db.session.get(Roster, _roster_id(response)).status == RosterStatus.SOLVED
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "data-progress=" not in page


def test_a_solve_redis_could_not_take_is_handed_over_by_the_sweep(
    app, client, team, ctx, run_jobs, monkeypatch
):
    def redis_down(*args, **options):
        raise RedisConnectionError("redis is down")

    monkeypatch.setattr(solve_roster_job, "enqueue", redis_down)
    _login(client, team)
    response = client.post(
        "/beringen/team/rosters", data={"starts_on": "2027-03-01", "ends_on": "2027-03-14"}
    )
    assert response.status_code == 302
    monkeypatch.undo()
    roster_id = _roster_id(response)
    with ctx():
        assert relays.sweep()["rosters"] == 0  # too early: the relay may still be handing it
    with ctx(team.network.id):
        db.session.execute(
            update(Roster)
            .where(Roster.id == roster_id)
            .values(solve_requested_at=utcnow() - timedelta(minutes=2))
        )
        db.session.commit()
    with ctx():
        assert relays.sweep()["rosters"] == 1
    run_jobs()
    with ctx(team.network.id):
        assert db.session.get(Roster, roster_id).status == RosterStatus.SOLVED


def test_a_solve_whose_job_failed_for_good_lets_the_coordinator_solve_again(
    app, client, team, ctx, monkeypatch
):
    monkeypatch.setattr(solve_roster_job, "enqueue", lambda *a, **o: None)  # handed, never run
    _login(client, team)
    response = client.post(
        "/beringen/team/rosters", data={"starts_on": "2027-03-01", "ends_on": "2027-03-14"}
    )
    monkeypatch.undo()
    roster_id = _roster_id(response)
    with ctx(team.network.id):
        roster = db.session.get(Roster, roster_id)
        roster.solve_requested_at = utcnow() - timedelta(minutes=2)
        job_id = roster.job_id
        db.session.commit()
    with ctx():
        dead = Job.create(lambda: None, id=job_id, connection=redis_connection())
        dead.set_status(JobStatus.FAILED)  # e.g. its worker was killed: RQ gave up on it
        dead.save()
        assert relays.sweep()["rosters"] == 0
    with ctx(team.network.id):
        assert db.session.get(Roster, roster_id).status == RosterStatus.FAILED
    page = client.get("/beringen/team/rosters").get_data(as_text=True)
    assert "data-progress=" not in page
