"""The team's pages, every form of them, walked through once: what each answers, the flash it
leaves, and the audit trail the walk writes (rows in order, with their details)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from saas.audit.models import AuditEvent
from saas.extensions import db
from saas.workforce.models import (
    Assignment,
    FixedContact,
    SchoolWish,
    StaffingNeed,
    TeamSlot,
    WorkerProfile,
)
from tenants.models import Invitation, Role
from tests import catalogue_factories as cf
from tests import factories as f
from tests.confirm_support import confirmed
from tests.world import build_network, next_monday

GREEN = "g" * 91
TEAM = "/beringen/team"


def _grid_form(grid: str, **extra) -> dict:
    data = {f"c-{d}-{h}": grid[d * 13 + h - 7] for d in range(7) for h in range(7, 20)}
    return {**data, **extra}


def _wish(**extra) -> dict:
    return {
        "tasks": ["reading_aloud"],
        "languages": ["nl"],
        "profile": "Iemand die graag voorleest",
        "neighbourhood": " Paal ",
        "weekdays": ["0"],
        "start_time": "12:00",
        "end_time": "13:00",
        "hours_per_week": "2",
        **extra,
    }


def _flashes(client) -> list[str]:
    """The categories of the messages the last answer left for the next page (and forget them)."""
    with client.session_transaction() as session:
        return [category for category, _message in session.pop("_flashes", [])]


@pytest.fixture
def cast(app):
    """Beringen's cast, a team member not yet in the planning and a Monday salon in March 2027."""
    cast = build_network(app, "beringen")
    cast.newcomer = f.user(
        app, "nieuw@beringen.example", (cast.network, Role.SE_WORKER), name="Nieuw"
    )
    cast.salon_id = cf.offer(app, cast.network, cast.partner_a, title="Oudersalon Paal").id
    return cast


def _trail_since(ctx, cast, first_id: int) -> list[tuple]:
    with ctx(cast.network.id):
        rows = db.session.execute(
            select(AuditEvent).where(AuditEvent.id > first_id).order_by(AuditEvent.id)
        ).scalars()
        return [(e.action, e.object_type, e.object_id, e.details) for e in rows]


