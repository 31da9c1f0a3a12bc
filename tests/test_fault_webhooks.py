# ruff: noqa: F811  (pytest fixtures imported from tests.billing_support)
"""Faults: a burst of duplicated Stripe webhooks, delivered concurrently and out of order.

Stripe retries and sometimes sends an event more than once; here every event arrives eight
times from eight threads at once. Each must be stored once, answered 200 every time, and applied
once (one read of the subscription from Stripe, one recorded change), ending in Stripe's state.
"""

from __future__ import annotations

import json
import random
import threading

from sqlalchemy import func, select

from saas.audit.models import AuditEvent
from saas.billing.models import EventState, StripeEvent, Subscription, SubscriptionStatus
from saas.extensions import db
from tests.billing_support import (  # noqa: F401  (fixtures)
    _billing_app,
    bctx,
    billing_app,
    run_billing_jobs,
    stripe_server,
)
from tests.stripe_server import event, sign
from tests.test_billing import _network

COPIES = 8


def test_a_burst_of_duplicated_webhooks_is_applied_once_each(
    billing_app, bctx, stripe_server, run_billing_jobs
):
    networks = [_network(billing_app, bctx, f"net{i}", customer=f"cus_{i}")[0] for i in range(4)]
    bodies = []
    for i, _net in enumerate(networks):
        remote = stripe_server.add_subscription(customer=f"cus_{i}", price="price_medium_m")
        bodies.append(event("customer.subscription.created", remote, event_id=f"evt_burst_{i}"))
    deliveries = [json.dumps(body) for body in bodies for _ in range(COPIES)]
    random.Random(7).shuffle(deliveries)
    statuses, lock = [], threading.Lock()

    def deliver(share: list[str]) -> None:
        client = billing_app.test_client()
        for payload in share:
            response = client.post(
                "/billing/stripe/webhook",
                data=payload,
                headers={
                    "Content-Type": "application/json",
                    "Stripe-Signature": sign(payload, "whsec_test_dorp"),
                },
            )
            with lock:
                statuses.append(response.status_code)

    threads = [threading.Thread(target=deliver, args=(deliveries[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [200] * len(deliveries)

    run_billing_jobs()
    run_billing_jobs()  # a second pass finds nothing left to do
    with bctx():
        stored = db.session.execute(select(StripeEvent.id, StripeEvent.state)).all()
    assert sorted(event_id for event_id, _ in stored) == [f"evt_burst_{i}" for i in range(4)]
    assert {state for _, state in stored} == {EventState.PROCESSED}
    for i, net in enumerate(networks):
        remote_id = bodies[i]["data"]["object"]["id"]
        assert len(stripe_server.calls("GET", f"/v1/subscriptions/{remote_id}")) == 1
        with bctx(net.id):
            assert db.session.execute(select(Subscription.status)).scalar_one() == (
                SubscriptionStatus.ACTIVE
            )
            changes = db.session.execute(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "billing.status_changed")
            ).scalar_one()
        assert changes == 1
