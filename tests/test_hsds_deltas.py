"""Open data deltas that miss nothing: every HSDS object's `last_modified` moves whenever anything
it shows changes, `modified_after` means "on or after", and a reader that only asks for what
changed since its last fetch ends with exactly what a full fetch gives."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from saas.api.hsds import hsds_id
from saas.extensions import db
from tenants.context import network_scope
from tests import catalogue_factories as cf
from tests import factories as f
from tests.world import build_world

LISTS = ("services", "organizations", "locations", "service_at_locations", "taxonomy_terms")


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def fetch_all(client, name: str, **query) -> list[dict]:
    items, page = [], 1
    while True:
        response = client.get(
            f"/beringen/hsds/{name}", query_string={**query, "page": page, "per_page": 100}
        )
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        body = response.get_json()
        items += body["contents"]
        if body["last_page"]:
            return items
        page += 1


def full(client) -> dict[str, dict[str, dict]]:
    return {name: {i["id"]: i for i in fetch_all(client, name)} for name in LISTS}


def delta(client, since: datetime) -> dict[str, list[dict]]:
    return {name: fetch_all(client, name, modified_after=_iso(since)) for name in LISTS}


@pytest.fixture
def world(app):
    beringen, _st = build_world(app)
    second = cf.place(app, beringen.network, name="Bibliotheek Beringen", neighbourhood="Centrum")
    cf.offer(
        app,
        beringen.network,
        beringen.partner_a,
        title="Thematisch oudersalon",
        rrule="FREQ=MONTHLY;BYDAY=1TU;UNTIL=20270630",
        start=date(2027, 3, 2),
        themes=["slapen"],
        skip_closures=True,
        location=f.Ref(id=beringen.location_id),
    )
    beringen.second_place = second.id
    return beringen


def _do(app, beringen, action):
    """Run `action(models)` as the steward would, in the network, and commit."""
    from saas.catalogue import models as cm
    from saas.partners import models as pm

    with app.test_request_context(), network_scope(beringen.network.id):
        action(cm, pm)
        db.session.commit()


def _salon(cm):
    return db.session.execute(
        select(cm.Offer).where(cm.Offer.title == "Thematisch oudersalon")
    ).scalar_one()


# --- one story per kind of change ----------------------------------------------------------------


def test_services_carry_last_modified_and_modified_after_is_on_or_after(client, world):
    services = fetch_all(client, "services")
    assert all(s["last_modified"] for s in services)
    newest = max(services, key=lambda s: s["last_modified"])
    again = fetch_all(client, "services", modified_after=newest["last_modified"])
    assert newest["id"] in {s["id"] for s in again}  # the very moment counts
    later = datetime.fromisoformat(newest["last_modified"]) + timedelta(microseconds=1)
    assert newest["id"] not in {
        s["id"] for s in fetch_all(client, "services", modified_after=_iso(later))
    }
    for name in (*LISTS, "taxonomies"):
        assert all(item["last_modified"] for item in fetch_all(client, name)), name


@pytest.mark.parametrize(
    "change",
    ["profile", "suspend_and_reactivate"],
)
def test_an_organisation_edited_or_reactivated_is_in_the_delta(app, client, world, change):
    from saas.partners import services as partners

    since = _now()

    def act(cm, pm):
        partner = db.session.get(pm.Partner, world.partner_a.id)
        if change == "profile":
            partners.update_profile(
                partner,
                {
                    "description": "Nieuwe beschrijving",
                    "address": partner.address,
                    "phone": partner.phone,
                    "website": partner.website,
                    "languages": partner.languages,
                },
            )
        else:
            partners.suspend(partner)
            db.session.flush()
            partners.reactivate(partner)

    _do(app, world, act)
    changed = delta(client, since)
    org = hsds_id(world.network, "organization", world.partner_a.id)
    assert org in {o["id"] for o in changed["organizations"]}
    if change == "suspend_and_reactivate":  # its services are back, so they are news too
        assert {s["name"] for s in changed["services"]} == {"Thematisch oudersalon"}


@pytest.mark.parametrize("change", ["cancel", "closure", "unhide", "rename_place"])
def test_a_service_whose_shown_schedule_or_state_changed_is_in_the_delta(
    app, client, world, change
):
    from saas.catalogue import places
    from saas.catalogue import services as catalogue
    from saas.catalogue.models import ClosureKind

    if change == "unhide":
        _do(app, world, lambda cm, pm: catalogue.hide(_salon(cm), "Nakijken"))
    before = {s["name"]: s for s in fetch_all(client, "services")}
    since = _now()

    def act(cm, pm):
        salon = _salon(cm)
        if change == "cancel":
            session = (
                db.session.execute(
                    select(cm.ActivitySession)
                    .where(cm.ActivitySession.offer_id == salon.id)
                    .order_by(cm.ActivitySession.starts_at)
                )
                .scalars()
                .first()
            )
            catalogue.cancel_session(session, "Spreker ziek")
        elif change == "closure":
            places.add_closure(
                kind=ClosureKind.CLOSURE,
                label="Verhuis",
                starts_on=date(2027, 4, 5),
                ends_on=date(2027, 4, 9),
            )
        elif change == "unhide":
            catalogue.unhide(salon)
        else:
            db.session.get(cm.Location, world.location_id).name = "OC De Kolonie"

    _do(app, world, act)
    changed = {s["name"]: s for s in delta(client, since)["services"]}
    assert "Thematisch oudersalon" in changed, change
    salon = changed["Thematisch oudersalon"]
    if change == "cancel":
        assert "cancelled: 2027-03-02" in salon["schedules"][0]["description"]
    if change == "closure":  # the first Tuesday of April falls in the closure
        assert "2027-04-06" in " ".join(s["description"] for s in salon["schedules"])
        assert salon["schedules"] != before["Thematisch oudersalon"]["schedules"]
    if change == "rename_place":
        assert "OC De Kolonie" in salon["service_at_locations"][0]["description"]
        assert {p["name"] for p in delta(client, since)["locations"]} >= {"OC De Kolonie"}


def test_a_delta_holds_the_place_its_services_moved_to(app, client, world):
    since = _now()
    _do(app, world, lambda cm, pm: setattr(_salon(cm), "location_id", world.second_place))
    changed = delta(client, since)
    salon = next(s for s in changed["services"] if s["name"] == "Thematisch oudersalon")
    place_id = salon["service_at_locations"][0]["location_id"]
    assert place_id in {p["id"] for p in changed["locations"]}
    assert place_id in {s["location_id"] for s in changed["service_at_locations"]}


# --- the incremental reader --------------------------------------------------------------------

ACTIONS = st.sampled_from(
    [
        "edit_title",
        "hide",
        "unhide",
        "unpublish",
        "publish",
        "cancel_session",
        "restore_session",
        "add_closure",
        "delete_closure",
        "suspend_partner",
        "reactivate_partner",
        "partner_profile",
        "rename_place",
        "move_offer",
        "change_themes",
    ]
)


def _act(app, beringen, name: str, n: int) -> None:
    from saas.catalogue import places
    from saas.catalogue import services as catalogue
    from saas.catalogue.models import ClosureKind
    from saas.partners import services as partners

    def act(cm, pm):
        offers = list(db.session.execute(select(cm.Offer).order_by(cm.Offer.id)).scalars())
        offer = offers[n % len(offers)]
        partner = db.session.get(pm.Partner, [beringen.partner_a.id, beringen.partner_b.id][n % 2])
        if name == "edit_title":
            offer.title = f"{offer.title.split(' #')[0]} #{n}"
        elif name == "hide":
            catalogue.hide(offer, "Nakijken")
        elif name == "unhide":
            catalogue.unhide(offer)
        elif name == "unpublish":
            catalogue.unpublish(offer)
        elif name == "publish":
            catalogue.publish(offer)
        elif name in {"cancel_session", "restore_session"}:
            sessions = list(
                db.session.execute(
                    select(cm.ActivitySession).where(cm.ActivitySession.offer_id == offer.id)
                ).scalars()
            )
            if sessions:
                session = sessions[n % len(sessions)]
                if name == "cancel_session":
                    catalogue.cancel_session(session, "Ziekte")
                else:
                    catalogue.restore_session(session)
        elif name == "add_closure":
            day = date(2027, 3, 1) + timedelta(days=7 * (n % 16))
            places.add_closure(
                kind=ClosureKind.CLOSURE, label=f"Dicht {n}", starts_on=day, ends_on=day
            )
        elif name == "delete_closure":
            closures = places.closures()
            if closures:
                places.delete_closure(closures[n % len(closures)])
        elif name == "suspend_partner":
            partners.suspend(partner)
        elif name == "reactivate_partner":
            if partner.suspended_at is not None:
                partners.reactivate(partner)
        elif name == "partner_profile":
            partner.description = f"Beschrijving {n}"
        elif name == "rename_place":
            place = db.session.get(cm.Location, beringen.location_id)
            place.name = f"Ontmoetingscentrum {n}"
        elif name == "move_offer":
            offer.location_id = [beringen.location_id, beringen.second_place][n % 2]
        elif name == "change_themes":
            offer.themes = ["slapen,voeding", "voeding", ""][n % 3]

    _do(app, beringen, act)


class Reader:
    """An HSDS reader: one full fetch, then only what changed on or after its last fetch. HSDS
    3.0 has no tombstones, so it learns removals as the profile's README says: the ids of the
    services now served (`minimal`) and of the organizations; a place or theme no service it
    holds points at is dropped."""

    def __init__(self, client):
        self.client = client
        self.since = _now()
        self.held = full(client)

    def update(self) -> None:
        since, self.since = self.since, _now()
        changed = delta(self.client, since)
        for name, items in changed.items():
            for item in items:
                self.held[name][item["id"]] = item
        self._check_references(changed)
        served = {s["id"] for s in fetch_all(self.client, "services", minimal="true")}
        self._keep("services", served)
        self._keep(
            "service_at_locations",
            {
                sal["id"]
                for s in self.held["services"].values()
                for sal in s["service_at_locations"]
            },
        )
        self._keep("organizations", {o["id"] for o in fetch_all(self.client, "organizations")})
        used_places = {sal["location_id"] for sal in self.held["service_at_locations"].values()}
        self._keep("locations", used_places)
        used_terms = {
            a["taxonomy_term_id"] for s in self.held["services"].values() for a in s["attributes"]
        }
        self.held["taxonomy_terms"] = {
            key: term
            for key, term in self.held["taxonomy_terms"].items()
            if not term["code"].startswith("theme:") or key in used_terms
        }

    def _keep(self, name: str, ids: set[str]) -> None:
        self.held[name] = {key: item for key, item in self.held[name].items() if key in ids}

    def _check_references(self, changed: dict[str, list[dict]]) -> None:
        """A delta never points at an object it does not hold or the reader cannot fetch."""
        places = {p["id"] for p in changed["locations"]}
        for service in changed["services"]:
            for sal in service["service_at_locations"]:
                assert sal["location_id"] in places, "a delta's service points at a missing place"
            org = self.client.get(f"/beringen/hsds/organizations/{service['organization_id']}")
            assert org.status_code == 200
            for attribute in service["attributes"]:
                term = self.client.get(
                    f"/beringen/hsds/taxonomy_terms/{attribute['taxonomy_term_id']}"
                )
                assert term.status_code == 200


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rounds=st.lists(
        st.lists(st.tuples(ACTIONS, st.integers(0, 50)), max_size=4), min_size=1, max_size=3
    )
)
def test_an_incremental_reader_ends_with_what_a_full_fetch_gives(app, client, world, rounds):
    reader = Reader(client)
    for actions in rounds:
        for name, n in actions:
            _act(app, world, name, n)
        reader.update()
        assert reader.held == full(client), [name for name, _n in actions]


def test_the_daily_sessions_job_changes_no_last_modified(app, client, world):
    """The job that makes sessions up to the horizon changes nothing the open data shows."""
    from saas.catalogue import services as catalogue

    before = full(client)

    def act(cm, pm):
        salon = _salon(cm)
        planned = db.session.execute(
            select(cm.ActivitySession).where(cm.ActivitySession.offer_id == salon.id)
        ).scalars()
        for session in list(planned)[-2:]:  # the horizon had not reached these yet
            db.session.delete(session)
        db.session.flush()
        made = catalogue.sync_sessions(
            salon,
            since=catalogue.to_utc(datetime(2027, 1, 1)),
            until=catalogue.to_utc(datetime(2028, 1, 1)),
        )
        assert made["created"] == 2

    _do(app, world, act)
    assert full(client) == before
