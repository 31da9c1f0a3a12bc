# ruff: noqa: F811  (pytest fixtures imported from tests.billing_support)
"""Starting a network from the public site: request, confirmation e-mail, network + steward + trial."""

from __future__ import annotations

from sqlalchemy import func, select

from saas.accounts.models import User
from saas.billing.models import NetworkSignup, Subscription, SubscriptionStatus
from saas.extensions import db
from tenants.context import all_networks
from tenants.models import Membership, Network, Role
from tests import factories as f
from tests.billing_support import (  # noqa: F401  (fixtures)
    _billing_app,
    bclient,
    bctx,
    billing_app,
    run_billing_jobs,
    stripe_server,
)
from tests.mail import links_in_mailbox

FORM = {
    "network_name": "Huis van het Kind Genk",
    "slug": "genk",
    "municipality": "Genk",
    "contact_name": "An Peeters",
    "email": "An.Peeters@genk.example",
    "language": "nl",
}


def _count(ctx, model) -> int:
    with ctx(), all_networks():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _link(environ) -> str:
    [link] = links_in_mailbox(environ, "an.peeters@genk.example", "/start/confirm/")
    return link.replace("http://localhost", "")


def test_start_a_network_confirm_the_address_and_become_its_first_steward(
    billing_app, bclient, bctx, run_billing_jobs, environ
):
    assert bclient.get("/start").status_code == 200
    response = bclient.post("/start", data=FORM)
    assert response.status_code == 302 and response.headers["Location"].endswith("/start/sent")
    assert _count(bctx, Network) == 0  # nothing is created before the address is confirmed
    run_billing_jobs()
    link = _link(environ)

    page = bclient.get(link)
    assert page.status_code == 200 and "Genk" in page.get_data(as_text=True)
    done = bclient.post(
        link,
        data={
            "name": "An Peeters",
            "language": "nl",
            "password": "een lang wachtwoord",
            "confirm": "een lang wachtwoord",
        },
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/genk/dashboard")
    assert bclient.get("/genk/dashboard").status_code == 200  # logged in, as steward

    with bctx():
        network = db.session.execute(select(Network).where(Network.slug == "genk")).scalar_one()
        user = db.session.execute(select(User)).scalar_one()
        assert user.email == "an.peeters@genk.example"
    with bctx(network.id):
        [membership] = db.session.execute(select(Membership)).scalars().all()
        assert (membership.user_id, membership.role) == (user.id, Role.STEWARD)
        sub = db.session.execute(select(Subscription)).scalar_one()
        assert sub.status == SubscriptionStatus.TRIALING and sub.trial_ends_at is not None
    assert _count(bctx, NetworkSignup) == 0  # the request is gone once used

    again = billing_app.test_client().get(link)
    assert again.status_code == 410  # single use


def test_bad_sign_up_input_is_refused_with_422_and_nothing_is_created(billing_app, bclient, bctx):
    f.network(billing_app, "hasselt")
    cases = [
        {**FORM, "email": "not-an-address"},
        {**FORM, "slug": "Genk Centrum"},
        {**FORM, "slug": "admin"},  # reserved
        {**FORM, "slug": "hasselt"},  # taken
        {**FORM, "network_name": ""},
        {**FORM, "language": "xx"},
        {},
    ]
    for data in cases:
        response = bclient.post("/start", data=data)
        assert response.status_code == 422, data
    body = bclient.post("/start", data={**FORM, "slug": "hasselt"}).get_data(as_text=True)
    assert "already taken" in body or "al in gebruik" in body
    assert _count(bctx, NetworkSignup) == 0
    assert _count(bctx, Network) == 1


def test_a_forged_or_foreign_confirmation_link_creates_nothing(billing_app, bclient, bctx):
    assert bclient.get("/start/confirm/forged-token").status_code == 410
    assert bclient.post("/start/confirm/forged-token", data={}).status_code == 410
    from saas.onboarding import invitations

    net = f.network(billing_app, "hasselt")
    with billing_app.test_request_context(), bctx(net.id):
        invitation = invitations.invite(
            network=db.session.get(Network, net.id), email="x@x.example", role=Role.SE_WORKER
        )
        db.session.commit()
        token = invitations.token_for(invitation)  # signed, but for another purpose
    assert bclient.get(f"/start/confirm/{token}").status_code == 410
    assert _count(bctx, Network) == 1


def test_an_address_taken_before_confirmation_creates_nothing(
    billing_app, bclient, bctx, run_billing_jobs, environ
):
    bclient.post("/start", data=FORM)
    run_billing_jobs()
    link = _link(environ)
    f.network(billing_app, "genk")  # someone else was quicker
    response = bclient.post(
        link,
        data={"name": "An", "language": "nl", "password": "x" * 12, "confirm": "x" * 12},
    )
    assert response.status_code == 409
    assert _count(bctx, User) == 0  # the account was not kept either
    assert _count(bctx, Network) == 1


def test_an_existing_account_logs_in_first_and_keeps_its_other_networks(
    billing_app, bclient, bctx, run_billing_jobs, environ
):
    other = f.network(billing_app, "hasselt")
    person = f.user(billing_app, "an.peeters@genk.example", (other, Role.STEWARD))
    bclient.post("/start", data=FORM)
    run_billing_jobs()
    link = _link(environ)
    page = bclient.get(link)
    assert "/auth/login" in page.get_data(as_text=True)
    f.login(bclient, person)
    assert bclient.post(link, data={}).status_code == 302
    with bctx():
        genk = db.session.execute(select(Network).where(Network.slug == "genk")).scalar_one()
    with bctx(genk.id):
        assert db.session.execute(select(Membership.user_id)).scalar_one() == person.id
    intruder = f.user(billing_app, "someone@else.example")
    bclient.post("/start", data={**FORM, "slug": "genk-2"})
    run_billing_jobs()
    second = [
        link for link in links_in_mailbox(environ, "an.peeters@genk.example", "/start/confirm/")
    ]
    other_client = billing_app.test_client()
    f.login(other_client, intruder)
    assert other_client.post(second[-1].replace("http://localhost", ""), data={}).status_code == 403


def test_sign_up_works_with_billing_off_and_the_network_is_free(
    app, client, ctx, run_jobs, environ
):
    assert client.post("/start", data=FORM).status_code == 302
    run_jobs()
    link = _link(environ)
    done = client.post(
        link,
        data={"name": "An", "language": "nl", "password": "x" * 12, "confirm": "x" * 12},
    )
    assert done.status_code == 302
    assert _count(ctx, Network) == 1
    assert _count(ctx, Subscription) == 0  # free: no trial, no plan


def test_the_platform_admin_creates_a_network_that_starts_on_a_trial(billing_app, bclient, bctx):
    admin = f.user(billing_app, "admin@dorp.example", admin=True)
    f.login(bclient, admin)
    response = bclient.post(
        "/admin/networks",
        data={
            "name": "Huis van het Kind Genk",
            "slug": "genk",
            "municipality": "Genk",
            "default_language": "nl",
            "steward_email": "regie@genk.example",
        },
    )
    assert response.status_code == 302
    with bctx():
        genk = db.session.execute(select(Network).where(Network.slug == "genk")).scalar_one()
    with bctx(genk.id):
        sub = db.session.execute(select(Subscription)).scalar_one()
    assert sub.status == SubscriptionStatus.TRIALING


def test_the_sign_up_email_quotes_the_typed_name_in_its_body_only_with_a_warning(
    billing_app, bclient, run_billing_jobs, environ
):
    from tests.mail import messages

    typed = "Uw pakket wacht:\nga naar http://evil.example"
    response = bclient.post("/start", data={**FORM, "network_name": typed})
    assert response.status_code == 302
    run_billing_jobs()
    [message] = [m for m in messages(environ) if m["To"] == "an.peeters@genk.example"]
    assert message["Subject"] == "Bevestig je nieuwe netwerk op Dorp"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert '"Uw pakket wacht: ga naar http://evil.example"' in text  # quoted, on one line
    assert "\nga naar" not in text
    for body in (text, html):
        assert "precies zoals die in het formulier getypt werd" in body
        assert "Heb je hier niet om gevraagd? Negeer dan deze e-mail" in body
        assert "getypt door wie het formulier invulde, niet door Dorp" in body


def test_sign_up_emails_are_limited_per_recipient_address_from_any_ip(make_app, app):
    from saas.extensions import limiter

    limited = make_app(
        {"RATELIMIT_ENABLED": True},
        {"SIGNUP_RECIPIENT_RATE_LIMIT": "2 per day", "LOGIN_RATE_LIMIT": "100 per minute"},
    )
    try:

        def ask(email: str, ip: str, **extra) -> int:
            client = limited.test_client()
            data = {**FORM, "email": email, **extra}
            return client.post("/start", data=data, environ_base={"REMOTE_ADDR": ip}).status_code

        victim = "an.peeters@genk.example"
        assert ask(victim, "10.0.0.1", slug="") == 422  # a refused form sends nothing: not counted
        assert [ask(victim, "10.0.0.1"), ask("AN.Peeters@Genk.example", "10.0.0.2")] == [302, 302]
        assert ask(victim, "10.0.0.3") == 429  # a third e-mail to the same address, from elsewhere
        assert ask("someone.else@genk.example", "10.0.0.3") == 302
        assert _count_outbox(limited, victim) == 2
    finally:
        limiter.enabled = False  # one limiter per process: leave it as the other tests expect


def _count_outbox(app, recipient: str) -> int:
    from saas.notifications.models import OutboxMessage

    with app.app_context():
        return db.session.execute(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.recipient == recipient)
        ).scalar_one()
