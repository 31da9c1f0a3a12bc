# ruff: noqa: F811  (pytest fixtures imported from tests.billing_support)
"""Billing with Stripe: checkout, portal, webhooks applied exactly once, states and their rules.

Stripe is a local HTTP server (tests/stripe_server.py); webhooks are signed with the real scheme.
"""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from saas.audit.models import AuditEvent
from saas.billing.models import EventState, StripeEvent, Subscription, SubscriptionStatus
from saas.extensions import db
from saas.partners.models import Partner, Sector
from tenants.models import Role
from tests import factories as f
from tests.billing_support import (  # noqa: F401  (fixtures)
    _billing_app,
    bclient,
    bctx,
    billing_app,
    post_event,
    run_billing_jobs,
    stripe_server,
)
from tests.demo_world import seeded_twice
from tests.stripe_server import event


def _network(billing_app, bctx, slug="genk", *, customer: str | None = None, **values):
    """A network with a steward and a partner admin, on a trial (billing is on)."""
    from saas.onboarding import networks as onboarding

    with billing_app.test_request_context(), bctx():
        network = onboarding.create_network(
            slug=slug, name=f"Huis van het Kind {slug}", municipality=slug
        )
        db.session.commit()
        net = f.Ref(id=network.id, slug=slug, name=network.name)
    with bctx(net.id):
        sub = db.session.execute(select(Subscription)).scalar_one()
        if customer:
            sub.stripe_customer_id = customer
        for key, value in values.items():
            setattr(sub, key, value)
        db.session.commit()
    partner = f.partner(billing_app, net, f"Welzijnshuis {slug}", Sector.WELFARE)
    steward = f.user(billing_app, f"regie@{slug}.example", (net, Role.STEWARD))
    member = f.user(billing_app, f"partner@{slug}.example", (net, Role.PARTNER_ADMIN, partner))
    return net, steward, member, partner


def _sub(bctx, net) -> Subscription:
    with bctx(net.id):
        sub = db.session.execute(select(Subscription)).scalar_one()
        db.session.expunge(sub)
        return sub


def _events(bctx) -> list[StripeEvent]:
    with bctx():
        rows = (
            db.session.execute(select(StripeEvent).order_by(StripeEvent.received_at))
            .scalars()
            .all()
        )
        for row in rows:
            db.session.expunge(row)
        return rows


def _customer(stripe_server, network_id: int) -> str:
    customer = {
        "id": f"cus_n{network_id}",
        "object": "customer",
        "metadata": {"network_id": str(network_id)},
    }
    stripe_server.customers[customer["id"]] = customer
    return customer["id"]


# ---- webhooks: authenticity ----


def test_a_valid_event_is_stored_once_and_applied_by_the_worker(
    billing_app, bctx, bclient, stripe_server, run_billing_jobs
):
    net, *_ = _network(billing_app, bctx, customer="cus_genk")
    stripe_server.customers["cus_genk"] = {"id": "cus_genk", "object": "customer", "metadata": {}}
    remote = stripe_server.add_subscription(
        customer="cus_genk", price="price_small_y", network_id=net.id
    )
    response = post_event(
        bclient, event("customer.subscription.created", remote, event_id="evt_valid")
    )
    assert response.status_code == 200
    assert response.get_json() == {"received": True, "duplicate": False}
    [stored] = _events(bctx)
    assert (stored.id, stored.state, stored.subscription_id) == (
        "evt_valid",
        EventState.PENDING,
        remote["id"],
    )
    assert _sub(bctx, net).status == SubscriptionStatus.TRIALING  # the request only stores

    run_billing_jobs()

    sub = _sub(bctx, net)
    assert (sub.status, sub.plan, sub.interval) == (SubscriptionStatus.ACTIVE, "small", "yearly")
    assert sub.stripe_subscription_id == remote["id"]
    assert sub.current_period_end is not None
    [stored] = _events(bctx)
    assert stored.state == EventState.PROCESSED and stored.network_id == net.id


def _nothing_stored(bctx, net):
    assert _events(bctx) == []
    assert _sub(bctx, net).status == SubscriptionStatus.TRIALING


