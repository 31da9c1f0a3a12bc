"""Closed-loop referrals: only the two partners see them, consent first, every step checked."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update

from saas.audit.models import AuditEvent
from saas.extensions import db
from saas.models_base import utcnow
from saas.notifications.models import OutboxMessage
from saas.partners.models import Sector
from saas.referrals.models import Referral, ReferralEvent, ReferralMessage, Status
from saas.referrals.services import working_days_after
from tenants.context import network_scope
from tenants.models import Role
from tests import catalogue_factories as cf
from tests import factories as f
from tests.confirm_support import confirmed
from tests.conftest import free_port
from tests.mail import messages
from tests.snapshots import built_once


@pytest.fixture
def cast(app):
    return _cast(app)


@built_once
def _cast(app):
    net = f.network(app, "beringen")
    ocmw = f.partner(app, net, "OCMW Beringen")
    kg = f.partner(app, net, "Kind & Gezin", Sector.HEALTH)
    clb = f.partner(app, net, "CLB Beringen", Sector.EDUCATION)
    inz = f.partner(app, net, "IN-Z vzw", Sector.SOCIAL_ECONOMY)
    people = {
        "sender": f.user(app, "an@ocmw.example", (net, Role.PARTNER_ADMIN, ocmw), name="An"),
        "sender_colleague": f.user(
            app, "bo@ocmw.example", (net, Role.PARTNER_MEMBER, ocmw), name="Bo"
        ),
        "receiver": f.user(app, "cas@kg.example", (net, Role.PARTNER_ADMIN, kg), name="Cas"),
        "other_partner": f.user(
            app, "dirk@clb.example", (net, Role.PARTNER_ADMIN, clb), name="Dirk"
        ),
        "steward": f.user(app, "regie@beringen.example", (net, Role.STEWARD), name="Els"),
        "municipality": f.user(app, "beleid@beringen.example", (net, Role.MUNICIPALITY_VIEWER)),
        "coordinator": f.user(app, "coord@in-z.example", (net, Role.SE_COORDINATOR), name="Nadia"),
        "worker": f.user(app, "werker@in-z.example", (net, Role.SE_WORKER), name="Fatma"),
    }
    return {"net": net, "ocmw": ocmw, "kg": kg, "clb": clb, "inz": inz, "people": people}


def client_of(app, who):
    client = app.test_client()
    f.login(client, who)
    return client


FAMILY = {
    "family_label": "Mama van Amir, maandaggroep",
    "question": "Zoekt hulp bij slaapproblemen van haar peuter",
    "themes": "slapen, peuter",
    "age_bands": ["0-3"],
    "languages": ["nl", "tr"],
    "neighbourhood": "Beringen-Mijn",
    "contact_way": "sender",
    "consent": "y",
    "consent_given_by": "parent",
    "consent_purpose": "Gecontacteerd worden over slaapadvies",
}


def refer(client, cast, **changes):
    data = {"from_partner_id": cast["ocmw"].id, "to_partner_id": cast["kg"].id, **FAMILY, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post("/beringen/referrals/new?lang=en", data=data)


def the_referral(app, cast) -> Referral:
    with app.app_context(), network_scope(cast["net"].id):
        return db.session.execute(select(Referral).order_by(Referral.id.desc())).scalars().first()


def count(app, cast, model) -> int:
    with app.app_context(), network_scope(cast["net"].id):
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_only_the_sending_and_receiving_partners_can_open_a_referral(app, cast):
    sender = client_of(app, cast["people"]["sender"])
    assert refer(sender, cast).status_code == 302
    referral = the_referral(app, cast)
    url = f"/beringen/referrals/{referral.id}"
    for who in ("sender", "sender_colleague", "receiver"):
        page = client_of(app, cast["people"][who]).get(url)
        assert page.status_code == 200, who
        assert "slaapproblemen" in page.get_data(as_text=True)
    for who in ("other_partner", "steward", "municipality", "coordinator", "worker"):
        client = client_of(app, cast["people"][who])
        for path in ("", "/message", "/move", "/decline", "/complete", "/withdraw"):
            response = client.open(
                url + path, method="GET" if not path else "POST", data={"action": "accept"}
            )
            assert response.status_code in (403, 404), (who, path, response.status_code)
            assert "slaapproblemen" not in response.get_data(as_text=True)
        inbox = client.get("/beringen/referrals/?box=in").get_data(as_text=True)
        assert "Mama van Amir" not in inbox
    # a draft is the sender's alone
    assert refer(sender, cast, send="0", family_label="Concept gezin").status_code == 302
    draft = the_referral(app, cast)
    assert draft.status == Status.DRAFT
    assert (
        client_of(app, cast["people"]["receiver"])
        .get(f"/beringen/referrals/{draft.id}")
        .status_code
        == 404
    )


def test_the_whole_loop_with_timeline_and_mails_without_family_data(app, cast, run_jobs, environ):
    sender = client_of(app, cast["people"]["sender"])
    receiver = client_of(app, cast["people"]["receiver"])
    refer(sender, cast)
    referral = the_referral(app, cast)
    assert referral.status == Status.SENT
    assert referral.response_due_at == working_days_after(referral.sent_at, 5)
    url = f"/beringen/referrals/{referral.id}"
    receiver.get(url)
    assert the_referral(app, cast).status == Status.RECEIVED
    assert receiver.post(url + "/move", data={"action": "accept"}).status_code == 302
    assert (
        receiver.post(url + "/message", data={"body": "We bellen haar maandag."}).status_code == 302
    )
    assert receiver.post(url + "/move", data={"action": "start"}).status_code == 302
    assert receiver.post(url + "/complete", data={"outcome": "helped"}).status_code == 302
    done = the_referral(app, cast)
    assert done.status == Status.COMPLETED and done.outcome == "helped" and done.closed_at
    with app.app_context(), network_scope(cast["net"].id):
        kinds = [
            e.kind
            for e in db.session.execute(select(ReferralEvent).order_by(ReferralEvent.id)).scalars()
        ]
    assert kinds == [
        "created",
        "sent",
        "received",
        "accepted",
        "message",
        "in_progress",
        "completed",
    ]
    run_jobs()
    mails = messages(environ)
    assert {m["To"] for m in mails} == {"cas@kg.example", "an@ocmw.example", "bo@ocmw.example"}
    for mail in mails:
        body = mail.get_body(preferencelist=("plain",)).get_content()
        assert "Amir" not in body and "slaap" not in body and "Beringen-Mijn" not in body
        assert f"/beringen/referrals/{referral.id}" in body
    page = sender.get(url).get_data(as_text=True)
    assert "We bellen haar maandag." in page


def test_decline_needs_a_reason_and_wrong_steps_change_nothing(app, cast):
    sender = client_of(app, cast["people"]["sender"])
    receiver = client_of(app, cast["people"]["receiver"])
    refer(sender, cast)
    referral = the_referral(app, cast)
    url = f"/beringen/referrals/{referral.id}"
    assert receiver.post(url + "/decline?lang=en", data={"reason": ""}).status_code == 422
    assert receiver.post(url + "/decline?lang=en", data={"reason": "because"}).status_code == 422
    assert (
        receiver.post(url + "/move?lang=en", data={"action": "cancel"}).status_code == 422
    )  # sender's step
    assert (
        sender.post(url + "/move?lang=en", data={"action": "accept"}).status_code == 422
    )  # receiver's step
    assert (
        receiver.post(url + "/complete?lang=en", data={"outcome": ""}).status_code == 422
    )  # not accepted yet
    assert the_referral(app, cast).status == Status.SENT
    response = receiver.post(url + "/decline", data={"reason": "no_capacity"})
    assert response.status_code == 302
    declined = the_referral(app, cast)
    assert declined.status == Status.DECLINED and declined.decline_reason == "no_capacity"
    refused = sender.post(url + "/message?lang=en", data={"body": "Nog een vraag"})
    assert (
        refused.status_code == 422
        and "only possible while the referral is open" in refused.get_data(as_text=True)
    )
    assert count(app, cast, ReferralMessage) == 0


def test_bad_referrals_are_refused_with_a_message(app, cast):
    sender = client_of(app, cast["people"]["sender"])
    place = cf.place(app, cast["net"])
    start = date.today() - timedelta(days=14)
    offer = cf.offer(
        app,
        cast["net"],
        cast["kg"],
        location=place,
        start=start,
        capacity=1,
        rrule=f"FREQ=DAILY;UNTIL={date.today() + timedelta(days=30):%Y%m%d}",
        skip_public_holidays=False,
    )
    with app.app_context(), network_scope(cast["net"].id):
        from saas.catalogue.models import ActivitySession

        sessions = (
            db.session.execute(
                select(ActivitySession)
                .where(ActivitySession.offer_id == offer.id)
                .order_by(ActivitySession.starts_at)
            )
            .scalars()
            .all()
        )
        past = next(s.id for s in sessions if s.starts_at < utcnow())
        future = next(s.id for s in sessions if s.starts_at > utcnow() + timedelta(days=2))
    cases = [
        ({"to_partner_id": 99999}, "Choose a partner of the network"),
        ({"to_partner_id": cast["ocmw"].id}, "your own organisation"),
        ({"consent": None}, "consent"),
        ({"family_label": ""}, "This field is required"),
        ({"contact_way": "phone", "contact_value": ""}, "phone number or e-mail"),
        ({"offer_id": offer.id, "session_id": past}, "already taken place"),
        (
            {"offer_id": offer.id, "to_partner_id": cast["clb"].id},
            "not offered by the chosen partner",
        ),
    ]
    for changes, message in cases:
        response = refer(sender, cast, **changes)
        assert response.status_code == 422, changes
        assert message in response.get_data(as_text=True), (changes, message)
    assert count(app, cast, Referral) == 0
    assert (
        refer(sender, cast, offer_id=offer.id, session_id=future).status_code == 302
    )  # holds the one seat
    full = refer(sender, cast, offer_id=offer.id, session_id=future)
    assert full.status_code == 422 and "full" in full.get_data(as_text=True)
    assert count(app, cast, Referral) == 1


def test_withdrawing_consent_removes_the_familys_data(app, cast):
    sender = client_of(app, cast["people"]["sender"])
    receiver = client_of(app, cast["people"]["receiver"])
    refer(sender, cast)
    referral = the_referral(app, cast)
    url = f"/beringen/referrals/{referral.id}"
    receiver.post(url + "/message", data={"body": "Welke dag past?"})
    assert confirmed(sender, url + "/withdraw").status_code == 302
    gone = the_referral(app, cast)
    assert gone.status == Status.CANCELLED and gone.anonymised_at is not None
    assert (gone.family_label, gone.question, gone.neighbourhood, gone.languages, gone.themes) == (
        "",
    ) * 5
    assert count(app, cast, ReferralMessage) == 1  # the partners' trace stays, its text goes
    with app.app_context(), network_scope(cast["net"].id):
        assert db.session.execute(select(ReferralMessage.body)).scalar_one() == ""
    assert "slaapproblemen" not in receiver.get(url).get_data(as_text=True)
    assert receiver.post(url + "/withdraw").status_code == 403  # only the sender records it


def test_every_read_leaves_an_audit_row_without_data(app, cast):
    sender = client_of(app, cast["people"]["sender"])
    refer(sender, cast)
    referral = the_referral(app, cast)
    for _ in range(3):
        client_of(app, cast["people"]["receiver"]).get(f"/beringen/referrals/{referral.id}")
    with app.app_context(), network_scope(cast["net"].id):
        views = (
            db.session.execute(
                select(AuditEvent).where(
                    AuditEvent.action == "referral.viewed", AuditEvent.object_id == referral.id
                )
            )
            .scalars()
            .all()
        )
    assert len(views) == 3
    assert all("Amir" not in str(v.details) for v in views)


def test_with_redis_down_a_referral_is_saved_and_mailed_once_redis_is_back(
    app, make_app, cast, run_jobs, environ
):
    from workers.relays import sweep

    dead = make_app(env={"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    client = dead.test_client()
    f.login(client, cast["people"]["sender"])
    assert refer(client, cast).status_code == 302
    assert the_referral(app, cast).status == Status.SENT
    with app.app_context():
        db.session.execute(update(OutboxMessage).values(created_at=utcnow() - timedelta(minutes=5)))
        db.session.commit()
        assert sweep()["outbox"] == 1
        assert sweep()["outbox"] == 1  # enqueued twice...
    run_jobs()
    assert [m["To"] for m in messages(environ)] == ["cas@kg.example"]  # ...delivered once


def test_social_economy_staff_refer_in_the_name_of_their_employer(app, cast):
    worker = client_of(app, cast["people"]["worker"])
    response = refer(worker, cast, from_partner_id=cast["inz"].id)
    assert response.status_code == 302
    referral = the_referral(app, cast)
    assert referral.from_partner_id == cast["inz"].id
    assert (
        client_of(app, cast["people"]["coordinator"])
        .get(f"/beringen/referrals/{referral.id}")
        .status_code
        == 200
    )
    forged = refer(worker, cast, from_partner_id=cast["clb"].id)
    assert forged.status_code == 422


def test_steward_sees_volumes_and_response_times_never_the_family(app, cast):
    sender = client_of(app, cast["people"]["sender"])
    receiver = client_of(app, cast["people"]["receiver"])
    refer(sender, cast)
    referral = the_referral(app, cast)
    receiver.post(f"/beringen/referrals/{referral.id}/move", data={"action": "accept"})
    page = client_of(app, cast["people"]["steward"]).get("/beringen/referrals/overview")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "OCMW Beringen" in body and "Kind &amp; Gezin" in body
    assert "Amir" not in body and "slaap" not in body
    assert "<h1>" in body and body.count("dorp-card") == 3
    # one referral: a small number, so every count derived from it shows as "< 5"
    counts = re.findall(r'<td class="text-end[^"]*">([^<]*)</td>', body)
    assert counts and set(counts) <= {"0", "&lt; 5", "x"}, counts
    assert "&lt; 5" in body and "1 uur" not in body and "0 uur" not in body
    assert (
        client_of(app, cast["people"]["sender"]).get("/beringen/referrals/overview").status_code
        == 403
    )


def test_working_days_skip_weekends_and_public_holidays():
    friday = datetime(2027, 3, 26, 10, 0).astimezone()
    due = working_days_after(friday, 5)
    # Mon 29 March 2027 is Easter Monday: Tue 30, Wed 31, Thu 1, Fri 2, Mon 5 (Easter Monday? no: 29 March)
    assert due.date() == date(2027, 4, 5) and due.time() == time(23, 59)


def test_the_receiver_is_reminded_before_the_target_and_a_lapse_is_marked(
    app, cast, run_jobs, environ
):
    import time_machine

    from workers.jobs import referral_deadlines

    with time_machine.travel(datetime(2027, 3, 1, 9, 0).astimezone(), tick=False):  # a Monday
        refer(client_of(app, cast["people"]["sender"]), cast)
    referral = the_referral(app, cast)
    assert referral.response_due_at.date() == date(2027, 3, 8)  # five working days later
    with app.app_context():
        with time_machine.travel(datetime(2027, 3, 5, 12, 0).astimezone(), tick=False):
            assert referral_deadlines()[cast["net"].id] == {"reminded": 0, "lapsed": 0}
        with time_machine.travel(datetime(2027, 3, 8, 9, 0).astimezone(), tick=False):
            assert referral_deadlines()[cast["net"].id] == {"reminded": 1, "lapsed": 0}
            assert referral_deadlines()[cast["net"].id] == {"reminded": 0, "lapsed": 0}  # once
        with time_machine.travel(datetime(2027, 3, 9, 9, 0).astimezone(), tick=False):
            assert referral_deadlines()[cast["net"].id] == {"reminded": 0, "lapsed": 1}
    assert the_referral(app, cast).lapsed
    run_jobs()
    reminders = [
        m for m in messages(environ) if "Reminder" in m["Subject"] or "Herinnering" in m["Subject"]
    ]
    assert [m["To"] for m in reminders] == ["cas@kg.example"]


def test_closed_referrals_are_anonymised_after_the_retention_period(app, cast):
    import time_machine

    from workers.jobs import purge_referrals

    with time_machine.travel(datetime(2027, 1, 4, 9, 0).astimezone(), tick=False):
        sender = client_of(app, cast["people"]["sender"])
        receiver = client_of(app, cast["people"]["receiver"])
        refer(sender, cast)
        referral = the_referral(app, cast)
        receiver.post(f"/beringen/referrals/{referral.id}/decline", data={"reason": "waiting_list"})
        refer(sender, cast, family_label="Nog open gezin")
    with app.app_context():
        with time_machine.travel(datetime(2027, 12, 20, 9, 0).astimezone(), tick=False):
            assert purge_referrals()[cast["net"].id] == 0  # not yet twelve months
        with time_machine.travel(datetime(2028, 1, 10, 9, 0).astimezone(), tick=False):
            assert purge_referrals()[cast["net"].id] == 1
            assert purge_referrals()[cast["net"].id] == 0
    with app.app_context(), network_scope(cast["net"].id):
        rows = {r.status: r for r in db.session.execute(select(Referral)).scalars()}
    assert rows[Status.DECLINED].anonymised_at and rows[Status.DECLINED].question == ""
    assert rows[Status.SENT].question  # still open: kept


def test_steward_exports_and_erases_what_the_network_holds_about_one_family(app, cast):
    sender = client_of(app, cast["people"]["sender"])
    refer(sender, cast, contact_way="phone", contact_value="0470 12 34 56")
    refer(sender, cast, family_label="Papa van Lina")
    steward = client_of(app, cast["people"]["steward"])
    found = steward.post("/beringen/referrals/privacy", data={"term": "0470 12"})
    body = found.get_data(as_text=True)
    assert "Mama van Amir" in body and "Papa van Lina" not in body
    first = the_referral(app, cast).id - 1
    export = steward.post("/beringen/referrals/privacy/export", data={"referral_id": [str(first)]})
    data = export.get_json(force=True)
    assert data["referrals"][0]["question"].startswith("Zoekt hulp")
    assert data["referrals"][0]["consents"][0]["given_by"] == "parent"
    assert (
        confirmed(
            steward, "/beringen/referrals/privacy/erase", {"referral_id": [str(first)]}
        ).status_code
        == 302
    )
    with app.app_context(), network_scope(cast["net"].id):
        erased = db.session.get(Referral, first)
        assert erased.question == "" and erased.contact_value == ""
        actions = (
            db.session.execute(select(AuditEvent.action).where(AuditEvent.action.like("privacy.%")))
            .scalars()
            .all()
        )
    assert sorted(actions) == ["privacy.erased", "privacy.exported", "privacy.searched"]
    assert (
        client_of(app, cast["people"]["sender"])
        .post("/beringen/referrals/privacy", data={"term": "0470"})
        .status_code
        == 403
    )


def test_erasing_an_open_referral_ends_it_and_both_partners_are_told(app, cast):
    from saas.notifications.models import Notification

    sender = client_of(app, cast["people"]["sender"])
    refer(sender, cast)
    referral_id = the_referral(app, cast).id
    steward = client_of(app, cast["people"]["steward"])
    asked = steward.post(
        "/beringen/referrals/privacy/erase?lang=en", data={"referral_id": [str(referral_id)]}
    )
    assert "1 referral is still open: it ends as cancelled" in asked.get_data(as_text=True)
    with app.app_context(), network_scope(cast["net"].id):
        assert db.session.get(Referral, referral_id).status == Status.SENT  # only asked so far
    confirmed(steward, "/beringen/referrals/privacy/erase", {"referral_id": [str(referral_id)]})
    with app.app_context(), network_scope(cast["net"].id):
        ended = db.session.get(Referral, referral_id)
        assert ended.status == Status.CANCELLED and ended.closed_at and ended.anonymised_at
        told = set(
            db.session.execute(
                select(Notification.user_id).where(Notification.kind == "referral_status")
            ).scalars()
        )
    assert {cast["people"]["sender"].id, cast["people"]["receiver"].id} <= told
    assert cast["people"]["steward"].id not in told
    page = sender.get(f"/beringen/referrals/{referral_id}?lang=en").get_data(as_text=True)
    assert "the family asked the network to remove its data" in page
    assert cast["people"]["steward"].name in page


def test_each_person_chooses_immediate_digest_or_no_e_mail_per_kind(app, cast, run_jobs, environ):
    from saas.notifications.models import Notification
    from workers.jobs import send_digests

    receiver = client_of(app, cast["people"]["receiver"])
    choices = {
        "notify-save": "1",
        **{
            f"notify-{k}": "immediate"
            for k in (
                "referral_status",
                "referral_message",
                "referral_reminder",
                "organiser_invited",
                "speaker_answered",
                "offer_changed",
                "session_changed",
                "roster_published",
                "card_changed",
                "partner_joined",
            )
        },
    }
    assert (
        receiver.post(
            "/account",
            data={**choices, "notify-referral_status": "digest", "notify-referral_message": "off"},
        ).status_code
        == 302
    )
    assert (
        receiver.post(
            "/account", data={**choices, "notify-referral_status": "sometimes"}
        ).status_code
        == 422
    )
    sender = client_of(app, cast["people"]["sender"])
    refer(sender, cast)
    refer(sender, cast, family_label="Tweede gezin")
    referral = the_referral(app, cast)
    sender.post(f"/beringen/referrals/{referral.id}/message", data={"body": "Nog een vraag"})
    run_jobs()
    assert [m for m in messages(environ) if m["To"] == "cas@kg.example"] == []  # nothing immediate
    with app.app_context():
        assert send_digests()[cast["net"].id] == 1
        assert send_digests()[cast["net"].id] == 0  # once
    run_jobs()
    digest = [m for m in messages(environ) if m["To"] == "cas@kg.example"]
    assert len(digest) == 1
    body = digest[0].get_body(preferencelist=("plain",)).get_content()
    assert (
        body.count("/beringen/referrals/") == 2 and "Amir" not in body
    )  # two notices, no family data
    with app.app_context(), network_scope(cast["net"].id):
        notices = db.session.execute(
            select(Notification.id, Notification.link).where(
                Notification.user_id == cast["people"]["receiver"].id
            )
        ).all()
    about = [nid for nid, link in notices if link.endswith(f"/beringen/referrals/{referral.id}")]
    assert len(about) >= 2  # the message is in-app without e-mail
    page = receiver.get("/beringen/notifications").get_data(as_text=True)
    assert all(f"/beringen/notifications/{nid}" in page for nid in about)
    assert "(3)" in receiver.get("/beringen/dashboard").get_data(as_text=True)
    receiver.post("/beringen/notifications")
    assert "(3)" not in receiver.get("/beringen/dashboard").get_data(as_text=True)
    # nobody else sees these notices
    other = (
        client_of(app, cast["people"]["other_partner"])
        .get("/beringen/notifications")
        .get_data(as_text=True)
    )
    assert f"/beringen/referrals/{referral.id}" not in other
    with app.app_context(), network_scope(cast["net"].id):
        assert db.session.execute(select(func.count()).select_from(Notification)).scalar_one() >= 3


def test_listing_referrals_leaves_one_audit_row_naming_the_referrals_shown(app, cast):
    sender = client_of(app, cast["people"]["sender"])
    refer(sender, cast)
    refer(sender, cast, family_label="Tweede gezin")
    receiver = cast["people"]["receiver"]
    client_of(app, receiver).get("/beringen/referrals/?box=in")
    with app.app_context(), network_scope(cast["net"].id):
        listed = (
            db.session.execute(select(AuditEvent).where(AuditEvent.action == "referral.listed"))
            .scalars()
            .all()
        )
        shown = [
            r.id
            for r in db.session.execute(
                select(Referral).order_by(Referral.urgent.desc(), Referral.id.desc())
            ).scalars()
        ]
    assert len(shown) == 2 and len(listed) == 1
    event = listed[0]
    assert (event.actor_id, event.object_type, event.object_id) == (receiver.id, "Referral", None)
    assert event.details == {"ids": shown}  # in the order the page showed them


def test_the_inbox_counts_by_status_and_an_empty_page_is_no_read(app, cast):
    """The status filter's counts come with the page (on PostgreSQL in the same statement);
    a page past the end still shows them, and reads nothing, so it leaves no audit row."""
    sender = client_of(app, cast["people"]["sender"])
    refer(sender, cast)
    refer(sender, cast, family_label="Tweede gezin")
    receiver = client_of(app, cast["people"]["receiver"])
    full = receiver.get("/beringen/referrals/?box=in").get_data(as_text=True)
    past_the_end = receiver.get("/beringen/referrals/?box=in&status=open&page=9")
    assert past_the_end.status_code == 200
    empty = past_the_end.get_data(as_text=True)
    for body in (full, empty):
        assert re.search(r"status=sent\"[^>]*>[^<]*\(2\)", body), body
    assert "Tweede gezin" in full and "Tweede gezin" not in empty
    with app.app_context(), network_scope(cast["net"].id):
        reads = db.session.execute(
            select(func.count()).where(AuditEvent.action == "referral.listed")
        ).scalar_one()
    assert reads == 1
