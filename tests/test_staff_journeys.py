"""Staff journeys (#19): who wrote what on a referral, a referral started from a suggestion, a
form that offers only what it accepts, notices read by opening them, the steward told when an
invited partner joins, and a privacy search that finds a family however it was typed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from saas.audit.models import AuditEvent
from saas.catalogue.models import OfferPartner
from saas.extensions import db
from saas.notifications.models import Notification
from saas.partners.models import PartnerState, Sector
from saas.referrals.models import Referral
from tenants.context import network_scope
from tenants.models import Role
from tests import catalogue_factories as cf
from tests import factories as f

FAMILY = {
    "family_label": "Mama van Amir, maandaggroep",
    "question": "Zoekt hulp bij slaapproblemen van haar peuter",
    "themes": "slapen, peuter",
    "age_bands": ["0-3"],
    "languages": ["nl", "tr"],
    "neighbourhood": "Beringen-Mijn",
    "preferred_days": ["MO"],
    "contact_way": "phone",
    "contact_value": "0470 12 34 56",
    "consent": "y",
    "consent_given_by": "parent",
    "consent_purpose": "Gecontacteerd worden over slaapadvies",
}


@pytest.fixture
def cast(app):
    net = f.network(app, "beringen")
    ocmw = f.partner(app, net, "OCMW Beringen")
    kg = f.partner(app, net, "Kind & Gezin", Sector.HEALTH)
    clb = f.partner(app, net, "CLB Beringen", Sector.EDUCATION)
    people = {
        "sender": f.user(app, "an@ocmw.example", (net, Role.PARTNER_ADMIN, ocmw), name="An Smets"),
        "receiver": f.user(
            app, "cas@kg.example", (net, Role.PARTNER_ADMIN, kg), name="Cas Peeters"
        ),
        "other_partner": f.user(app, "dirk@clb.example", (net, Role.PARTNER_ADMIN, clb)),
        "steward": f.user(app, "regie@beringen.example", (net, Role.STEWARD), name="Els"),
    }
    tomorrow = date.today() + timedelta(days=1)
    weekly = {
        "location": cf.place(app, net),
        "start": tomorrow,
        "rrule": f"FREQ=WEEKLY;UNTIL={tomorrow + timedelta(weeks=8):%Y%m%d}",
    }
    offers = {
        "kg": cf.offer(app, net, kg, title="Babbelonie", **weekly),
        "clb": cf.offer(app, net, clb, title="Huiswerkklas", **weekly),
        "co": cf.offer(app, net, clb, title="Ouderavond samen met K&G", **weekly),
    }
    with app.app_context(), network_scope(net.id):
        db.session.add(OfferPartner(offer_id=offers["co"].id, partner_id=kg.id, role="organiser"))
        db.session.commit()
    return {"net": net, "ocmw": ocmw, "kg": kg, "clb": clb, "people": people, "offers": offers}


def client_of(app, who):
    client = app.test_client()
    f.login(client, who)
    return client


def refer(client, cast, **changes):
    data = {"from_partner_id": cast["ocmw"].id, "to_partner_id": cast["kg"].id, **FAMILY, **changes}
    return client.post("/beringen/referrals/new?lang=en", data=data)


def newest_referral(app, cast) -> Referral:
    with app.app_context(), network_scope(cast["net"].id):
        return db.session.execute(select(Referral).order_by(Referral.id.desc())).scalars().first()


# --- who wrote what ---------------------------------------------------------------------------


def test_every_message_and_step_names_the_person_and_the_partner(app, cast):
    sender = client_of(app, cast["people"]["sender"])
    receiver = client_of(app, cast["people"]["receiver"])
    assert refer(sender, cast).status_code == 302
    url = f"/beringen/referrals/{newest_referral(app, cast).id}"
    receiver.get(url)
    receiver.post(url + "/move", data={"action": "accept"})
    receiver.post(url + "/message", data={"body": "We bellen haar maandag."})
    sender.post(url + "/message", data={"body": "Dank je, ze verwacht jullie."})

    page = sender.get(url + "?lang=en").get_data(as_text=True)
    messages = page[page.index(">Messages<") : page.index(">Timeline<")]
    first, second = messages.split("We bellen haar maandag.")
    assert "Cas Peeters (Kind &amp; Gezin)" in first
    assert "An Smets (OCMW Beringen)" in second and "Cas Peeters" not in second
    timeline = page[page.index(">Timeline<") :]
    steps = timeline[: timeline.index("</ol>")].split("<li>")[1:]
    assert len(steps) == 6
    assert "Draft" in steps[0] and "An Smets (OCMW Beringen)" in steps[0]
    assert "Sent" in steps[1] and "An Smets (OCMW Beringen)" in steps[1]
    assert (
        "Received (opened by the receiver)" in steps[2]
        and "Cas Peeters (Kind &amp; Gezin)" in steps[2]
    )
    assert "Accepted" in steps[3] and "Cas Peeters" in steps[3]
    # a message is a message, not "Accepted (message)"
    assert "Message written" in steps[4] and "Accepted" not in steps[4]
    assert "Cas Peeters (Kind &amp; Gezin)" in steps[4]
    assert "Message written" in steps[5] and "An Smets (OCMW Beringen)" in steps[5]


# --- the form -------------------------------------------------------------------------------


def _options(html: str, name: str) -> str:
    start = html.index(f'name="{name}"')
    return html[start : html.index("</select>", start)]


def test_the_form_offers_other_partners_and_the_chosen_partners_activities_only(app, cast):
    sender = client_of(app, cast["people"]["sender"])
    page = sender.get(f"/beringen/referrals/new?lang=en&to={cast['kg'].id}").get_data(as_text=True)
    partners = _options(page, "to_partner_id")
    assert "Kind &amp; Gezin" in partners and "CLB Beringen" in partners
    assert "OCMW Beringen" not in partners  # not to one's own organisation
    activities = _options(page, "offer_id")
    assert "Babbelonie" in activities and "Ouderavond samen met K&amp;G" in activities
    assert "Huiswerkklas" not in activities  # CLB's alone
    assert 'src="/static/referral_form.js"' in page
    assert 'data-choices="/beringen/referrals/new/choices"' in page


def test_without_javascript_the_refresh_button_shows_the_new_partners_activities(app, cast):
    sender = client_of(app, cast["people"]["sender"])
    typed = {**FAMILY, "from_partner_id": cast["ocmw"].id, "to_partner_id": cast["clb"].id}
    page = sender.post(
        "/beringen/referrals/new?lang=en", data={**typed, "offer_id": 0, "refresh": "1"}
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Huiswerkklas" in _options(html, "offer_id")
    assert "Babbelonie" not in _options(html, "offer_id")
    assert FAMILY["question"] in html and 'value="Mama van Amir, maandaggroep"' in html
    assert newest_referral(app, cast) is None  # nothing was saved

    # then the activity: its sessions of the next three weeks are offered
    html = sender.post(
        "/beringen/referrals/new?lang=en",
        data={**typed, "offer_id": cast["offers"]["clb"].id, "refresh": "1"},
    ).get_data(as_text=True)
    assert _options(html, "session_id").count("<option") >= 3  # none + at least two weeks


def test_the_forms_script_gets_a_partners_activities_and_an_activitys_sessions(app, cast):
    sender = client_of(app, cast["people"]["sender"])
    data = sender.get(f"/beringen/referrals/new/choices?to={cast['kg'].id}&lang=en").get_json()
    assert [o["label"] for o in data["offers"]] == [
        "No specific activity",
        "Babbelonie",
        "Ouderavond samen met K&G",
    ]
    assert [s["id"] for s in data["sessions"]] == [0]
    data = sender.get(
        f"/beringen/referrals/new/choices?to={cast['kg'].id}&offer={cast['offers']['kg'].id}"
    ).get_json()
    assert len(data["sessions"]) >= 3
    # an activity of another partner gets no sessions, an unknown partner no activities
    data = sender.get(
        f"/beringen/referrals/new/choices?to={cast['kg'].id}&offer={cast['offers']['clb'].id}"
    ).get_json()
    assert [s["id"] for s in data["sessions"]] == [0]
    for to in ("999999", "99999999999", "x"):
        data = sender.get(f"/beringen/referrals/new/choices?to={to}").get_json()
        assert [o["id"] for o in data["offers"]] == [0]


def test_another_networks_partner_has_no_activities_in_the_form(app, cast):
    genk = f.network(app, "genk")
    elsewhere = f.partner(app, genk, "CAW Genk")
    cf.offer(app, genk, elsewhere, title="Geheime groep Genk")  # a place of its own network
    sender = client_of(app, cast["people"]["sender"])
    data = sender.get(f"/beringen/referrals/new/choices?to={elsewhere.id}").get_json()
    assert [o["id"] for o in data["offers"]] == [0]
    page = sender.get(f"/beringen/referrals/new?to={elsewhere.id}").get_data(as_text=True)
    assert "CAW Genk" not in page and "Geheime groep" not in page


def test_a_referral_started_from_a_suggestion_keeps_what_was_written(app, cast):
    sender = client_of(app, cast["people"]["sender"])
    refer(sender, cast, urgent="y")
    source = newest_referral(app, cast).id
    co = cast["offers"]["co"].id
    page = sender.get(
        f"/beringen/referrals/new?lang=en&to={cast['kg'].id}&offer={co}&source={source}"
    ).get_data(as_text=True)
    assert 'value="Mama van Amir, maandaggroep"' in page
    assert FAMILY["question"] in page
    assert 'value="slapen, peuter"' in page
    assert 'value="Beringen-Mijn"' in page and 'value="0470 12 34 56"' in page
    assert f'<option selected value="{co}">' in _options(page, "offer_id")
    assert f'<option selected value="{cast["kg"].id}">' in _options(page, "to_partner_id")
    with app.app_context(), network_scope(cast["net"].id):
        reads = db.session.execute(
            select(AuditEvent.details).where(
                AuditEvent.action == "referral.viewed", AuditEvent.object_id == source
            )
        ).scalars()
        assert {"copied": True} in list(reads)  # reading the family's data is audited

    # sent as it is shown (with the family's consent for this partner): the same family
    assert refer(sender, cast, offer_id=co).status_code == 302
    copy = newest_referral(app, cast)
    assert copy.id != source and copy.offer_id == co and copy.family_label == FAMILY["family_label"]


def test_a_referral_nobody_here_may_open_fills_in_nothing(app, cast):
    sender = client_of(app, cast["people"]["sender"])
    refer(sender, cast)
    source = newest_referral(app, cast).id
    outsider = client_of(app, cast["people"]["other_partner"])
    page = outsider.get(f"/beringen/referrals/new?source={source}").get_data(as_text=True)
    assert "Mama van Amir" not in page and "slaapproblemen" not in page
    # nor from another network, where the same id means nothing
    genk = f.network(app, "genk")
    caw = f.partner(app, genk, "CAW Genk")
    f.user(app, "an@ocmw.example", (genk, Role.PARTNER_ADMIN, caw))
    page = sender.get(f"/genk/referrals/new?source={source}").get_data(as_text=True)
    assert "Mama van Amir" not in page


# --- notifications --------------------------------------------------------------------------


def _notice(app, net, user, link: str) -> int:
    with app.app_context(), network_scope(net.id):
        notice = Notification(user_id=user.id, kind="referral_status", subject="Iets", link=link)
        db.session.add(notice)
        db.session.commit()
        return notice.id


def _read_at(app, net, notice_id):
    with app.app_context(), network_scope(net.id):
        return db.session.get(Notification, notice_id).read_at


def test_opening_a_notice_marks_it_read_and_leads_on(app, cast):
    receiver = cast["people"]["receiver"]
    link = f"{app.config['BASE_URL']}/beringen/referrals/7"
    notice = _notice(app, cast["net"], receiver, link)
    client = client_of(app, receiver)
    listing = client.get("/beringen/notifications").get_data(as_text=True)
    assert f'href="/beringen/notifications/{notice}"' in listing
    response = client.get(f"/beringen/notifications/{notice}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/beringen/referrals/7"
    first = _read_at(app, cast["net"], notice)
    assert first is not None
    client.get(f"/beringen/notifications/{notice}")
    assert _read_at(app, cast["net"], notice) == first  # the first reading is kept


def test_a_notice_never_leads_off_the_site(app, cast):
    receiver = cast["people"]["receiver"]
    notice = _notice(app, cast["net"], receiver, "https://elders.example/x")
    response = client_of(app, receiver).get(f"/beringen/notifications/{notice}")
    assert response.headers["Location"] == "/beringen/notifications"


def test_nobody_else_opens_a_notice_and_another_network_does_not_have_it(app, cast):
    receiver = cast["people"]["receiver"]
    notice = _notice(app, cast["net"], receiver, "/beringen/referrals/7")
    colleague = client_of(app, cast["people"]["sender"])
    assert colleague.get(f"/beringen/notifications/{notice}").status_code == 404
    genk = f.network(app, "genk")
    caw = f.partner(app, genk, "CAW Genk")
    f.user(app, "cas@kg.example", (genk, Role.PARTNER_ADMIN, caw))  # the same person, elsewhere
    owner = client_of(app, receiver)
    assert owner.get(f"/genk/notifications/{notice}").status_code == 404
    assert owner.get("/beringen/notifications/99999999999").status_code == 404
    assert _read_at(app, cast["net"], notice) is None


# --- the steward hears that an invited partner joined ------------------------------------------


def test_the_steward_is_told_when_an_invited_partner_joins(app, cast, run_jobs, environ):
    from saas.onboarding import invitations
    from saas.partners.models import Partner
    from tests.mail import messages

    invited = f.partner(app, cast["net"], "Huis van de Mama", state=PartnerState.INVITED)
    with app.test_request_context("/beringen/"), network_scope(cast["net"].id):
        from flask import g

        from tenants.models import Network

        g.network = db.session.get(Network, cast["net"].id)
        invitation = invitations.invite(
            network=g.network,
            email="lies@mama.example",
            role=Role.PARTNER_ADMIN,
            partner=db.session.get(Partner, invited.id),
        )
        db.session.flush()
        invitations.accept_as_new_user(
            invitation, name="Lies", password="een lang wachtwoord", language="nl"
        )
        db.session.commit()
    with app.app_context(), network_scope(cast["net"].id):
        notices = db.session.execute(select(Notification)).scalars().all()
        assert [(n.user_id, n.kind) for n in notices] == [
            (cast["people"]["steward"].id, "partner_joined")
        ]
        assert notices[0].link.endswith(f"/beringen/network/partners/{invited.id}")
        assert "Huis van de Mama" in notices[0].subject
    run_jobs()
    to_steward = [m for m in messages(environ) if m["To"] == "regie@beringen.example"]
    assert len(to_steward) == 1 and "Huis van de Mama" in str(to_steward[0]["Subject"])
    # joining a partner that is already active tells nobody again
    with app.test_request_context("/beringen/"), network_scope(cast["net"].id):
        from flask import g

        from tenants.models import Network

        g.network = db.session.get(Network, cast["net"].id)
        again = invitations.invite(
            network=g.network,
            email="tom@mama.example",
            role=Role.PARTNER_MEMBER,
            partner=db.session.get(Partner, invited.id),
        )
        invitations.accept_as_new_user(
            again, name="Tom", password="een lang wachtwoord", language="nl"
        )
        db.session.commit()
    with app.app_context(), network_scope(cast["net"].id):
        kinds = db.session.execute(select(Notification.kind)).scalars().all()
        assert kinds == ["partner_joined"]


# --- the privacy search -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "term",
    ["0470123456", "+32 470 12 34 56", "0032470/12.34.56", "0470 12", "mama van âmir", "AMIR"],
)
def test_the_privacy_search_finds_the_family_however_it_was_typed(app, cast, term):
    sender = client_of(app, cast["people"]["sender"])
    refer(sender, cast)  # 0470 12 34 56
    refer(sender, cast, family_label="Papa van Lina", contact_value="Lina.Papa@Example.org")
    refer(sender, cast, family_label="Ayşe en Élodie", contact_way="sender", contact_value="")
    steward = client_of(app, cast["people"]["steward"])
    body = steward.post("/beringen/referrals/privacy", data={"term": term}).get_data(as_text=True)
    assert "Mama van Amir" in body
    assert "Papa van Lina" not in body and "Ayşe" not in body


@pytest.mark.parametrize(
    ("term", "found"),
    [("lina.papa@example.ORG", "Papa van Lina"), ("ayse", "Ayşe"), ("elodie", "Ayşe")],
)
def test_the_privacy_search_finds_e_mail_addresses_and_names_without_case_or_accents(
    app, cast, term, found
):
    sender = client_of(app, cast["people"]["sender"])
    refer(sender, cast)
    refer(
        sender,
        cast,
        family_label="Papa van Lina",
        contact_way="email",
        contact_value="Lina.Papa@Example.org",
    )
    refer(sender, cast, family_label="Ayşe en Élodie", contact_way="sender", contact_value="")
    steward = client_of(app, cast["people"]["steward"])
    body = steward.post("/beringen/referrals/privacy", data={"term": term}).get_data(as_text=True)
    assert found in body and "Mama van Amir" not in body
