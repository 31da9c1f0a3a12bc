"""Every interface text has a Dutch translation; the families' pages also speak fr, tr and ar."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
# What a family sees: the public pages, the layout around them, error pages, how offers read.
PUBLIC_SOURCES = [
    *sorted((ROOT / "templates/public").glob("*.html")),
    ROOT / "templates/layout.html",
    ROOT / "templates/macros.html",  # the pager under the sessions
    ROOT / "templates/errors/error.html",
    ROOT / "templates/errors/unavailable.html",
    ROOT / "saas/catalogue/display.py",
    ROOT / "saas/app/errors.py",
    ROOT / "saas/partners/models.py",
]


def _catalogue(language: str):
    with (ROOT / f"saas/translations/{language}/LC_MESSAGES/messages.po").open("rb") as f:
        return read_po(f)


def _translated(catalogue, msgid, context: str | None = None) -> bool:
    message = catalogue.get(msgid, context)  # "Open" (a button) and "Open" (a status) differ
    if message is None or message.fuzzy:
        return False
    string = message.string
    return all(string) if isinstance(string, tuple) else bool(string)


def _public_msgids() -> set:
    found = set()
    for path in PUBLIC_SOURCES:
        method = "python" if path.suffix == ".py" else "jinja2"
        for _line, msgid, _comments, _context in extract_from_file(
            method, str(path), keywords=KEYWORDS
        ):
            found.add(msgid[0] if isinstance(msgid, tuple) else msgid)
    return found


def test_every_message_in_the_code_is_translated_to_dutch(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        wanted = {(m.id, m.context) for m in read_po(f) if m.id}
    dutch = _catalogue("nl")
    missing = sorted(str(m) for m, context in wanted if not _translated(dutch, m, context))
    assert not missing, (
        f"untranslated in nl (run `make extract-messages`, then translate): {missing[:10]}"
    )
    assert (ROOT / "saas/translations/en/LC_MESSAGES/messages.po").exists()


@pytest.mark.parametrize("language", ["fr", "tr", "ar"])
def test_the_families_pages_are_translated(language):
    wanted = _public_msgids()
    assert len(wanted) > 40
    catalogue = _catalogue(language)
    missing = sorted(m for m in wanted if not _translated(catalogue, m))
    assert not missing, f"untranslated in {language}: {missing[:10]}"