def test_a_tampered_body_is_refused_and_nothing_changes(billing_app, bctx, bclient, stripe_server):
    net, *_ = _network(billing_app, bctx, customer="cus_genk")
    remote = stripe_server.add_subscription(customer="cus_genk", price="price_small_y")
    body = json.dumps(event("customer.subscription.updated", remote))
    from tests.stripe_server import sign

    header = sign(body, "whsec_test_dorp")
    tampered = body.replace('"livemode": false', '"livemode": true')
    assert tampered != body
    response = post_event(bclient, tampered, header=header)
    assert response.status_code == 400
    _nothing_stored(bctx, net)
    # signed with another secret: refused as well
    assert post_event(bclient, body, secret="whsec_someone_else").status_code == 400
    _nothing_stored(bctx, net)


def test_a_stale_timestamp_is_refused(billing_app, bctx, bclient, stripe_server):
    net, *_ = _network(billing_app, bctx, customer="cus_genk")
    remote = stripe_server.add_subscription(customer="cus_genk", price="price_small_y")
    stale = int(time.time()) - 301  # Stripe's default tolerance is five minutes
    response = post_event(bclient, event("customer.subscription.updated", remote), timestamp=stale)
    assert response.status_code == 400
    _nothing_stored(bctx, net)
    fresh = int(time.time()) - 200
    assert (
        post_event(
            bclient, event("customer.subscription.updated", remote), timestamp=fresh
        ).status_code
        == 200
    )


def test_a_missing_or_garbled_signature_header_is_refused(
    billing_app, bctx, bclient, stripe_server
):
    net, *_ = _network(billing_app, bctx, customer="cus_genk")
    remote = stripe_server.add_subscription(customer="cus_genk", price="price_small_y")
    body = event("customer.subscription.updated", remote)
    assert post_event(bclient, body, header=None).status_code == 400
    assert post_event(bclient, body, header="garbage").status_code == 400
    assert post_event(bclient, body, header="t=abc,v1=00").status_code == 400
    assert (
        post_event(bclient, b"\xff\xfe not json".decode("latin-1"), header=None).status_code == 400
    )
    _nothing_stored(bctx, net)


def test_the_webhook_needs_no_csrf_token_and_is_not_rate_limited(
    make_app, _billing_app, billing_app, bctx, stripe_server
):
    from tests.billing_support import PRICES

    strict = make_app(
        {"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "2 per minute"},
        env={
            "STRIPE_SECRET_KEY": "sk_test_dorp",
            "STRIPE_WEBHOOK_SECRET": "whsec_test_dorp",
            "STRIPE_API_BASE": stripe_server.url,
            **PRICES,
        },
    )
    client = strict.test_client()
    for n in range(5):
        body = event(
            "invoice.created", {"id": f"in_{n}", "object": "invoice"}, event_id=f"evt_rl_{n}"
        )
        assert post_event(client, body).status_code == 200
    assert len(_events(bctx)) == 5


# ---- exactly once, in any order ----


def test_the_same_event_twice_has_one_effect(
    billing_app, bctx, bclient, stripe_server, run_billing_jobs
):
    net, *_ = _network(billing_app, bctx, customer="cus_genk")
    remote = stripe_server.add_subscription(customer="cus_genk", price="price_medium_m")
    body = event("customer.subscription.created", remote, event_id="evt_twice")
    assert post_event(bclient, body).get_json()["duplicate"] is False
    assert post_event(bclient, body).get_json()["duplicate"] is True
    run_billing_jobs()
    assert post_event(bclient, body).get_json()["duplicate"] is True  # also after it was applied
    run_billing_jobs()
    assert len(_events(bctx)) == 1
    assert len(stripe_server.calls("GET", f"/v1/subscriptions/{remote['id']}")) == 1
    with bctx(net.id):
        changes = db.session.execute(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "billing.status_changed")
        ).scalar_one()
    assert changes == 1
    # and the job itself, run again by hand (a redelivered RQ job), is skipped
    from saas.billing.events import apply

    with bctx():
        assert apply("evt_twice") == "skipped"


