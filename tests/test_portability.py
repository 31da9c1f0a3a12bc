"""A network's data export (issue #22.4): asked by a steward, built by a job, downloaded with a
link that expires, and re-imported into an empty network by `flask networks import`."""

from __future__ import annotations

import json
import zipfile

from sqlalchemy import func, select

from saas.extensions import db
from saas.portability import schema
from saas.portability.tables import EXCLUDED, exported_tables, tenant_tables
from tenants.context import all_networks
from tenants.models import Network
from tests.confirm_support import confirmed
from tests.mail import links_in_mailbox

DEMO_PASSWORD = "dorp-demo"


def _demo(app):
    from saas.demo import seed

    with app.app_context():
        seed()


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


def test_both_demo_networks_survive_export_and_import(app, environ, run_jobs, tmp_path):
    _demo(app)
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
            skip = set()
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
