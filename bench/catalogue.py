"""The staff catalogue and the families' page at scale, against the Fortunes page in one run.

    python -m bench.catalogue [--rounds 50]

gunicorn (two workers) on PostgreSQL with bench/scale.py's large network (200 partners, 5,000
offers, 50,000 sessions, 100,000 referrals). Each round requests, in a shuffled order: the bare
route (floor), the Fortunes-style page (peer), the staff catalogue's first page and a page forty
"next" links further (as a partner member), the families' page as served (its body kept in
Redis) and the families' page on a cache miss (a query string it has not seen yet, so it is
rendered). Prints p50 / p95 and each page's p95 against the peer's (the target: within 3 ×).
"""

from __future__ import annotations

import argparse
import html
import re

from bench import _pg
from bench._pg import line, percentile
from bench.web import _client, _login, _people, _serve, seed, stop
from bench.web import measure as web_measure

TARGET = 3.0
DEPTH = 40  # how many "next" links the deep catalogue page is from the first


def _deep(session, base: str, path: str, depth: int) -> str:
    """The address `depth` "next" links after `path`, as a person clicking through gets it."""
    for _ in range(depth):
        found = re.search(r'rel="next" href="([^"]+)"', session.get(base + path, timeout=60).text)
        if not found:
            break
        path = html.unescape(found.group(1))
    return path


def measure(base: str, pages: dict, rounds: int) -> dict:
    """bench.web's shuffled rounds (the "?miss=" page a cache miss each time), 10 to warm up."""
    return web_measure(base, pages, rounds, warmup=10)


def report(result: dict, rounds: int) -> bool:
    t = result["timings"]
    peer = percentile(t["Fortunes-style page (peer)"], 95)
    within = True
    for name, values in t.items():
        p50, p95 = percentile(values, 50), percentile(values, 95)
        line("catalogue", f"{name}: p50 / p95", f"{p50 * 1000:.1f} / {p95 * 1000:.1f}", "ms")
        if "floor" not in name and "peer" not in name:
            ratio = p95 / peer
            within &= ratio <= TARGET
            line("catalogue", f"  {name}: p95 ÷ peer p95 (target ≤ {TARGET})", f"{ratio:.2f}", "×")
    line("catalogue", f"requests that did not answer 200 ({rounds} rounds)", str(result["errors"]))
    return within


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args(argv)
    reason = _pg.unavailable()
    if reason:
        line("catalogue", "skipped", reason)
        return 0
    with _pg.database("dorp_bench_catalogue") as environ:
        slug = seed(environ, "scale")
        people = _people(environ, slug)
        port = _pg.free_port()
        server = _serve(environ, port)
        base = f"http://127.0.0.1:{port}"
        try:
            anonymous, partner = _client(), _login(base, people["partner"])
            first = f"/{slug}/catalogue/"
            pages = {
                "bare route (floor)": (anonymous, "/bench/bare"),
                "Fortunes-style page (peer)": (anonymous, "/bench/fortunes"),
                "catalogue, first page": (partner, first),
                f"catalogue, {DEPTH} pages on": (partner, _deep(partner, base, first, DEPTH)),
                "families' page, as served": (anonymous, f"/{slug}/"),
                "families' page, rendered (cache miss)": (anonymous, f"/{slug}/?miss="),
            }
            result = measure(base, pages, args.rounds)
        finally:
            stop(server)
    within = report(result, args.rounds)
    line("catalogue", f"every page within {TARGET}× the peer's p95", "yes" if within else "no")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