def test_subscription_updated_before_created_ends_in_stripes_state(
    billing_app, bctx, bclient, stripe_server, run_billing_jobs
):
    net, *_ = _network(billing_app, bctx, customer="cus_genk")
    remote = stripe_server.add_subscription(customer="cus_genk", price="price_unlimited_y")
    created = event(
        "customer.subscription.created", {**remote, "status": "incomplete"}, created=1000
    )
    updated = event("customer.subscription.updated", remote, created=2000)
    assert post_event(bclient, updated).status_code == 200
    run_billing_jobs()
    assert _sub(bctx, net).status == SubscriptionStatus.ACTIVE
    assert post_event(bclient, created).status_code == 200  # the older event arrives last
    run_billing_jobs()
    sub = _sub(bctx, net)
    assert (sub.status, sub.plan) == (SubscriptionStatus.ACTIVE, "unlimited")
    assert {e.state for e in _events(bctx)} == {EventState.PROCESSED}


def test_checkout_completion_links_the_subscription_found_by_our_metadata(
    billing_app, bctx, bclient, stripe_server, run_billing_jobs
):
    net, *_ = _network(billing_app, bctx)  # no customer recorded yet
    customer = _customer(stripe_server, net.id)
    remote = stripe_server.add_subscription(
        customer=customer, price="price_small_m", network_id=net.id
    )
    session = {
        "id": "cs_1",
        "object": "checkout.session",
        "customer": customer,
        "subscription": remote["id"],
        "client_reference_id": str(net.id),
        "metadata": {"network_id": str(net.id)},
    }
    assert post_event(bclient, event("checkout.session.completed", session)).status_code == 200
    run_billing_jobs()
    sub = _sub(bctx, net)
    assert (sub.status, sub.plan, sub.stripe_customer_id) == (
        SubscriptionStatus.ACTIVE,
        "small",
        customer,
    )


def test_an_event_for_no_known_network_is_kept_but_changes_nothing(
    billing_app, bctx, bclient, stripe_server, run_billing_jobs
):
    net, *_ = _network(billing_app, bctx, customer="cus_genk")
    remote = stripe_server.add_subscription(customer="cus_stranger", price="price_small_m")
    assert post_event(bclient, event("customer.subscription.updated", remote)).status_code == 200
    run_billing_jobs()
    [stored] = _events(bctx)
    assert stored.state == EventState.IGNORED and stored.network_id is None
    assert _sub(bctx, net).status == SubscriptionStatus.TRIALING


def test_metadata_cannot_move_a_network_onto_another_customer(
    billing_app, bctx, bclient, stripe_server, run_billing_jobs
):
    net, *_ = _network(billing_app, bctx, customer="cus_genk")
    remote = stripe_server.add_subscription(
        customer="cus_other", price="price_small_m", network_id=net.id
    )
    assert post_event(bclient, event("customer.subscription.updated", remote)).status_code == 200
    run_billing_jobs()
    assert _sub(bctx, net).stripe_subscription_id is None
    assert _events(bctx)[0].state == EventState.IGNORED


def test_when_stripe_is_down_the_event_waits_and_is_applied_later(
    billing_app, bctx, bclient, stripe_server, run_billing_jobs
):
    net, *_ = _network(billing_app, bctx, customer="cus_genk")
    remote = stripe_server.add_subscription(customer="cus_genk", price="price_small_m")
    stripe_server.fail_next = 100
    assert (
        post_event(
            bclient, event("customer.subscription.updated", remote, event_id="evt_down")
        ).status_code
        == 200
    )
    from saas.billing.events import apply

    with bctx():
        try:
            apply("evt_down")
        except Exception as exc:
            assert "Error" in type(exc).__name__
        else:
            raise AssertionError("expected the Stripe error to reach RQ for a retry")
    [stored] = _events(bctx)
    assert stored.state == EventState.FAILED and stored.attempts == 1
    assert _sub(bctx, net).status == SubscriptionStatus.TRIALING
    stripe_server.fail_next = 0
    with bctx():
        assert apply("evt_down") == "applied"  # what RQ's retry (or the sweep) does
    assert _sub(bctx, net).status == SubscriptionStatus.ACTIVE


