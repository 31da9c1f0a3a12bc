"""Text as people type it, made safe to keep and to pass on."""

from __future__ import annotations


def single_line(text: str) -> str:
    """`text` as one line: every run of white space (line breaks and carriage returns included)
    becomes one space, and none is left at either end. For fields shown on one line (names,
    titles) and everything that ends up in an e-mail header, where a line break would start a
    header of its own."""
    return " ".join(text.split())
