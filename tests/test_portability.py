"""A network's data export (issue #22.4): asked by a steward, built by a job, downloaded with a
link that expires, and re-imported into an empty network by `flask networks import`."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from saas.extensions import db
from saas.models_base import utcnow
from saas.portability import schema
from saas.portability.models import ExportState, NetworkExport
from saas.portability.tables import CLEARED, EXCLUDED, exported_tables, tenant_tables
from tenants.context import all_networks, network_scope
from tenants.models import Network, Role
from tests import factories as f
from tests.confirm_support import confirmed
from tests.demo_world import seeded_twice
from tests.mail import links_in_mailbox
from tests.world import build_world

DEMO_PASSWORD = "dorp-demo"


def _network_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.execute(select(Network.id).where(Network.slug == slug)).scalar_one()


def _sign_in(client, email: str, password: str = DEMO_PASSWORD) -> None:
    response = client.post("/auth/login", data={"email": email, "password": password})
    assert response.status_code == 302


# ---- every tenant table is accounted for ----------------------------------------------------


def test_every_tenant_table_is_exported_or_excluded_with_a_reason(app):
    with app.app_context():
        names = {t.name for t in tenant_tables()}
        exported = {t.name for t in exported_tables()}
    assert names, "no tenant table found"
    for name in names:
        assert (name in exported) != (name in EXCLUDED), name
    for name, reason in EXCLUDED.items():
        assert name in names, f"{name} is excluded but is no tenant table"
        assert len(reason) > 20, f"{name} needs a reason"
    assert {"partners", "memberships", "offers", "sessions", "headcounts", "referrals"} <= exported


# ---- the round trip on the demo networks ----------------------------------------------------


def _rows(table, network_id: int) -> list[dict]:
    return [
        dict(r)
        for r in db.session.execute(
            select(table).where(table.c.network_id == network_id).order_by(table.c.id)
        ).mappings()
    ]


def _comparable(row: dict, table, skip: set[str]) -> dict:
    """A row without its ids (they change) and what the export blanks or clears on purpose."""
    from saas.portability.tables import CLEARED, JSON_REFERENCES, references

    ids = {"id", "network_id"} | {r.column for r in references(table)}
    ids |= set(JSON_REFERENCES.get(table.name, {}))  # compared by what they point at, below
    return {k: v for k, v in row.items() if k not in ids | skip | set(CLEARED.get(table.name, ()))}


@pytest.mark.demo_world
def test_both_demo_networks_survive_export_and_import(app, environ, run_jobs, tmp_path):
    seeded_twice(app)
    with app.app_context():  # the demo has a past export to show, and nothing closed
        assert not db.session.execute(select(Network).where(Network.closed_at.is_not(None))).all()
    client = app.test_client()
    _sign_in(client, "regie@beringen.demo")
    assert "Verlopen" in client.get("/beringen/network/export").get_data(as_text=True)
    checked = [_round_trip(app, environ, run_jobs, tmp_path, slug) for slug in SLUGS]
    assert any(checked), "no roster with uncovered sessions: the JSON references went untested"


SLUGS = ("beringen", "sint-truiden")


def _round_trip(app, environ, run_jobs, tmp_path, slug) -> int:
    steward = {"beringen": "regie@beringen.demo", "sint-truiden": "regie@sint-truiden.demo"}[slug]
    client = app.test_client()
    _sign_in(client, steward)
    response = confirmed(client, f"/{slug}/network/export", {"with_families": "y"})
    assert response.status_code == 303
    run_jobs()
    (link,) = links_in_mailbox(environ, steward, "/network/export/download/")
    download = client.get(link.removeprefix("http://localhost"))
    assert download.status_code == 200, download.status_code
    assert download.mimetype == "application/zip"
    path = tmp_path / f"{slug}.zip"
    path.write_bytes(download.data)

    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        readme = archive.read("README.md").decode()
        people_csv = archive.read("people.csv").decode("utf-8-sig")
    with app.app_context():
        head = schema.head()
    assert manifest["schema_version"] == head and head in readme
    assert {"README.md", "people.csv", "people.json", "manifest.json"} <= names
    assert steward in people_csv and "password" not in people_csv
    assert any(n.startswith("figures/") for n in names)
    with zipfile.ZipFile(path) as archive:  # workers' private reasons never leave Dorp
        cards = json.loads(archive.read("tables/flexibility_cards.json"))
    assert cards and {card["private_reason"] for card in cards} == {""}
    with app.app_context(), all_networks():  # while the demo's cards do have reasons
        from saas.workforce.models import FlexibilityCard

        kept = select(func.count()).where(FlexibilityCard.private_reason != "")
        assert db.session.execute(kept).scalar_one() > 0

    result = app.test_cli_runner().invoke(
        args=["networks", "import", str(path), "--slug", f"{slug}-kopie"]
    )
    assert result.exit_code == 0, result.output

    old_id, new_id = _network_id(app, slug), _network_id(app, f"{slug}-kopie")
    with app.app_context(), all_networks():
        assert sum(manifest["tables"].values()) > 500  # the demo is no toy
        for table in exported_tables():
            before, after = _rows(table, old_id), _rows(table, new_id)
            if table.name == "audit_events":  # the export and its download were audited since
                assert len(after) >= manifest["tables"][table.name]
                continue
            assert len(after) == len(before) == manifest["tables"][table.name], table.name
            skip = set(CLEARED.get(table.name, ()))  # never exported (a worker's private reason)
            if table.name == "network_exports":
                continue
            sample = range(0, len(before), max(1, len(before) // 7))
            for i in sample:
                assert _comparable(before[i], table, skip) == _comparable(after[i], table, skip), (
                    table.name
                )
        # references follow: a sample of sessions still belongs to offers with the same title
        from saas.catalogue.models import ActivitySession, Offer

        def titles(network_id):
            return db.session.execute(
                select(Offer.title, func.count(ActivitySession.id))
                .join(ActivitySession, ActivitySession.offer_id == Offer.id)
                .where(Offer.network_id == network_id, ActivitySession.network_id == network_id)
                .group_by(Offer.title)
                .order_by(Offer.title)
            ).all()

        assert titles(old_id) == titles(new_id) and titles(new_id)
        # and ids inside JSON: a roster's uncovered sessions are the same sessions
        from saas.workforce.models import Roster

        def uncovered(network_id):
            found = []
            for roster in db.session.execute(
                select(Roster).where(Roster.network_id == network_id).order_by(Roster.id)
            ).scalars():
                for item in roster.uncovered:
                    session = db.session.get(ActivitySession, item["session"])
                    found.append((session.network_id == network_id, session.starts_at))
            return found

        assert uncovered(old_id) == uncovered(new_id)
        return len(uncovered(new_id))


# ---- asking, the job, the link -------------------------------------------------------------


def _state(app, network_id: int) -> list[tuple[str, int, bool]]:
    with app.app_context(), network_scope(network_id):
        return [
            (str(e.state), e.progress, e.with_families)
            for e in db.session.execute(select(NetworkExport).order_by(NetworkExport.id)).scalars()
        ]


def test_asking_twice_at_once_makes_one_job_with_a_clear_message(app, run_jobs):
    from rq import Queue

    from saas.connections import redis_connection

    beringen, _ = build_world(app)
    client = app.test_client()
    f.login(client, beringen.people[Role.STEWARD])
    first = client.post("/beringen/network/export", data={})
    page = client.get("/beringen/network/export").get_data(as_text=True)
    assert first.status_code == 303
    assert "data-progress=" in page and "progress.js" in page  # follows the progress itself
    assert 'role="progressbar"' in page and 'aria-valuenow="0"' in page
    second = client.post("/beringen/network/export", data={}, follow_redirects=True)
    assert "wordt al een export van dit netwerk voorbereid" in second.get_data(as_text=True)
    with app.app_context():
        jobs = Queue("maintenance", connection=redis_connection()).jobs
        assert [j.func_name for j in jobs] == ["workers.export_jobs.build_export_job"]
        assert all(isinstance(a, int) for a in jobs[0].args)  # ids only
    assert _state(app, beringen.network.id) == [("queued", 0, False)]
    run_jobs()
    assert _state(app, beringen.network.id) == [("done", 100, False)]
    page = client.get("/beringen/network/export").get_data(as_text=True)
    assert "data-progress=" not in page and "/network/export/download/" in page


def test_two_requests_at_the_same_moment_meet_the_database_rule(app):
    """The page's check passed for both: the partial unique index makes the second one fail."""
    from sqlalchemy.exc import IntegrityError

    beringen, _ = build_world(app)
    with app.app_context(), network_scope(beringen.network.id):
        db.session.add(NetworkExport(state=ExportState.QUEUED, job_id="a"))
        db.session.commit()
        db.session.add(NetworkExport(state=ExportState.RUNNING, job_id="b"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.add(NetworkExport(state=ExportState.DONE, job_id="c"))
        db.session.commit()  # finished ones do not count


def test_families_data_is_left_out_unless_ticked_and_confirmed(app, environ, run_jobs, tmp_path):
    beringen, _ = build_world(app)
    steward = beringen.people[Role.STEWARD]
    client = app.test_client()
    f.login(client, steward)
    asked = client.post("/beringen/network/export", data={"with_families": "y"})
    assert asked.status_code == 200 and "confirm_token" in asked.get_data(as_text=True)
    assert _state(app, beringen.network.id) == []  # nothing before the second step
    client.post("/beringen/network/export", data={})
    run_jobs()
    (link,) = links_in_mailbox(environ, steward.email, "/network/export/download/")
    with zipfile.ZipFile(io.BytesIO(client.get(link.removeprefix("http://localhost")).data)) as z:
        referrals = json.loads(z.read("tables/referrals.json"))
        readme = z.read("README.md").decode()
    assert referrals and all(r["family_label"] == "" for r in referrals)
    assert all(r["contact_value"] == "" for r in referrals)
    assert "Left empty (families' data)" in readme
    with app.app_context(), network_scope(beringen.network.id):
        from saas.referrals.models import Referral

        label = db.session.execute(select(Referral.family_label)).scalars().first()
    assert label and label not in json.dumps(referrals)

    response = confirmed(client, "/beringen/network/export", {"with_families": "y"})
    assert response.status_code == 303
    run_jobs()
    assert [s[2] for s in _state(app, beringen.network.id)] == [False, True]
    link = links_in_mailbox(environ, steward.email, "/network/export/download/")[-1]
    with zipfile.ZipFile(io.BytesIO(client.get(link.removeprefix("http://localhost")).data)) as z:
        assert label in z.read("tables/referrals.json").decode()
    with app.app_context(), network_scope(beringen.network.id):
        from saas.audit.models import AuditEvent

        actions = db.session.execute(select(AuditEvent.action)).scalars().all()
    assert "export.requested_with_families" in actions
    assert actions.count("export.downloaded") == 2


def test_an_expired_link_shows_a_clear_page_and_cleanup_deletes_the_file(app, environ, run_jobs):
    from workers.export_jobs import expire_exports

    beringen, _ = build_world(app)
    steward = beringen.people[Role.STEWARD]
    client = app.test_client()
    f.login(client, steward)
    client.post("/beringen/network/export", data={})
    run_jobs()
    (link,) = links_in_mailbox(environ, steward.email, "/network/export/download/")
    path = link.removeprefix("http://localhost")
    assert client.get(path).status_code == 200
    with app.app_context(), network_scope(beringen.network.id):
        export = db.session.execute(select(NetworkExport)).scalar_one()
        file = Path(app.instance_path) / export.file_name
        export.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    gone = client.get(path)
    assert gone.status_code == 410
    assert "Deze downloadlink is verlopen" in gone.get_data(as_text=True)
    assert file.exists()
    with app.app_context():
        assert expire_exports() == 1
    assert not file.exists()
    assert _state(app, beringen.network.id)[0][0] == "expired"
    assert client.get(path).status_code == 410
    # a link signed long ago is expired by its signature as well
    from itsdangerous import URLSafeTimedSerializer

    with app.app_context():
        old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="dorp-network-export")
        import time as clock

        real = clock.time
        try:
            clock.time = lambda: real() - 8 * 24 * 3600
            token = old.dumps({"n": beringen.network.id, "e": 1})
        finally:
            clock.time = real
    assert client.get(f"/beringen/network/export/download/{token}").status_code == 410


def test_another_network_cannot_export_or_download(app, environ, run_jobs):
    beringen, sint_truiden = build_world(app)
    st_steward = sint_truiden.people[Role.STEWARD]
    client = app.test_client()
    f.login(client, st_steward)
    client.post("/sint-truiden/network/export", data={})
    run_jobs()
    (link,) = links_in_mailbox(environ, st_steward.email, "/network/export/download/")
    path = link.removeprefix("http://localhost")
    token = path.rsplit("/", 1)[1]

    outsider = app.test_client()
    f.login(outsider, beringen.people[Role.STEWARD])
    assert outsider.get(path).status_code == 404  # no role there: as if nothing existed
    assert outsider.get("/sint-truiden/network/export").status_code == 404
    assert outsider.post("/sint-truiden/network/export", data={}).status_code == 404
    # Sint-Truiden's token under Beringen's address names nothing in Beringen
    assert outsider.get(f"/beringen/network/export/download/{token}").status_code == 404
    assert _state(app, beringen.network.id) == []
    assert len(_state(app, sint_truiden.network.id)) == 1


@pytest.mark.parametrize(
    "role",
    [r for r in Role if r != Role.STEWARD],
)
def test_only_stewards_export(app, environ, run_jobs, role):
    beringen, _ = build_world(app)
    steward = beringen.people[Role.STEWARD]
    client = app.test_client()
    f.login(client, steward)
    client.post("/beringen/network/export", data={})
    run_jobs()
    (link,) = links_in_mailbox(environ, steward.email, "/network/export/download/")
    other = app.test_client()
    f.login(other, beringen.people[role])
    assert other.get("/beringen/network/export").status_code == 403
    assert other.post("/beringen/network/export", data={}).status_code == 403
    assert other.get(link.removeprefix("http://localhost")).status_code == 403
    anonymous = app.test_client()
    assert anonymous.get(link.removeprefix("http://localhost")).status_code == 302  # sign in


@pytest.mark.parametrize("token", ["x", "a" * 500, "eyJuIjoxfQ.abc.def", "%00", "..%2F..%2Fetc"])
def test_a_damaged_link_is_a_plain_404(app, token):
    beringen, _ = build_world(app)
    client = app.test_client()
    f.login(client, beringen.people[Role.STEWARD])
    assert client.get(f"/beringen/network/export/download/{token}").status_code == 404


def test_bad_form_input_changes_nothing(app):
    beringen, _ = build_world(app)
    client = app.test_client()
    f.login(client, beringen.people[Role.STEWARD])
    response = client.post(
        "/beringen/network/export", data={"with_families": "y", "confirm_token": "forged"}
    )
    assert response.status_code == 400
    assert _state(app, beringen.network.id) == []


# ---- the import refuses what it cannot restore ---------------------------------------------


def _archive(tmp_path, manifest: dict, **files: bytes) -> Path:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("manifest.json", json.dumps(manifest))
        for name, content in files.items():
            z.writestr(name, content)
    return path


def _import(app, path, slug="kopie"):
    return app.test_cli_runner().invoke(args=["networks", "import", str(path), "--slug", slug])


def test_an_export_of_a_newer_schema_is_refused_and_nothing_is_created(app, tmp_path):
    manifest = {
        "format": "dorp-network-export",
        "format_version": 1,
        "schema_version": "0099_from_the_future",
        "network": {"slug": "x", "name": "X", "municipality": "X"},
    }
    result = _import(app, _archive(tmp_path, manifest, **{"people.json": b"[]"}))
    assert result.exit_code != 0
    assert "nieuwere versie van Dorp" in result.output and "0099_from_the_future" in result.output
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Network)).scalar_one() == 0