def test_when_redis_is_down_the_event_is_kept_and_the_sweep_hands_it_over(
    billing_app, bctx, bclient, stripe_server, run_billing_jobs, monkeypatch
):
    from datetime import timedelta

    from redis.exceptions import ConnectionError as RedisConnectionError

    from workers import relays

    net, *_ = _network(billing_app, bctx, customer="cus_genk")
    remote = stripe_server.add_subscription(customer="cus_genk", price="price_small_m")

    def redis_down(event_id):
        raise RedisConnectionError("redis is down")

    from workers import billing_jobs

    monkeypatch.setattr(billing_jobs.apply_stripe_event, "enqueue", redis_down)
    assert (
        post_event(
            bclient, event("customer.subscription.updated", remote, event_id="evt_redis")
        ).status_code
        == 200
    )
    monkeypatch.undo()
    run_billing_jobs()
    assert _events(bctx)[0].state == EventState.PENDING  # stored, not lost, not yet applied
    with bctx():
        row = db.session.get(StripeEvent, "evt_redis")
        row.received_at = row.received_at - timedelta(minutes=2)
        db.session.commit()
        assert relays.sweep()["stripe_events"] == 1
    run_billing_jobs()
    assert _sub(bctx, net).status == SubscriptionStatus.ACTIVE


# ---- states ----


def test_payment_failed_then_paid_shows_and_clears_the_stewards_banner(
    billing_app, bctx, bclient, stripe_server, run_billing_jobs
):
    net, steward, member, _p = _network(billing_app, bctx, customer="cus_genk")
    remote = stripe_server.add_subscription(customer="cus_genk", price="price_small_y")
    post_event(bclient, event("customer.subscription.created", remote))
    run_billing_jobs()
    invoice = {
        "id": "in_1",
        "object": "invoice",
        "customer": "cus_genk",
        "subscription": remote["id"],
    }
    remote["status"] = "past_due"
    assert post_event(bclient, event("invoice.payment_failed", invoice)).status_code == 200
    run_billing_jobs()
    sub = _sub(bctx, net)
    assert sub.status == SubscriptionStatus.PAST_DUE and sub.last_payment_failed_at is not None
    f.login(bclient, steward)
    page = bclient.get("/genk/dashboard").get_data(as_text=True)
    assert "De laatste betaling voor Dorp is niet gelukt" in page  # the stewards' banner
    other = billing_app.test_client()
    f.login(other, member)
    assert "niet gelukt" not in other.get("/genk/dashboard").get_data(as_text=True)
    # past due is not read-only: partners keep working
    assert other.post("/genk/partner/profile", data={}).status_code != 403

    remote["status"] = "active"
    paid = {
        "id": "in_2",
        "object": "invoice",
        "customer": "cus_genk",
        "parent": {"subscription_details": {"subscription": remote["id"]}},
    }
    assert post_event(bclient, event("invoice.paid", paid)).status_code == 200
    run_billing_jobs()
    sub = _sub(bctx, net)
    assert sub.status == SubscriptionStatus.ACTIVE and sub.last_paid_at is not None
    assert "niet gelukt" not in bclient.get("/genk/dashboard").get_data(as_text=True)


