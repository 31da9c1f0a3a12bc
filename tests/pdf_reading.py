"""Reading back the PDFs fpdf2 writes, with the standard library only (no PDF reader is locked):
each object's streams, inflated, and the text its content streams show, with the font it was
shown in. Enough for fpdf2's own output (direct /Length, FlateDecode or none, literal strings
for the core fonts); not a general PDF parser."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

_OBJ = re.compile(rb"(\d+) 0 obj\s*(<<.*?>>)?\s*(stream\r?\n)?", re.S)
_LENGTH = re.compile(rb"/Length (\d+)")
# a text-showing run: the font chosen, then literal strings shown with Tj
_TOKENS = re.compile(rb"/(F\d+)\s+([\d.]+)\s+Tf|\(((?:\\.|[^\\)])*)\)\s*Tj")


@dataclass(frozen=True)
class Shown:
    font: str
    size: float
    text: str


def streams(pdf: bytes) -> list[tuple[bytes, bytes]]:
    """(dictionary, inflated data) of every stream in the file."""
    out = []
    for match in _OBJ.finditer(pdf):
        head, has_stream = match.group(2) or b"", match.group(3)
        if not has_stream:
            continue
        length = _LENGTH.search(head)
        assert length, f"object {match.group(1)!r} has no direct /Length"
        start = match.end()
        data = pdf[start : start + int(length.group(1))]
        if b"/FlateDecode" in head:
            data = zlib.decompress(data)
        out.append((head, data))
    return out


def _unescape(raw: bytes) -> str:
    text = re.sub(rb"\\([()\\])", rb"\1", raw)
    text = re.sub(rb"\\(\d{3})", lambda m: bytes([int(m.group(1), 8)]), text)
    return text.decode("latin-1")


def fonts(pdf: bytes) -> dict[str, str]:
    """Resource name ("F1") to base font ("Helvetica-Bold")."""
    names = dict(re.findall(rb"/(F\d+)\s+(\d+) 0 R", pdf))
    found = {}
    for name, number in names.items():
        obj = re.search(rb"\n" + number + rb" 0 obj\s*<<(.*?)>>", pdf, re.S)
        base = re.search(rb"/BaseFont\s*/([\w+-]+)", obj.group(1)) if obj else None
        if base:
            found[name.decode()] = base.group(1).decode()
    return found


def shown_text(pdf: bytes) -> list[Shown]:
    """Every string the pages show, in order, with its font's base name and size."""
    names = fonts(pdf)
    out: list[Shown] = []
    for head, data in streams(pdf):
        if b"/Type /XObject" in head and b"/Subtype /Image" in head:
            continue
        font, size = "", 0.0
        for match in _TOKENS.finditer(data):
            if match.group(1):
                font, size = names.get(match.group(1).decode(), ""), float(match.group(2))
            else:
                out.append(Shown(font, size, _unescape(match.group(3))))
    return out


def page_contents(pdf: bytes) -> list[bytes]:
    """The inflated content streams (drawing and text operators), images left out."""
    return [data for head, data in streams(pdf) if b"/Subtype /Image" not in head]


_BFCHAR = re.compile(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>")


def glyph_letters(pdf: bytes) -> dict[int, str]:
    """An embedded Unicode font's glyphs and the letters each stands for (its ToUnicode map):
    after shaping, one letter may have several glyphs (its forms at the start, middle and end
    of a word) and one glyph several letters (a ligature such as lam-alef)."""
    found: dict[int, str] = {}
    for _head, data in streams(pdf):
        if b"beginbfchar" not in data:
            continue
        for glyph, letters in _BFCHAR.findall(data.split(b"beginbfchar", 1)[1]):
            found[int(glyph, 16)] = bytes.fromhex(letters.decode()).decode("utf-16-be")
    return found