def test_the_coordinator_walks_every_team_form_and_the_trail_tells_it(client, cast, ctx, run_jobs):
    with ctx(cast.network.id):
        before = db.session.execute(select(func.max(AuditEvent.id))).scalar_one() or 0
    f.login(client, cast.people[Role.SE_COORDINATOR])
    _flashes(client)

    # the team: an invitation
    assert client.get(f"{TEAM}/").status_code == 200
    assert client.post(f"{TEAM}/", data={"email": "x"}).status_code == 422
    assert client.post(f"{TEAM}/", data={"email": "nog@beringen.example"}).status_code == 302
    assert _flashes(client) == ["success"]

    # the workers: a team member joins the planning, once
    assert "Nieuw" in client.get(f"{TEAM}/workers").get_data(as_text=True)
    added = client.post(f"{TEAM}/workers", data={"user_id": cast.newcomer.id})
    assert added.status_code == 302
    new_id = int(added.headers["Location"].rsplit("/", 1)[1])
    for user_id in (cast.newcomer.id, cast.people[Role.SE_COORDINATOR].id, ""):
        assert client.post(f"{TEAM}/workers", data={"user_id": user_id}).status_code == 303
        assert _flashes(client) == ["danger"]

    # the profile
    profile = {
        "languages": ["nl", "tr"],
        "skills": ["reading_aloud", "cooking"],
        "trainings": ["tablets"],
        "contract_hours": "10",
        "home_area": " Paal ",
        "max_travel_km": "5",
        "active": "y",
    }
    assert client.get(f"{TEAM}/workers/{new_id}").status_code == 200
    bad = client.post(f"{TEAM}/workers/{new_id}", data={**profile, "contract_hours": "99"})
    assert bad.status_code == 422
    assert client.post(f"{TEAM}/workers/{new_id}", data=profile).status_code == 302
    assert _flashes(client) == ["success"]
    with ctx(cast.network.id):
        worker = db.session.get(WorkerProfile, new_id)
        assert (worker.languages, worker.skills, worker.trainings) == (
            "nl,tr",
            "reading_aloud,cooking",
            "tablets",
        )
        assert (worker.contract_minutes, worker.home_area, worker.max_travel_km) == (600, "Paal", 5)
        assert worker.active

    # the team's slot
    slot = {"label": " Intervisie ", "weekday": "4", "start_time": "09:00", "end_time": "10:00"}
    assert client.post(f"{TEAM}/team-slot", data=slot).status_code == 302
    assert _flashes(client) == ["success"]
    late = {**slot, "end_time": "08:00"}
    assert client.post(f"{TEAM}/team-slot", data=late).status_code == 303
    assert _flashes(client) == ["danger"]
    with ctx(cast.network.id):
        labels = db.session.execute(select(TeamSlot.label)).scalars().all()
        assert labels == ["Intervisie"]

    # a card
    starts = next_monday().isoformat()
    card = _grid_form(GREEN, valid_from=starts, reason="Nieuw in het team")
    assert client.get(f"{TEAM}/workers/{new_id}/card").status_code == 200
    assert client.post(f"{TEAM}/workers/{new_id}/card", data=card).status_code == 302
    assert _flashes(client) == ["success"]

    # the demand: saved, removed (once), saved again
    need = {"offer_id": cast.salon_id, "workers": "1", "skills": ["reading_aloud"]}
    assert client.post(f"{TEAM}/demand", data={**need, "workers": "0"}).status_code == 422
    assert client.post(f"{TEAM}/demand", data=need).status_code == 302
    assert _flashes(client) == ["success"]
    assert confirmed(client, f"{TEAM}/demand/{cast.salon_id}/remove").status_code == 302
    assert _flashes(client) == ["success"]
    assert client.post(f"{TEAM}/demand/{cast.salon_id}/remove").status_code == 404
    assert client.post(f"{TEAM}/demand", data=need).status_code == 302
    assert "Oudersalon Paal" in client.get(f"{TEAM}/demand").get_data(as_text=True)
    _flashes(client)

    # a school: its wish, a refused and a confirmed contact
    school = f"{TEAM}/schools/{cast.partner_b.id}"
    assert cast.partner_b.name in client.get(f"{TEAM}/schools").get_data(as_text=True)
    assert client.get(school).status_code == 200
    assert client.post(school, data=_wish(end_time="11:00")).status_code == 422
    assert client.post(school, data=_wish()).status_code == 302
    assert _flashes(client) == ["success"]
    assert client.post(school, data=_wish(hours_per_week="3")).status_code == 302
    _flashes(client)
    assert client.post(f"{school}/contact", data={"worker_id": 987654}).status_code == 303
    assert _flashes(client) == ["danger"]
    assert client.post(f"{school}/contact", data={"worker_id": new_id}).status_code == 302
    assert _flashes(client) == ["success"]
    assert "Nieuw" in client.get(school).get_data(as_text=True)
    with ctx(cast.network.id):
        wish = db.session.execute(select(SchoolWish)).scalar_one()
        assert (wish.neighbourhood, wish.hours_per_week, wish.weekdays) == ("Paal", 3, "0")
        assert db.session.execute(select(FixedContact.worker_id)).scalar_one() == new_id
    assert client.get(f"{TEAM}/salons").status_code == 200

    # a roster: made, solved again (not while solving), published, changed by hand
    assert (
        client.post(
            f"{TEAM}/rosters", data={"starts_on": "2027-03-01", "ends_on": "2027-06-01"}
        ).status_code
        == 422
    )
    made = client.post(f"{TEAM}/rosters", data={"starts_on": "2027-03-03", "ends_on": "2027-03-04"})
    assert made.status_code == 302
    assert _flashes(client) == ["info"]
    roster = made.headers["Location"]
    roster_id = int(roster.rsplit("/", 1)[1])
    assert client.post(f"{roster}/solve").status_code == 302
    assert _flashes(client) == ["info"]
    assert client.post(f"{roster}/publish").status_code == 303
    assert _flashes(client) == ["danger"]
    run_jobs()
    assert client.post(f"{roster}/solve").status_code == 302
    assert _flashes(client) == ["info"]
    run_jobs()
    assert client.get(roster).status_code == 200
    assert client.post(f"{roster}/publish").status_code == 302
    assert _flashes(client) == ["success"]
    with ctx(cast.network.id):
        (solved,) = db.session.execute(
            select(Assignment).where(Assignment.roster_id == roster_id)
        ).scalars()
        worker_id, session_id, solved_id = solved.worker_id, solved.session_id, solved.id
    assert client.post(f"{roster}/assign", data={}).status_code == 303
    assert _flashes(client) == ["danger"]
    pair = {"worker_id": worker_id, "session_id": session_id}
    assert client.post(f"{roster}/assign", data=pair).status_code == 303  # already on it
    assert _flashes(client) == ["danger"]
    assert client.post(f"{roster}/assignments/{solved_id}/remove").status_code == 302
    assert _flashes(client) == ["success"]
    assert client.post(f"{roster}/assignments/{solved_id}/remove").status_code == 404
    assert client.post(f"{roster}/assign", data=pair).status_code == 302
    assert _flashes(client) == ["success"]
    with ctx(cast.network.id):
        manual = db.session.execute(
            select(Assignment).where(Assignment.roster_id == roster_id)
        ).scalar_one()
        assert manual.locked and manual.manual
        manual_id = manual.id
    assert client.post(f"{roster}/assignments/{manual_id}/lock").status_code == 302
    with ctx(cast.network.id):
        assert not db.session.get(Assignment, manual_id).locked
    assert (
        client.get(f"{TEAM}/my-week").status_code == 404
    )  # the coordinator is not in the planning

    # the worker: their own profile only to read, their card, a new feed address
    worker_client = client.application.test_client()
    f.login(worker_client, cast.people[Role.SE_WORKER])
    assert worker_client.get(f"{TEAM}/workers/{cast.worker_id}").status_code == 200
    assert worker_client.post(f"{TEAM}/workers/{cast.worker_id}", data=profile).status_code == 403
    assert worker_client.get(f"{TEAM}/workers/{new_id}/card").status_code == 404
    assert (
        worker_client.get(f"{TEAM}/my-card")
        .headers["Location"]
        .endswith(f"/workers/{cast.worker_id}/card")
    )
    assert worker_client.get(f"{TEAM}/my-week").status_code == 200
    _flashes(worker_client)
    assert worker_client.post(f"{TEAM}/my-week").status_code == 302
    assert _flashes(worker_client) == ["success"]

    with ctx(cast.network.id):
        invitation = db.session.execute(
            select(Invitation.id).where(Invitation.email == "nog@beringen.example")
        ).scalar_one()
        assert db.session.execute(select(func.count()).select_from(StaffingNeed)).scalar_one() == 1
    assert _trail_since(ctx, cast, before) == [
        ("invitation.sent", "Invitation", invitation, {"role": "se_worker"}),
        ("workforce.worker_added", "WorkerProfile", new_id, {}),
        ("workforce.profile_changed", "WorkerProfile", new_id, {}),
        ("workforce.card_saved", "WorkerProfile", new_id, {"valid_from": starts}),
        ("workforce.contact_confirmed", "Partner", cast.partner_b.id, {"worker_id": new_id}),
        ("workforce.roster_created", "Roster", roster_id, {}),
        ("workforce.roster_solve", "Roster", roster_id, {}),
        # its week was the fixture's published roster's: publishing takes it over
        ("workforce.roster_taken_over", "Roster", cast.roster_id, {"by_roster_id": roster_id}),
        ("workforce.roster_published", "Roster", roster_id, {"workers": 1}),
        ("workforce.unassigned", "Roster", roster_id, {"session_id": session_id}),
        (
            "workforce.assigned",
            "Roster",
            roster_id,
            {"worker_id": worker_id, "session_id": session_id},
        ),
        ("workforce.feed_token_renewed", "WorkerProfile", cast.worker_id, {}),
    ]
