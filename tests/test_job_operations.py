"""The platform admin sees the queues, the workers and the failed jobs with their error, retries
or deletes them (deleting after a confirmation), and sends stuck e-mails and Stripe events again:
all by id, never showing a person's data."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from rq.registry import FailedJobRegistry
from sqlalchemy import select, update

from saas.billing.models import EventState, StripeEvent
from saas.connections import redis_connection
from saas.extensions import db
from saas.models_base import utcnow
from saas.notifications.models import OutboxMessage, OutboxState
from saas.outbox import MAX_ATTEMPTS
from tenants.models import Role
from tests import factories as f
from tests.confirm_support import ask, confirmed
from tests.conftest import free_port, job_runner
from tests.demo_world import seeded_twice
from tests.mail import links_in_mailbox
from workers.jobs import deliver_email
from workers.queues import NOTIFICATIONS, queue

STEWARD = "regie@beringen.example"


@pytest.fixture
def admin_client(app):
    admin = f.user(app, "admin@dorp.example", admin=True)
    client = app.test_client()
    f.login(client, admin)
    return client


@pytest.fixture
def broken_mail(make_app):
    """The same Dorp with its mail server down."""
    return make_app(env={"MAIL_URL": f"smtp://127.0.0.1:{free_port()}?timeout=2"})


def a_password_reset(app) -> int:
    """A steward forgot their password: one e-mail in the outbox, its job in the queue."""
    net = f.network(app, "beringen")
    f.user(app, STEWARD, (net, Role.STEWARD), name="Els Regie")
    assert app.test_client().post("/auth/forgot", data={"email": STEWARD}).status_code == 302
    with app.app_context():
        return db.session.execute(select(OutboxMessage.id)).scalar_one()


def failed_delivery(app, broken, message_id: int) -> str:
    """The e-mail's delivery job failed for good while the mail server was down: a job with no
    retries left (the relay's own job, with its three retries, is taken off the queue)."""
    with app.app_context():
        queue(NOTIFICATIONS).empty()
        job = queue(NOTIFICATIONS).enqueue(deliver_email, message_id)
    job_runner(broken)()
    assert job.id in failed_ids(app)
    return job.id


def failed_ids(app) -> list[str]:
    with app.app_context():
        return FailedJobRegistry(NOTIFICATIONS, connection=redis_connection()).get_job_ids()


def test_a_failed_job_is_shown_with_its_error_and_retried_from_the_admin_page(
    app, admin_client, broken_mail, run_jobs, environ
):
    message_id = a_password_reset(app)
    job_id = failed_delivery(app, broken_mail, message_id)

    page = admin_client.get("/admin/jobs")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert job_id in text
    assert "workers.jobs.deliver_email" in text
    assert "ConnectionRefusedError" in text  # the error's last line
    assert STEWARD not in text and "Els Regie" not in text  # ids only
    notifications_row = re.search(r"<th scope=\"row\">notifications</th>(.*?)</tr>", text)
    assert notifications_row and notifications_row.group(1).count(">1<") == 1  # one failed

    retried = admin_client.post("/admin/jobs/retry", data={"job_id": job_id})
    assert retried.status_code == 303
    assert failed_ids(app) == []
    with app.app_context():
        assert queue(NOTIFICATIONS).job_ids == [job_id]
    run_jobs()  # the mail server is back
    with app.app_context():
        assert db.session.get(OutboxMessage, message_id).state == OutboxState.SENT
    assert len(links_in_mailbox(environ, STEWARD, "/auth/reset/")) == 1
    told = admin_client.get("/admin/jobs").get_data(as_text=True)
    assert re.search(rf'role="status">[^<]*{job_id}', told)  # "job … is back in its queue"
    assert job_id not in admin_client.get("/admin/jobs").get_data(as_text=True)


def test_retrying_a_job_that_is_gone_says_so_and_changes_nothing(app, admin_client):
    for junk in ("", "no-such-job", "x" * 300, "../../etc", "a b"):
        response = admin_client.post("/admin/jobs/retry", data={"job_id": junk})
        assert response.status_code == 303
        page = admin_client.get("/admin/jobs").get_data(as_text=True)
        assert "no longer among the failed jobs" in page or "niet meer bij" in page


def test_all_failed_jobs_of_a_kind_are_retried_at_once(app, admin_client, broken_mail):
    message_id = a_password_reset(app)
    failed_delivery(app, broken_mail, message_id)
    failed_delivery(app, broken_mail, message_id)
    assert len(failed_ids(app)) == 2
    kind = {"queue": NOTIFICATIONS, "kind": "workers.jobs.deliver_email"}
    assert admin_client.post("/admin/jobs/retry-all", data=kind).status_code == 303
    assert failed_ids(app) == []
    with app.app_context():
        assert queue(NOTIFICATIONS).count == 2
    other = {"queue": "nonsense", "kind": "workers.jobs.deliver_email"}
    assert admin_client.post("/admin/jobs/retry-all", data=other).status_code == 303


def test_deleting_failed_jobs_asks_first_and_a_new_failure_makes_the_question_stale(
    app, admin_client, broken_mail
):
    message_id = a_password_reset(app)
    first = failed_delivery(app, broken_mail, message_id)
    kind = {"queue": NOTIFICATIONS, "kind": "workers.jobs.deliver_email"}

    question = ask(admin_client, "/admin/jobs/delete-all", kind)
    assert question.status_code == 200 and "confirm_token" in question.get_data(as_text=True)
    assert failed_ids(app) == [first]  # asking deletes nothing

    from tests.confirm_support import token_on

    token = token_on(question.get_data(as_text=True))
    second = failed_delivery(app, broken_mail, message_id)  # meanwhile, another one failed
    stale = admin_client.post("/admin/jobs/delete-all", data={**kind, "confirm_token": token})
    assert stale.status_code == 409
    assert sorted(failed_ids(app)) == sorted([first, second])

    done = confirmed(admin_client, "/admin/jobs/delete-all", kind)
    assert done.status_code == 303
    assert failed_ids(app) == []

    third = failed_delivery(app, broken_mail, message_id)
    assert ask(admin_client, "/admin/jobs/delete", {"job_id": third}).status_code == 200
    assert failed_ids(app) == [third]
    assert confirmed(admin_client, "/admin/jobs/delete", {"job_id": third}).status_code == 303
    assert failed_ids(app) == []
    with app.app_context():
        assert db.session.get(OutboxMessage, message_id) is not None  # the e-mail itself stays


def test_an_e_mail_that_gave_up_is_sent_again_from_the_outbox_backlog(
    app, admin_client, run_jobs, environ
):
    message_id = a_password_reset(app)
    with app.app_context():
        queue(NOTIFICATIONS).empty()
        db.session.execute(
            update(OutboxMessage).values(
                state=OutboxState.FAILED,
                attempts=MAX_ATTEMPTS,
                last_error=f"SMTPRecipientsRefused: {{'{STEWARD}': (550, b'no')}}",
                created_at=utcnow() - timedelta(hours=3),
                sending_since=utcnow() - timedelta(hours=2),
            )
        )
        db.session.commit()

    page = admin_client.get("/admin/jobs").get_data(as_text=True)
    assert "1 e-mail is not sent yet" in page or "1 e-mail is nog niet verstuurd" in page
    assert "SMTPRecipientsRefused" in page and STEWARD not in page
    assert "password_reset" in page or "reset" in page

    again = admin_client.post("/admin/jobs/outbox/send-again", data={"message_id": message_id})
    assert again.status_code == 303
    run_jobs()
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        assert message.state == OutboxState.SENT and message.attempts == 1
    assert len(links_in_mailbox(environ, STEWARD, "/auth/reset/")) == 1

    # sent now: sending again does nothing
    admin_client.post("/admin/jobs/outbox/send-again", data={"message_id": message_id})
    for junk in ("", "abc", "99999999999999"):
        response = admin_client.post("/admin/jobs/outbox/send-again", data={"message_id": junk})
        assert response.status_code == 303
    with app.app_context():
        assert queue(NOTIFICATIONS).count == 0


def test_a_stripe_event_that_failed_is_handed_to_the_billing_queue_again(app, admin_client):
    with app.app_context():
        db.session.add(
            StripeEvent(
                id="evt_1Failed",
                type="invoice.payment_failed",
                created=utcnow(),
                state=EventState.FAILED,
                attempts=MAX_ATTEMPTS,
                last_error="APIConnectionError",
                received_at=utcnow() - timedelta(hours=1),
                processing_since=utcnow() - timedelta(hours=1),
            )
        )
        db.session.commit()
    page = admin_client.get("/admin/jobs").get_data(as_text=True)
    assert "evt_1Failed" in page and "invoice.payment_failed" in page
    again = admin_client.post(
        "/admin/jobs/stripe-events/send-again", data={"event_id": "evt_1Failed"}
    )
    assert again.status_code == 303
    with app.app_context():
        event = db.session.get(StripeEvent, "evt_1Failed")
        assert event.state == EventState.PENDING and event.attempts == 0
        [job] = queue("billing").get_jobs()
        assert job.args == ("evt_1Failed",)


def test_the_job_pages_are_for_the_platform_admin_only(app):
    net = f.network(app, "beringen")
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")]
    assert {r.endpoint for r in rules} >= {
        "admin.jobs",
        "admin.retry_job",
        "admin.delete_job",
        "admin.retry_kind",
        "admin.delete_kind",
        "admin.send_message_again",
        "admin.send_event_again",
    }
    anonymous = app.test_client()
    people = {role: f.user(app, f"{role.value}@beringen.example", (net, role)) for role in Role}
    urls = app.url_map.bind("localhost")
    for rule in rules:
        ids = {name: net.id if name == "network_id" else 1 for name in rule.arguments}
        url = urls.build(rule.endpoint, ids)  # provider_id, offboarding's network_id
        for method in sorted(m for m in rule.methods if m in {"GET", "POST"}):
            response = anonymous.open(url, method=method, data={})
            assert response.status_code == 302, (url, method)
            assert "/auth/login" in response.headers["Location"]
            for role, person in people.items():
                client = app.test_client()
                f.login(client, person)
                response = client.open(url, method=method, data={"job_id": "x"})
                assert response.status_code == 404, (role, url, method)


def test_the_admins_posts_need_the_csrf_token(app, make_app):
    guarded = make_app({"WTF_CSRF_ENABLED": True})
    admin = f.user(guarded, "admin@dorp.example", admin=True)
    client = guarded.test_client()
    login = client.get("/auth/login").get_data(as_text=True)
    token = login.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    credentials = {"email": admin.email, "password": f.PASSWORD, "csrf_token": token}
    assert client.post("/auth/login", data=credentials).status_code == 302
    second = {"code": f.fresh_code(client, admin), "csrf_token": token}
    assert client.post("/auth/second-factor", data=second).status_code == 302
    page = client.get("/admin/jobs")
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)
    for path in (
        "/admin/jobs/retry",
        "/admin/jobs/delete",
        "/admin/jobs/retry-all",
        "/admin/jobs/delete-all",
        "/admin/jobs/outbox/send-again",
        "/admin/jobs/stripe-events/send-again",
    ):
        assert client.post(path, data={"job_id": "x"}).status_code == 400, path


@pytest.mark.demo_world
def test_the_demo_shows_a_backlog_to_send_again_in_both_networks(app, make_app, run_jobs):
    first, second = seeded_twice(app)
    assert (first["failed_emails"], first["stuck_stripe_events"]) == (2, 1)
    assert (second["failed_emails"], second["stuck_stripe_events"]) == (0, 0)
    run_jobs()  # the workers leave them alone: their attempts are used up
    with app.app_context():
        given_up = select(OutboxMessage).where(OutboxMessage.state == OutboxState.FAILED)
        assert len(db.session.execute(given_up).scalars().all()) == 2
    # as on a laptop's demo (`make run`), where the admin signs in with the password alone
    client = make_app({"TWO_FACTOR_FOR_ADMIN": False}).test_client()
    client.post("/auth/login", data={"email": "admin@dorp.demo", "password": "dorp-demo"})
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert page.count("beringen") >= 1 and page.count("sint-truiden") >= 2
    assert "evt_demo_sint_truiden_stuck_1" in page
    assert "SMTPRecipientsRefused" in page and "SMTPServerDisconnected" in page
    assert page.count(": mislukt ·") == 3  # the state, in the page's language
    assert "@" not in re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S).split("<main")[1]
