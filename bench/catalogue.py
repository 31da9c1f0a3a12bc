"""The staff catalogue and the families' page at scale, against the Fortunes page in one run.

    python -m bench.catalogue [--rounds 50]

gunicorn (two workers) on PostgreSQL with bench/scale.py's large network (200 partners, 5,000
offers, 50,000 sessions, 100,000 referrals). Each round requests, in a shuffled order: the bare
route (floor), the Fortunes-style page (peer), the staff catalogue's first page and a page forty
"next" links further (as a partner member) and the families' page as served (its body kept in
Redis); then, on their own, the catalogue's first page and the families' page just after a change
to the network's data (nothing kept for them). Prints p50 / p95 and each page's p95 against the
peer's (the target, for the pages as served: within 3 ×).
"""

from __future__ import annotations

import argparse
import html
import re
import time

from bench import _pg
from bench._pg import line, percentile
from bench.web import _client, _login, _people, _serve, seed, stop
from bench.web import measure as web_measure

TARGET = 3.0
# The pages as people get them are held to the target; a page worked out from nothing (a cache
# miss, the first request after a change) is measured and shown beside them.
UNTARGETED = {
    "catalogue, first page, just after a change",
    "families' page, just after a change",
}

DEPTH = 40  # how many "next" links the deep catalogue page is from the first


def _deep(session, base: str, path: str, depth: int) -> str:
    """The address `depth` "next" links after `path`, as a person clicking through gets it."""
    for _ in range(depth):
        found = re.search(r'rel="next" href="([^"]+)"', session.get(base + path, timeout=60).text)
        if not found:
            break
        path = html.unescape(found.group(1))
    return path


def after_a_change(environ: dict, network_id: int, session, url: str, rounds: int) -> list:
    """A page when nothing is kept for it: before each request the network's data version moves
    on, as a committed change to an offer, session, place, type or partner moves it
    (saas.caching), so the page and everything kept beside it (the catalogue's filter lists and
    total, the families' partners) are worked out again. Run after the shuffled rounds: a change
    makes every kept page of the network stale, and inside them it would have turned the other
    pages' "as served" requests into misses too."""
    from saas import caching
    from saas.app import create_app

    app = create_app(environ=environ)
    timings = []
    for _ in range(rounds):
        with app.app_context():
            caching.changed([network_id])
        started = time.perf_counter()
        response = session.get(url, timeout=60)
        timings.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return timings


def measure(base: str, pages: dict, rounds: int) -> dict:
    """bench.web's shuffled rounds, 10 to warm up."""
    return web_measure(base, pages, rounds, warmup=10)


def report(result: dict, rounds: int) -> bool:
    t = result["timings"]
    peer = percentile(t["Fortunes-style page (peer)"], 95)
    within = True
    for name, values in t.items():
        p50, p95 = percentile(values, 50), percentile(values, 95)
        line("catalogue", f"{name}: p50 / p95", f"{p50 * 1000:.1f} / {p95 * 1000:.1f}", "ms")
        if "floor" in name or "peer" in name:
            continue
        ratio = p95 / peer
        if name in UNTARGETED:
            line("catalogue", f"  {name}: p95 ÷ peer p95 (no target)", f"{ratio:.2f}", "×")
            continue
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
            }
            result = measure(base, pages, args.rounds)
            after = {
                "catalogue, first page, just after a change": (partner, first),
                "families' page, just after a change": (anonymous, f"/{slug}/"),
            }
            for name, (session, path) in after.items():
                result["timings"][name] = after_a_change(
                    environ, people["network_id"], session, base + path, args.rounds
                )
        finally:
            stop(server)
    within = report(result, args.rounds)
    line("catalogue", f"every page within {TARGET}× the peer's p95", "yes" if within else "no")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
