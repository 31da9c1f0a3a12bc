"""Reading the demo's data files in saas/demo/data: YAML for nested records, CSV for plain tables.

CSV cells are strings; each feature module converts its own columns (numbers, enums, lists).
"""

from __future__ import annotations

import csv
from importlib.resources import files
from typing import Any

import yaml

DATA_DIR = files("saas.demo") / "data"


def read_yaml(name: str) -> Any:
    return yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))


def read_csv(name: str, network: str | None = None) -> list[dict[str, str]]:
    """The rows of a CSV file in file order; only one network's rows when `network` is given."""
    with (DATA_DIR / name).open("r", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [row for row in rows if network is None or row["network"] == network]


def split(cell: str) -> list[str]:
    """A comma-separated cell as a list ("" is none)."""
    return cell.split(",") if cell else []
