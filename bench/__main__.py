"""Run every benchmark module of this package (each has a `main()` returning an exit code)."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench

# Helpers of the benchmarks, not benchmarks. The locustfile above all must not be imported here:
# locust monkey-patches ssl on import, which breaks `requests` in this process.
NOT_BENCHMARKS = {"locustfile", "scale", "webapp"}


def main() -> int:
    failed = 0
    for module in sorted(m.name for m in pkgutil.iter_modules(bench.__path__)):
        if module.startswith("_") or module in NOT_BENCHMARKS:
            continue
        runner = getattr(importlib.import_module(f"bench.{module}"), "main", None)
        if not callable(runner):
            continue
        try:
            failed |= bool(runner([]))
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            print(f"{module:<10}failed: {type(exc).__name__}: {exc}", flush=True)
            failed = 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