@pytest.mark.parametrize(
    "content",
    [b"not a zip", None],
)
def test_a_file_that_is_no_export_is_refused(app, tmp_path, content):
    path = tmp_path / "x.zip"
    if content is None:
        path = _archive(tmp_path, {"format": "something else"})
    else:
        path.write_bytes(content)
    result = _import(app, path)
    assert (result.exit_code != 0 and "Dorp" in result.output) or "ZIP" in result.output
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Network)).scalar_one() == 0


def test_the_import_refuses_a_taken_slug(app, environ, run_jobs, tmp_path):
    beringen, _ = build_world(app)
    steward = beringen.people[Role.STEWARD]
    client = app.test_client()
    f.login(client, steward)
    client.post("/beringen/network/export", data={})
    run_jobs()
    (link,) = links_in_mailbox(environ, steward.email, "/network/export/download/")
    path = tmp_path / "b.zip"
    path.write_bytes(client.get(link.removeprefix("http://localhost")).data)
    result = _import(app, path, slug="sint-truiden")
    assert result.exit_code != 0 and "al in gebruik" in result.output
    result = _import(app, path, slug="beringen-2")
    assert result.exit_code == 0, result.output
    with app.app_context(), all_networks():
        new = db.session.execute(select(Network).where(Network.slug == "beringen-2")).scalar_one()
        from saas.partners.models import Partner

        names = (
            db.session.execute(
                select(Partner.name).where(Partner.network_id == new.id).order_by(Partner.name)
            )
            .scalars()
            .all()
        )
    assert names == sorted([beringen.partner_a.name, beringen.partner_b.name])
