"""Reading a spreadsheet export people upload: any common encoding and separator, named columns."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import gettext as _

MAX_ROWS = 500


@dataclass
class CsvRow:
    line: int
    values: dict
    data: object = None
    errors: list[str] = field(default_factory=list)


@dataclass
class CsvPreview:
    rows: list[CsvRow]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems and all(not r.errors for r in self.rows) and bool(self.rows)


def read(raw: bytes, headers: dict[str, str], required: set[str], *, hint: str) -> CsvPreview:
    """Rows as {column: text}, keyed by the canonical names in `headers`; `hint` names the columns."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            return CsvPreview([], [_("The file is not a text (CSV) file.")])
    if "\x00" in text:
        return CsvPreview([], [_("The file is not a text (CSV) file.")])
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except StopIteration:
        return CsvPreview([], [_("The file is empty.")])
    except csv.Error:
        return CsvPreview([], [_("The file could not be read as CSV.")])
    columns = [headers.get(h.strip().lower()) for h in header]
    if required - set(columns):
        return CsvPreview(
            [], [_("The first line must name the columns: %(columns)s.", columns=hint)]
        )
    rows: list[CsvRow] = []
    try:
        for line_no, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                return CsvPreview([], [_("At most %(n)d lines per file.", n=MAX_ROWS)])
            rows.append(
                CsvRow(
                    line=line_no,
                    values={c: v.strip() for c, v in zip(columns, values, strict=False) if c},
                )
            )
    except csv.Error:
        return CsvPreview([], [_("The file could not be read as CSV.")])
    if not rows:
        return CsvPreview([], [_("The file has no lines below the header line.")])
    return CsvPreview(rows, [])


def translate_marshmallow(message: str) -> str:
    known = {
        "Missing data for required field.": _("this field is required"),
        "Not a valid email address.": _("not a valid e-mail address"),
        "Not a valid integer.": _("not a whole number"),
        "Not a valid date.": _("not a valid date"),
        "Not a valid time.": _("not a valid time"),
        "Field may not be null.": _("this field is required"),
    }
    if message.startswith("Shorter than minimum length"):
        return _("too short")
    if message.startswith("Longer than maximum length"):
        return _("too long")
    return known.get(message, message)


def flatten(messages: dict, labels: dict[str, str]) -> list[str]:
    out = []
    for key, errs in messages.items():
        for err in errs if isinstance(errs, list) else [errs]:
            out.append(f"{labels.get(key, key)}: {translate_marshmallow(str(err))}")
    return out
