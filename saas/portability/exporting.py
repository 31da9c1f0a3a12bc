"""Building a network's export: a ZIP with one JSON file per tenant table (what the import
reads), people.csv and people.json, the figures of the year as CSV, and a README.md of the
columns. Rows are read with explicit `network_id` filters inside the network's scope (row-level
security applies on PostgreSQL too)."""

from __future__ import annotations

import csv
import io
import json
import secrets
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import Table, select

from saas.accounts.models import User
from saas.extensions import db
from saas.insights.export import csv_bytes
from saas.insights.figures import health
from saas.insights.period import Period
from saas.models_base import utcnow
from saas.portability import schema
from saas.portability.tables import (
    CLEARED,
    EXCLUDED,
    FAMILY_FIELDS,
    JSON_REFERENCES,
    PEOPLE_COLUMNS,
    exported_tables,
    references,
)
from tenants.models import Network

EXPORTS_FOLDER = "exports"


def to_json(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} in an export")


def dumps(data: Any) -> bytes:
    return json.dumps(data, default=to_json, ensure_ascii=False, indent=1).encode()


def export_folder() -> Path:
    return Path(current_app.instance_path) / EXPORTS_FOLDER


def new_file_name(network_id: int, export_id: int) -> str:
    """Relative to the instance folder; unguessable, though only the signed link serves it."""
    return f"{EXPORTS_FOLDER}/{network_id}/{export_id}-{secrets.token_hex(8)}.zip"


def table_rows(table: Table, network_id: int, with_families: bool) -> list[dict]:
    rows = db.session.execute(
        select(table).where(table.c.network_id == network_id).order_by(*table.primary_key)
    ).mappings()
    blank = {} if with_families else FAMILY_FIELDS.get(table.name, {})
    cleared = CLEARED.get(table.name, {})
    out = []
    for row in rows:
        item = dict(row)
        item.update(blank)
        item.update(cleared)
        out.append(item)
    return out


def people(user_ids: Iterable[int]) -> list[dict]:
    ids = sorted(set(user_ids))
    if not ids:
        return []
    found = db.session.execute(select(User).where(User.id.in_(ids)).order_by(User.id)).scalars()
    return [{column: getattr(user, column) for column in PEOPLE_COLUMNS} for user in found]


def people_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(PEOPLE_COLUMNS)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in PEOPLE_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode()  # opens as columns in a Flemish spreadsheet


def _cell(value: Any) -> str:
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def build(
    path: Path,
    network: Network,
    *,
    with_families: bool,
    progress: Callable[[int], None] = lambda _percent: None,
) -> dict[str, int]:
    """Write the export of `network` to `path` (call inside its scope); how many rows each
    table gave."""
    tables = exported_tables()
    counts: dict[str, int] = {}
    user_ids: set[int] = set()
    version = schema.head()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, table in enumerate(tables, start=1):
            rows = table_rows(table, network.id, with_families)
            counts[table.name] = len(rows)
            for ref in references(table):
                if ref.table == "users":
                    user_ids.update(r[ref.column] for r in rows if r[ref.column] is not None)
            archive.writestr(f"tables/{table.name}.json", dumps(rows))
            progress(int(80 * number / len(tables)))
        listed = people(user_ids)
        archive.writestr("people.json", dumps(listed))
        archive.writestr("people.csv", people_csv(listed))
        figures = _figures(network)
        for key, content in figures.items():
            archive.writestr(f"figures/{key}.csv", content)
        progress(95)
        manifest = {
            "format": schema.FORMAT,
            "format_version": schema.FORMAT_VERSION,
            "schema_version": version,
            "exported_at": utcnow(),
            "with_families": with_families,
            "network": {
                "id": network.id,
                "slug": network.slug,
                "name": network.name,
                "municipality": network.municipality,
                "default_language": network.default_language,
                "settings": network.settings or {},
            },
            "tables": counts,
            "people": len(listed),
            "excluded": EXCLUDED,
        }
        archive.writestr("manifest.json", dumps(manifest))
        archive.writestr("README.md", readme(manifest, tables, sorted(figures)))
    return counts


def _figures(network: Network) -> dict[str, bytes]:
    """The dashboard's tables of this year so far (suppressed as on the page), as CSV."""
    with force_locale(network.default_language or "nl"):
        figures = health(Period("year", utcnow().year))
        return {key: csv_bytes(table) for key, table in figures.tables().items()}


def readme(manifest: dict, tables: list[Table], figures: list[str]) -> str:
    network = manifest["network"]
    lines = [
        f"# Dorp export of {network['name']} (/{network['slug']}/)",
        "",
        f"- Exported at: {manifest['exported_at'].isoformat()}",
        f"- Schema version (Alembic revision): `{manifest['schema_version']}`",
        f"- Format: `{schema.FORMAT}` version {schema.FORMAT_VERSION}",
        "- Families' data: "
        + ("included" if manifest["with_families"] else "left out (the fields are empty)"),
        "",
        "Re-import into an empty network: `flask networks import THIS.zip --slug NEW-SLUG`.",
        "Ids are the original ones; the import gives every row a new id and follows the",
        "references below. Dates and times are ISO 8601, in UTC where they carry a zone.",
        "",
        "## Files",
        "",
        "- `manifest.json`: the network, the schema version, rows per table.",
        "- `tables/<table>.json`: every row of one table, one JSON object per row.",
        "- `people.csv` and `people.json`: the people the rows refer to "
        f"({', '.join(PEOPLE_COLUMNS)}); no password.",
        "- `figures/<table>.csv`: the dashboard's tables of the year so far, with small numbers "
        "suppressed as on the page: " + (", ".join(figures) or "none") + ".",
        "",
        "## Tables",
        "",
    ]
    for table in tables:
        refs = {ref.column: ref.table for ref in references(table)}
        refs.update(
            {
                f"{column}[].{key}": referred
                for column, keys in JSON_REFERENCES.get(table.name, {}).items()
                for key, referred in keys.items()
            }
        )
        lines += [f"### {table.name} ({manifest['tables'].get(table.name, 0)} rows)", ""]
        lines += ["| column | type | refers to |", "|---|---|---|"]
        for column in table.c:
            kind = str(column.type).lower() + ("" if column.nullable else ", required")
            lines.append(f"| {column.name} | {kind} | {refs.get(column.name, '')} |")
        for column, referred in refs.items():
            if "[]" in column:
                lines.append(f"| {column} | (inside JSON) | {referred} |")
        family = FAMILY_FIELDS.get(table.name)
        if family and not manifest["with_families"]:
            lines += ["", f"Left empty (families' data): {', '.join(family)}."]
        if table.name in CLEARED:
            lines += ["", f"Always left empty: {', '.join(CLEARED[table.name])}."]
        lines.append("")
    lines += ["## Not exported", ""]
    lines += [f"- `{name}`: {why}." for name, why in EXCLUDED.items()]
    return "\n".join(lines) + "\n"
