"""Restoring an export into a new, empty network (`flask networks import FILE --slug NEW`).

Every row gets a new id; references follow (the foreign keys the metadata declares, the few it
does not: saas.portability.tables). People are matched by e-mail address, or created without a
password (they set one with "forgot password"). One transaction: a refusal or an error leaves
nothing behind.
"""

from __future__ import annotations

import json
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.types import TypeDecorator

from saas.accounts.models import User
from saas.extensions import db
from saas.onboarding.networks import checked_slug
from saas.portability import schema
from saas.portability.tables import (
    JSON_REFERENCES,
    exported_tables,
    model_tables,
    references,
)
from saas.text import single_line
from tenants.context import network_scope
from tenants.models import Network

# Tables whose references are worked out from other columns (the audit trail names its object by
# class): restored after every other table, when every id is known.
LAST = ("audit_events",)


class ImportRefused(Exception):
    """An export this installation cannot restore; the message says why."""


def _read(archive: zipfile.ZipFile, name: str) -> Any:
    try:
        return json.loads(archive.read(name))
    except KeyError as exc:
        raise ImportRefused(
            _("This file is not a Dorp export: %(name)s is missing.", name=name)
        ) from exc
    except ValueError as exc:
        raise ImportRefused(
            _("This export is damaged: %(name)s cannot be read.", name=name)
        ) from exc


def check_manifest(manifest: Any) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != schema.FORMAT:
        raise ImportRefused(_("This file is not a Dorp export."))
    version = str(manifest.get("schema_version", ""))
    if version != schema.head() and not schema.is_known(version):
        raise ImportRefused(
            _(
                "This export was made by a newer version of Dorp (schema %(theirs)s; this "
                "installation has %(ours)s). Upgrade Dorp, then import it again. Nothing has "
                "been changed.",
                theirs=version or "?",
                ours=schema.head(),
            )
        )
    if manifest.get("format_version", 0) > schema.FORMAT_VERSION:
        raise ImportRefused(
            _("This export was made by a newer version of Dorp. Upgrade Dorp first.")
        )


def import_archive(path: Path, *, slug: str, name: str | None = None) -> tuple[Network, dict]:
    """Create network `slug` from the export at `path` (the caller commits); the rows restored
    per table."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ImportRefused(_("This file is not a ZIP file.")) from exc
    with archive:
        manifest = _read(archive, "manifest.json")
        check_manifest(manifest)
        about = manifest["network"]
        network = Network(
            slug=checked_slug(slug),
            name=single_line(name or about["name"]),
            municipality=about["municipality"],
            default_language=about.get("default_language", "nl"),
            settings=about.get("settings") or {},
        )
        db.session.add(network)
        db.session.flush()
        ids: dict[str, dict[int, int]] = {"users": _people(_read(archive, "people.json"))}
        ids["networks"] = {int(about.get("id", 0)): network.id}
        counts: dict[str, int] = {}
        tables = exported_tables()
        ordered = [t for t in tables if t.name not in LAST] + [t for t in tables if t.name in LAST]
        with network_scope(network.id):
            for table in ordered:
                name_ = f"tables/{table.name}.json"
                rows = _read(archive, name_) if name_ in archive.namelist() else []
                counts[table.name] = _restore(table, rows, network.id, ids)
            _follow_json_references(ids)
    return network, counts


def _people(rows: list[dict]) -> dict[int, int]:
    """Old user id → the id of the person with that e-mail address here (created if new)."""
    mapping = {}
    for row in rows:
        email = str(row["email"]).strip().lower()
        user = db.session.execute(
            select(User).where(func.lower(User.email) == email)
        ).scalar_one_or_none()
        if user is None:
            user = User(
                email=email,
                name=row.get("name") or email,
                language=row.get("language") or "nl",
                password_hash=None,
                is_enabled=bool(row.get("is_enabled", True)),
            )
            db.session.add(user)
            db.session.flush()
        mapping[int(row["id"])] = user.id
    return mapping


def _python_type(column) -> type | None:
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    try:
        return kind.python_type
    except NotImplementedError:
        return None


def _value(column, value: Any) -> Any:
    if value is None or not isinstance(value, str):
        return value
    kind = _python_type(column)
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is time:
        return time.fromisoformat(value)
    return value


def _restore(table: Table, rows: list[dict], network_id: int, ids: dict) -> int:
    if not rows:
        ids[table.name] = {}
        return 0
    refs = references(table)
    by_class = model_tables() if table.name in LAST else {}
    columns = {c.name: c for c in table.c}
    values = []
    for row in rows:
        item = {k: _value(columns[k], v) for k, v in row.items() if k in columns and k != "id"}
        item["network_id"] = network_id
        for ref in refs:
            if ref.table == "networks" or item.get(ref.column) is None:
                continue
            item[ref.column] = _mapped(ids, ref.table, item[ref.column], table, columns[ref.column])
        if by_class:
            _follow_object(item, ids, by_class)
        values.append(item)
    new_ids = (
        db.session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), values
        )
        .scalars()
        .all()
    )
    ids[table.name] = {int(row["id"]): new for row, new in zip(rows, new_ids, strict=True)}
    return len(new_ids)


def _mapped(ids: dict, referred: str, old: Any, table: Table, column) -> int | None:
    new = ids.get(referred, {}).get(int(old))
    if new is None and not column.nullable:
        raise ImportRefused(
            _(
                "This export is incomplete: a row of %(table)s refers to a row of %(other)s "
                "that is not in it.",
                table=table.name,
                other=referred,
            )
        )
    return new


def _follow_object(item: dict, ids: dict, by_class: dict[str, str]) -> None:
    """An audit row names its object by class and id, and may list ids of that class."""
    referred = by_class.get(item.get("object_type") or "")
    known = ids.get(referred or "", {})
    if item.get("object_id") is not None and referred in ids:
        item["object_id"] = known.get(int(item["object_id"]))
    details = item.get("details")
    if isinstance(details, dict) and isinstance(details.get("ids"), list) and referred in ids:
        item["details"] = {**details, "ids": [known.get(i) for i in details["ids"] if i in known]}


def _follow_json_references(ids: dict) -> None:
    """Ids inside JSON columns, once every table's new ids are known."""
    tables = {t.name: t for t in exported_tables()}
    for name, columns in JSON_REFERENCES.items():
        table = tables[name]
        for new_id in ids.get(name, {}).values():
            row = db.session.execute(select(table).where(table.c.id == new_id)).mappings().one()
            changes = {}
            for column, keys in columns.items():
                items = row[column]
                if not items:
                    continue
                changes[column] = [
                    {
                        k: (ids[keys[k]].get(v, v) if k in keys and isinstance(v, int) else v)
                        for k, v in entry.items()
                    }
                    if isinstance(entry, dict)
                    else entry
                    for entry in items
                ]
            if changes:
                db.session.execute(update(table).where(table.c.id == new_id).values(**changes))
