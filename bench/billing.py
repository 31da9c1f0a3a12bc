"""Stripe webhooks: how fast the endpoint answers (verify + store once) and a worker applies them.

    python -m bench.billing [--events 500]     (or `python -m bench`, which runs every benchmark)

Runs on a throw-away SQLite database with billing on, Stripe played by the local stand-in
(tests/stripe_server.py) and no Redis (the relay's hand-over fails fast; events wait for the
sweep), so the figures are the request's own cost. Prints one line per figure.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

PRICES = {
    f"STRIPE_PRICE_{plan}_{interval}": f"price_{plan.lower()}_{interval.lower()}"
    for plan in ("SMALL", "MEDIUM", "UNLIMITED")
    for interval in ("MONTHLY", "YEARLY")
}


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"median {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=500)
    args = parser.parse_args(argv)

    import logging

    logging.disable(logging.WARNING)  # the relay's "Redis is down" warnings, by design here
    from saas.app import create_app
    from saas.database import upgrade_database
    from tests.stripe_server import StripeServer, event, sign

    stripe = StripeServer().start()
    folder = Path(tempfile.mkdtemp(prefix="dorp-bench-billing-"))
    app = create_app(
        {"RATELIMIT_ENABLED": False},
        environ={
            "DORP_ENV": "testing",
            "DORP_INSTANCE_PATH": str(folder),
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens: the sweep's case
            "STRIPE_SECRET_KEY": "sk_test_bench",
            "STRIPE_WEBHOOK_SECRET": "whsec_bench",
            "STRIPE_API_BASE": stripe.url,
            **PRICES,
        },
    )
    upgrade_database(app)
    from saas.billing import events as billing_events
    from saas.extensions import db
    from saas.onboarding import networks as onboarding

    with app.test_request_context():
        network = onboarding.create_network(slug="bench", name="Bench", municipality="B")
        db.session.commit()
        network_id = network.id
    stripe.customers["cus_bench"] = {"id": "cus_bench", "object": "customer", "metadata": {}}
    remote = stripe.add_subscription(
        customer="cus_bench", price="price_small_yearly", network_id=network_id
    )
    client = app.test_client()
    bodies = [
        json.dumps(event("customer.subscription.updated", remote, event_id=f"evt_bench_{n}"))
        for n in range(args.events)
    ]

    def post(body: str) -> float:
        started = time.perf_counter()
        response = client.post(
            "/billing/stripe/webhook",
            data=body,
            headers={"Stripe-Signature": sign(body, "whsec_bench")},
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        return elapsed

    first = [post(body) for body in bodies]
    replays = [post(body) for body in bodies]
    applied = []
    with app.app_context():
        for n in range(args.events):
            started = time.perf_counter()
            billing_events.apply(f"evt_bench_{n}")
            applied.append(time.perf_counter() - started)
        again = billing_events.apply("evt_bench_0")
    stripe.stop()
    retrieves = len(stripe.calls("GET", f"/v1/subscriptions/{remote['id']}"))
    print(f"billing webhook, new event (verify + store): {_ms(first)} over {args.events}")
    print(f"billing webhook, replayed event (no effect):  {_ms(replays)}")
    print(f"billing apply in the worker (re-read from local Stripe): {_ms(applied)}")
    print(f"billing exactly once: {retrieves} Stripe reads for {args.events} events; rerun {again}")
    return 0 if retrieves == args.events and again == "skipped" else 1


if __name__ == "__main__":
    raise SystemExit(main())