def test_cancellation_makes_the_network_read_only_but_exports_and_families_pages_work(
    billing_app, bctx, bclient, stripe_server, run_billing_jobs
):
    net, steward, member, partner = _network(billing_app, bctx, customer="cus_genk")
    stripe_server.customers["cus_genk"] = {"id": "cus_genk", "object": "customer", "metadata": {}}
    remote = stripe_server.add_subscription(
        customer="cus_genk", price="price_small_y", status="canceled"
    )
    assert post_event(bclient, event("customer.subscription.deleted", remote)).status_code == 200
    run_billing_jobs()
    assert _sub(bctx, net).status == SubscriptionStatus.CANCELLED

    f.login(bclient, member)
    assert bclient.get("/genk/partner/").status_code == 200  # reading works
    refused = bclient.post("/genk/partner/profile", data={"name": "Nieuwe naam"})
    assert refused.status_code == 403
    assert "Dit netwerk kan alleen gelezen worden" in refused.get_data(as_text=True)
    with bctx(net.id):
        assert db.session.get(Partner, partner.id).name == "Welzijnshuis genk"
    assert bclient.get("/genk/").status_code == 200  # the families' page
    assert bclient.get("/genk/agenda.ics").status_code == 200

    steward_client = billing_app.test_client()
    f.login(steward_client, steward)
    assert (
        steward_client.post("/genk/network/partners/invite", data={"name": "X"}).status_code == 403
    )
    assert steward_client.get("/genk/billing/").status_code == 200
    to_stripe = steward_client.post(
        "/genk/billing/checkout", data={"plan": "small", "interval": "monthly"}
    )
    assert to_stripe.status_code == 303  # stewards can subscribe again
    portal = steward_client.post("/genk/billing/portal")
    assert portal.status_code == 303
    assert portal.headers["Location"] == f"{stripe_server.url}/portal/cus_genk"
    export = steward_client.post("/genk/referrals/privacy/export", data={})
    assert export.status_code != 403


def test_a_trial_that_ended_without_a_plan_is_read_only(billing_app, bctx, bclient):
    from datetime import timedelta

    from saas.models_base import utcnow

    _net, steward, member, _p = _network(
        billing_app, bctx, trial_ends_at=utcnow() - timedelta(days=1)
    )
    f.login(bclient, member)
    assert bclient.post("/genk/partner/profile", data={"name": "x"}).status_code == 403
    f.login(bclient, steward)
    page = bclient.get("/genk/billing/").get_data(as_text=True)
    assert "Trial ended" in page or "Proefperiode voorbij" in page


def test_a_new_network_gets_a_30_day_trial(billing_app, bctx):
    from saas.models_base import utcnow

    net, *_ = _network(billing_app, bctx)
    sub = _sub(bctx, net)
    assert sub.status == SubscriptionStatus.TRIALING
    assert 29 <= (sub.trial_ends_at - utcnow()).days <= 30
    assert not sub.read_only


# ---- checkout and portal ----


