"""Text as people type it, made safe to keep and to pass on."""

from __future__ import annotations


def single_line(text: str) -> str:
    """`text` as one line: every run of white space (line breaks and carriage returns included)
    becomes one space, and none is left at either end. For fields shown on one line (names,
    titles) and everything that ends up in an e-mail header, where a line break would start a
    header of its own."""
    return " ".join(text.split())


def column_length(attribute) -> int | None:
    """How many characters a model's String column keeps (None: any number)."""
    return getattr(attribute.property.columns[0].type, "length", None)


def too_long(model: type, values: dict[str, object]) -> tuple[str, int] | None:
    """The first of `values` (column name → the text about to be stored, after every strip,
    lower-casing and join) that is longer than its column of `model` keeps, with that length.
    PostgreSQL would refuse it (a 500) and SQLite keep it: asked in code, both behave alike."""
    for name, value in values.items():
        length = column_length(getattr(model, name))
        if isinstance(value, str) and length is not None and len(value) > length:
            return name, length
    return None
