"""Every interface text has a Dutch translation, and the English catalogue exists."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


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
        wanted = {m.id for m in read_po(f) if m.id}
    with (ROOT / "saas/translations/nl/LC_MESSAGES/messages.po").open("rb") as f:
        dutch = read_po(f)
    missing = sorted(
        str(m)
        for m in wanted
        if not (dutch.get(m) and dutch.get(m).string and not dutch.get(m).fuzzy)
    )
    assert not missing, (
        f"untranslated in nl (run `make extract-messages`, then translate): {missing[:10]}"
    )
    assert (ROOT / "saas/translations/en/LC_MESSAGES/messages.po").exists()