def test_checkout_creates_a_customer_and_sends_the_steward_to_stripe(
    billing_app, bctx, bclient, stripe_server
):
    net, steward, *_ = _network(billing_app, bctx)
    f.login(bclient, steward)
    page = bclient.get("/genk/billing/").get_data(as_text=True)
    assert "Continue to payment" in page or "Verder naar betalen" in page
    response = bclient.post("/genk/billing/checkout", data={"plan": "medium", "interval": "yearly"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"{stripe_server.url}/checkout/cs_")
    [customer] = stripe_server.calls("POST", "/v1/customers")
    assert customer["metadata"]["network_id"] == str(net.id)
    [session] = stripe_server.calls("POST", "/v1/checkout/sessions")
    assert session["mode"] == "subscription"
    assert session["line_items"][0] == {"price": "price_medium_y", "quantity": "1"}
    assert session["client_reference_id"] == str(net.id)
    assert session["subscription_data"]["metadata"]["network_id"] == str(net.id)
    assert (
        int(session["subscription_data"]["trial_end"]) > time.time() + 28 * 86400
    )  # trial carries over
    assert not any("card" in key for key in session)  # no card data passes through Dorp
    assert _sub(bctx, net).stripe_customer_id.startswith("cus_")
    # a second attempt reuses the customer
    bclient.post("/genk/billing/checkout", data={"plan": "small", "interval": "monthly"})
    assert len(stripe_server.calls("POST", "/v1/customers")) == 1


def test_checkout_refuses_an_unknown_plan_and_survives_stripe_being_down(
    billing_app, bctx, bclient, stripe_server
):
    net, steward, *_ = _network(billing_app, bctx)
    f.login(bclient, steward)
    assert (
        bclient.post(
            "/genk/billing/checkout", data={"plan": "gold", "interval": "yearly"}
        ).status_code
        == 422
    )
    assert (
        bclient.post(
            "/genk/billing/checkout", data={"plan": "small", "interval": "daily"}
        ).status_code
        == 422
    )
    stripe_server.fail_next = 100
    down = bclient.post("/genk/billing/checkout", data={"plan": "small", "interval": "yearly"})
    assert down.status_code == 503
    assert "Stripe" in down.get_data(as_text=True)
    assert _sub(bctx, net).stripe_customer_id is None


def test_portal_needs_a_customer_and_redirects_to_stripe(billing_app, bctx, bclient, stripe_server):
    net, steward, *_ = _network(billing_app, bctx)
    f.login(bclient, steward)
    assert (
        bclient.post("/genk/billing/portal").status_code == 302
    )  # no customer yet: back, with a message
    customer = _customer(stripe_server, net.id)
    with bctx(net.id):
        db.session.execute(select(Subscription)).scalar_one().stripe_customer_id = customer
        db.session.commit()
    response = bclient.post("/genk/billing/portal")
    assert response.status_code == 303
    [call] = stripe_server.calls("POST", "/v1/billing_portal/sessions")
    assert call["customer"] == customer and call["return_url"].endswith("/genk/billing/")


def test_billing_pages_are_for_stewards_and_the_platform_admin(billing_app, bctx, bclient):
    _net, steward, member, _p = _network(billing_app, bctx)
    _other, other_steward, *_ = _network(billing_app, bctx, "hasselt")
    admin = f.user(billing_app, "admin@dorp.example", admin=True)
    f.login(bclient, steward)
    assert bclient.get("/genk/billing/").status_code == 200
    f.login(bclient, member)
    assert bclient.get("/genk/billing/").status_code == 403
    assert (
        bclient.post(
            "/genk/billing/checkout", data={"plan": "small", "interval": "yearly"}
        ).status_code
        == 403
    )
    assert bclient.post("/genk/billing/portal").status_code == 403
    f.login(bclient, other_steward)
    assert bclient.get("/genk/billing/").status_code == 404
    f.login(bclient, admin)
    assert bclient.get("/genk/billing/").status_code == 200
    anonymous = billing_app.test_client()
    assert "/auth/login" in anonymous.get("/genk/billing/").headers["Location"]


# ---- plan limits ----


def test_plan_limits_partners_one_by_one_and_by_csv(billing_app, bctx, bclient):
    import io

    net, steward, *_ = _network(billing_app, bctx, plan="small")
    for n in range(8):
        f.partner(billing_app, net, f"Partner {n}")
    f.login(bclient, steward)  # 9 partners now; the small plan allows 10
    ok = bclient.post(
        "/genk/network/partners/invite",
        data={"name": "Tiende", "sector": "welfare", "contact_email": "tien@x.example"},
    )
    assert ok.status_code == 302
    refused = bclient.post(
        "/genk/network/partners/invite",
        data={"name": "Elfde", "sector": "welfare", "contact_email": "elf@x.example"},
    )
    assert refused.status_code == 422
    assert "10" in refused.get_data(as_text=True)
    with bctx(net.id):
        assert db.session.execute(select(func.count()).select_from(Partner)).scalar_one() == 10
    with bctx(net.id):
        db.session.execute(select(Subscription)).scalar_one().plan = "unlimited"
        db.session.commit()
    assert (
        bclient.post(
            "/genk/network/partners/invite",
            data={"name": "Elfde", "sector": "welfare", "contact_email": "elf@x.example"},
        ).status_code
        == 302
    )
    with bctx(net.id):
        db.session.execute(select(Subscription)).scalar_one().plan = "small"
        db.session.commit()
    csv = "naam;sector;e-mail\nCKG;welfare;ckg@x.example\nCLB;education;clb@x.example\n"
    preview = bclient.post(
        "/genk/network/partners/import",
        data={"file": (io.BytesIO(csv.encode()), "p.csv")},
        content_type="multipart/form-data",
    )
    payload = (
        preview.get_data(as_text=True)
        .split('name="payload" type="hidden" value="')[1]
        .split('"')[0]
    )
    confirm = bclient.post("/genk/network/partners/import", data={"payload": payload})
    assert confirm.status_code == 422
    with bctx(net.id):
        assert db.session.execute(select(func.count()).select_from(Partner)).scalar_one() == 11


# ---- billing off ----


def test_billing_off_without_keys_everything_is_free(app, client, ctx):
    from saas.onboarding import networks as onboarding

    with app.test_request_context(), ctx():
        network = onboarding.create_network(
            slug="genk", name="Huis van het Kind Genk", municipality="Genk"
        )
        db.session.commit()
        net = f.Ref(id=network.id, slug="genk")
    with ctx(net.id):
        assert (
            db.session.execute(select(Subscription)).scalar_one_or_none() is None
        )  # no trial, free
    steward = f.user(app, "regie@genk.example", (net, Role.STEWARD))
    for n in range(60):
        f.partner(app, net, f"Partner {n}")
    f.login(client, steward)
    invited = client.post(
        "/genk/network/partners/invite",
        data={"name": "Nog een", "sector": "welfare", "contact_email": "x@x.example"},
    )
    assert invited.status_code == 302  # no plan limit
    dashboard = client.get("/genk/dashboard").get_data(as_text=True)
    assert "/genk/billing/" not in dashboard  # no billing navigation
    assert client.get("/genk/billing/").status_code == 200  # the page says billing is off
    assert (
        client.post(
            "/genk/billing/checkout", data={"plan": "small", "interval": "yearly"}
        ).status_code
        == 404
    )
    body = json.dumps(
        event("customer.subscription.updated", {"id": "sub_x", "object": "subscription"})
    )
    from tests.stripe_server import sign

    hook = client.post(
        "/billing/stripe/webhook", data=body, headers={"Stripe-Signature": sign(body, "whsec_x")}
    )
    assert hook.status_code == 404
    with ctx():
        assert db.session.execute(select(func.count()).select_from(StripeEvent)).scalar_one() == 0
    assert client.get("/start").status_code == 200  # sign-up still works


def test_a_cancelled_state_recorded_while_billing_is_off_does_not_lock_anyone_out(app, client, ctx):
    net = f.network(app, "genk")
    member_partner = f.partner(app, net, "Welzijnshuis")
    member = f.user(app, "p@genk.example", (net, Role.PARTNER_ADMIN, member_partner))
    with ctx(net.id):
        db.session.add(Subscription(plan="small", status=SubscriptionStatus.CANCELLED))
        db.session.commit()
    f.login(client, member)
    assert client.post("/genk/partner/profile", data={}).status_code != 403


# ---- demo ----


@pytest.mark.demo_world
def test_demo_billing_states_seed_twice_and_show_read_only_with_billing_off(app, client, ctx):
    first, second = seeded_twice(app)
    assert (first["subscriptions"], first["stripe_events"]) == (2, 9)
    assert (second["subscriptions"], second["stripe_events"]) == (0, 0)
    with ctx():
        from tenants.models import Network

        ids = dict(db.session.execute(select(Network.slug, Network.id)).all())
    states = {}
    for slug, network_id in ids.items():
        with ctx(network_id):
            states[slug] = db.session.execute(select(Subscription.status)).scalar_one()
    assert states == {
        "beringen": SubscriptionStatus.ACTIVE,
        "sint-truiden": SubscriptionStatus.PAST_DUE,
    }
    client.post("/auth/login", data={"email": "regie@sint-truiden.demo", "password": "dorp-demo"})
    page = client.get("/sint-truiden/billing/").get_data(as_text=True)
    assert "Betaling achterstallig" in page and "invoice.payment_failed" in page
    assert "Verder naar betalen" not in page  # billing off: state shown, no actions
    assert "niet gelukt" not in client.get("/sint-truiden/dashboard").get_data(as_text=True)


# ---- the platform admin, and routes outside any network ----


def test_the_platform_admin_sees_every_networks_billing_and_nobody_else_does(
    billing_app, bctx, bclient
):
    _network(billing_app, bctx, "genk")
    _net, steward, *_ = _network(billing_app, bctx, "hasselt", status=SubscriptionStatus.PAST_DUE)
    admin = f.user(billing_app, "admin@dorp.example", admin=True)
    assert "/auth/login" in bclient.get("/admin/billing").headers["Location"]
    f.login(bclient, steward)
    assert bclient.get("/admin/billing").status_code == 404
    f.login(bclient, admin)
    page = bclient.get("/admin/billing").get_data(as_text=True)
    assert "Huis van het Kind genk" in page and "Huis van het Kind hasselt" in page
    assert "Betaling achterstallig" in page and "Proefperiode" in page


def test_routes_outside_a_network_show_nothing_of_any_network(app, client):
    """Sign-up and webhook are public by design; they never show a network's people or data."""
    from tests.world import build_world

    _beringen, sint_truiden = build_world(app)
    public = {
        "billing.start": {200},
        "billing.start_sent": {200},
        "billing.confirm_signup": {410},
        "billing.stripe_webhook": {404, 405},  # billing off: no webhook at all
    }
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("billing.")]
    outside = {r.endpoint for r in rules if "slug" not in r.arguments}
    assert outside == set(public) | {"billing.platform_overview"}
    for rule in rules:
        if rule.endpoint not in public:
            continue
        url = app.url_map.bind("localhost").build(
            rule.endpoint, {"token": sint_truiden.invitation_token}
        )
        for method in sorted(m for m in rule.methods if m in {"GET", "POST"}):
            response = client.open(url, method=method, data={})
            assert response.status_code in public[rule.endpoint] | {422}, (method, url)
            body = response.get_data(as_text=True)
            for secret in sint_truiden.secrets:
                assert secret not in body, (method, url, secret)


