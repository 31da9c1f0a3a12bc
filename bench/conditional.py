"""Conditional GETs of the public pages under gunicorn (two workers) on PostgreSQL.

    python -m bench.conditional [--rounds 300] [--data scale|demo]

A calendar client polls `agenda.ics` and a family's browser reloads the families' page with the
ETag they were given (`If-None-Match`): the answer is `304 Not Modified` from the network's data
version, without rendering or reading the body. Measured in one run, shuffled round after round
(like bench.web): the bare route (the floor), each page without a validator (its body read from
Redis) and with one (304). Prints p50 / p95 and each conditional GET's p50 against the floor's
(the target: within 1.5 times) and against its page's plain GET.
"""

from __future__ import annotations

import argparse
import random
import time

import requests

from bench import _pg
from bench._pg import line, percentile
from bench.web import _client, _serve, seed, stop

TARGET = 1.5


def _pages(base: str, slug: str) -> dict[str, tuple[str, dict, int]]:
    """name: (path, headers, the status expected)."""
    pages: dict[str, tuple[str, dict, int]] = {"bare route (floor)": ("/bench/bare", {}, 200)}
    for name, path in (("agenda.ics", f"/{slug}/agenda.ics"), ("families' page", f"/{slug}/")):
        first = requests.get(base + path, timeout=120)
        first.raise_for_status()
        pages[f"{name}, plain GET"] = (path, {}, 200)
        pages[f"{name}, conditional GET"] = (path, {"If-None-Match": first.headers["ETag"]}, 304)
    return pages


def measure(base: str, pages: dict[str, tuple[str, dict, int]], rounds: int) -> dict:
    session = _client()
    timings: dict[str, list[float]] = {name: [] for name in pages}
    errors = refreshed = 0
    order = list(pages)
    shuffle = random.Random(1).shuffle
    for round_ in range(rounds + 20):
        shuffle(order)
        for name in order:
            path, headers, expected = pages[name]
            started = time.perf_counter()
            response = session.get(base + path, headers=headers, timeout=60)
            elapsed = time.perf_counter() - started
            if response.status_code == 200 and expected == 304:
                # the tag moves with the data and every few minutes with the clock: a client
                # then gets the new body and its tag, and sends that one next time
                refreshed += 1
                pages[name] = (path, {"If-None-Match": response.headers["ETag"]}, 304)
                continue
            if response.status_code != expected:
                errors += 1
            if round_ >= 20:  # the first rounds warm caches and pools
                timings[name].append(elapsed)
    return {"timings": timings, "errors": errors, "refreshed": refreshed}


def report(result: dict, rounds: int) -> bool:
    t = result["timings"]
    floor = percentile(t["bare route (floor)"], 50)
    within = True
    for name, values in t.items():
        p50, p95 = percentile(values, 50), percentile(values, 95)
        line("cond", f"{name}: p50 / p95", f"{p50 * 1000:.2f} / {p95 * 1000:.2f}", "ms")
        if "conditional" in name:
            ratio = p50 / floor
            within &= ratio <= TARGET
            plain = percentile(t[name.replace("conditional", "plain")], 50)
            line("cond", f"  {name}: p50 ÷ floor p50 (target ≤ {TARGET})", f"{ratio:.2f}", "×")
            line("cond", f"  {name}: p50 ÷ plain GET p50", f"{p50 / plain:.2f}", "×")
    line("cond", f"answers other than expected ({rounds} rounds)", str(result["errors"]))
    line("cond", "new tags picked up (a change or the clock's step)", str(result["refreshed"]))
    return within


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--data", choices=["scale", "demo"], default="scale")
    args = parser.parse_args(argv)
    reason = _pg.unavailable()
    if reason:
        line("cond", "skipped", reason)
        return 0
    with _pg.database("dorp_bench_conditional") as environ:
        slug = seed(environ, args.data)
        port = _pg.free_port()
        server = _serve(environ, port)
        base = f"http://127.0.0.1:{port}"
        try:
            result = measure(base, _pages(base, slug), args.rounds)
        finally:
            stop(server)
    within = report(result, args.rounds)
    line("cond", f"conditional GETs within {TARGET}× the floor", "yes" if within else "no")
    return 1 if result["errors"] or not within else 0


if __name__ == "__main__":
    raise SystemExit(main())
