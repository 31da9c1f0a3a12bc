"""Build the merged schemas of Dorp's HSDS profile: each HSDS 3.0 core schema file (the suite's
transcription, tests/hsds_schema.py) with the profile's JSON Merge Patch of the same name
(saas/api/hsds_profile/schema/) applied, written to saas/api/hsds_profile/schema/compiled/.

    PYTHONPATH=. python -m tests.hsds_profile_build

tests/test_hsds_profile.py fails when the committed files differ from what this builds.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from tests.hsds_schema import CORE

PROFILE = Path(__file__).resolve().parent.parent / "saas" / "api" / "hsds_profile" / "schema"


def merge_patch(target, patch):
    """RFC 7386 JSON Merge Patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def patches() -> dict[str, dict]:
    return {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(PROFILE.glob("*.json"))
    }


def compiled() -> dict[str, dict]:
    """Every core schema file, patched where the profile has a patch of that name."""
    found = patches()
    return {name: merge_patch(schema, found.get(name, {})) for name, schema in CORE.items()}


def text(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    out = PROFILE / "compiled"
    out.mkdir(exist_ok=True)
    for name, schema in compiled().items():
        (out / name).write_text(text(schema), encoding="utf-8")


if __name__ == "__main__":
    main()