def test_outsiders_of_a_read_only_network_get_the_usual_answers(billing_app, bctx, bclient):
    _net, _steward, member, _p = _network(
        billing_app, bctx, "genk", status=SubscriptionStatus.CANCELLED
    )
    _other, other_steward, *_ = _network(billing_app, bctx, "hasselt")
    anonymous = billing_app.test_client()
    assert "/auth/login" in anonymous.post("/genk/partner/profile").headers["Location"]
    f.login(bclient, other_steward)
    assert bclient.post("/genk/partner/profile", data={}).status_code == 404
    f.login(bclient, member)
    assert bclient.post("/genk/partner/profile", data={}).status_code == 403


def test_unconfirmed_sign_ups_are_forgotten_after_a_week(billing_app, bctx):
    from datetime import timedelta

    from saas.billing.models import NetworkSignup
    from saas.models_base import utcnow
    from workers.billing_jobs import purge_signups

    with bctx():
        for days in (1, 8):
            db.session.add(
                NetworkSignup(
                    email=f"x{days}@x.example",
                    contact_name="X",
                    network_name="N",
                    slug=f"n{days}",
                    municipality="M",
                    created_at=utcnow() - timedelta(days=days),
                )
            )
        db.session.commit()
        assert purge_signups() == 1
        assert [s.slug for s in db.session.execute(select(NetworkSignup)).scalars()] == ["n1"]


def test_junk_to_every_billing_route_with_billing_on_is_never_a_500(
    billing_app, bctx, bclient, stripe_server
):
    from tests.test_bad_input import JUNK

    _net, steward, *_ = _network(billing_app, bctx, customer="cus_genk")
    stripe_server.customers["cus_genk"] = {"id": "cus_genk", "object": "customer"}
    f.login(bclient, steward)
    values = {"slug": "genk", "token": "junk"}
    for rule in billing_app.url_map.iter_rules():
        if not rule.endpoint.startswith("billing."):
            continue
        url = billing_app.url_map.bind("localhost").build(
            rule.endpoint, {k: values[k] for k in rule.arguments}
        )
        for method in sorted(m for m in rule.methods if m in {"GET", "POST"}):
            for junk in JUNK:
                if method == "GET":
                    flat = {k: v for k, v in junk.items() if isinstance(v, str)}
                    response = bclient.get(url, query_string=flat)
                else:
                    response = bclient.post(url, data=junk)
                assert response.status_code < 500, (method, url, list(junk))
    assert _sub(bctx, _net).stripe_subscription_id is None
