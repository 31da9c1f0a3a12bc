"""Careless and hostile input hurts nobody: the last place of a session is given once however many
ask at the same moment; a line break in a subject loses no e-mail; no text is accepted that the
database cannot keep once it is normalised."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from saas.catalogue.models import ActivitySession
from saas.extensions import db
from saas.models_base import utcnow
from saas.referrals.models import Referral, Status
from tenants.context import network_scope
from tenants.models import Role
from tests import catalogue_factories as cf
from tests import factories as f
from tests.api_support import bearer, token_for
from tests.world import build_network

TOGETHER = 10  # people asking for the last place at the same moment

FAMILY = {"family_label": "Gezin Z.", "question": "Zoekt een plek in de peutergroep"}
CONSENT = {"given_by": "parent", "purpose": "Doorverwijzing naar de peutergroep"}


def at_once(count: int, call: Callable[[int], object]) -> list:
    """Run `call(i)` for i in range(count) in as many threads, released together; each thread's
    requests get their own app context, database session and connection."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = call(i)
        except BaseException as exc:  # reported to the test below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


@pytest.fixture
def one_place(app):
    """Beringen's cast, with an offer of partner B that has one place per session, and the id of
    a session to come."""
    cast = build_network(app, "beringen")
    offer = cf.offer(
        app, cast.network, cast.partner_b, title="Peutergroep met één plaats", capacity=1
    )
    with app.app_context(), network_scope(cast.network.id):
        session_id = (
            db.session.execute(
                select(ActivitySession.id)
                .where(ActivitySession.offer_id == offer.id, ActivitySession.starts_at > utcnow())
                .order_by(ActivitySession.starts_at)
            )
            .scalars()
            .first()
        )
    return cast, offer.id, session_id


def _holding(app, cast, session_id: int) -> int:
    with app.app_context(), network_scope(cast.network.id):
        return db.session.execute(
            select(func.count())
            .select_from(Referral)
            .where(Referral.session_id == session_id, Referral.status == Status.SENT)
        ).scalar_one()


@pytest.fixture
def everyone_counts_first(monkeypatch):
    """Make the race certain instead of likely: each request's first count of the places held
    waits until every request has counted, so all of them have seen the place free before any
    writes its referral (what once let all ten through). A count made while holding the
    session's lock is a thread's second and does not wait (waiting there, holding the lock,
    would only time out)."""
    from saas.referrals import services

    real = services.seats_held
    barrier = threading.Barrier(TOGETHER)
    counted = threading.local()

    def seats_held(session_id: int) -> int:
        held = real(session_id)
        if not getattr(counted, "once", False):
            counted.once = True
            # a counting order this test did not foresee breaks the barrier: it only loses its
            # certainty, the places are still counted
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=20)
        return held

    monkeypatch.setattr(services, "seats_held", seats_held)


def test_partners_referring_at_once_to_the_last_place_get_it_once_through_the_api(
    app, one_place, everyone_counts_first
):
    cast, offer_id, session_id = one_place
    secret, _id = token_for(app, cast, ["referrals:write"])
    # the token's use is written now, not by the ten requests (each would wait for the others)
    assert (
        app.test_client().get("/api/v1/beringen/referrals", headers=bearer(secret)).status_code
        == 200
    )
    body = {
        "to_partner_id": cast.partner_b.id,
        "offer_id": offer_id,
        "session_id": session_id,
        "family": FAMILY,
        "consent": CONSENT,
    }
    clients = [app.test_client() for _ in range(TOGETHER)]
    responses = at_once(
        TOGETHER,
        lambda i: clients[i].post(
            "/api/v1/beringen/referrals",
            json=body,
            headers=bearer(secret, **{"Accept-Language": "nl"}),
        ),
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [422] * (TOGETHER - 1)
    for refused in (r for r in responses if r.status_code == 422):
        error = refused.get_json()["error"]
        assert error["code"] == "validation_error"
        assert error["details"] == {"session_id": ["Deze sessie is volzet."]}
    assert _holding(app, cast, session_id) == 1


def test_drafts_sent_at_once_to_the_last_place_take_it_once_on_the_web(app, one_place):
    """A draft holds no place; sending it takes one, so sending is where the place is checked."""
    cast, offer_id, session_id = one_place
    sender = cast.people[Role.PARTNER_ADMIN]
    client = app.test_client()
    f.login(client, sender)
    drafts = []
    for i in range(TOGETHER):
        page = client.post(
            "/beringen/referrals/new",
            data={
                "from_partner_id": cast.partner_a.id,
                "to_partner_id": cast.partner_b.id,
                "offer_id": offer_id,
                "session_id": session_id,
                "family_label": f"Gezin {i}",
                "question": "Zoekt een plek in de peutergroep",
                "contact_way": "sender",
                "consent": "y",
                "consent_given_by": "parent",
                "consent_purpose": "Doorverwijzing naar de peutergroep",
                "send": "0",
            },
        )
        assert page.status_code == 302, page.get_data(as_text=True)
        drafts.append(int(page.headers["Location"].rstrip("/").rsplit("/", 1)[-1]))
    clients = []
    for _draft in drafts:
        clients.append(app.test_client())
        f.login(clients[-1], sender)
    responses = at_once(
        TOGETHER,
        lambda i: clients[i].post(f"/beringen/referrals/{drafts[i]}/move", data={"action": "send"}),
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [302] + [422] * (TOGETHER - 1)
    for refused in (r for r in responses if r.status_code == 422):
        assert "Deze sessie is volzet." in refused.get_data(as_text=True)
    assert _holding(app, cast, session_id) == 1


def test_a_declined_referral_gives_its_place_back(app, one_place):
    cast, offer_id, session_id = one_place
    sender, _a = token_for(app, cast, ["referrals:write"])
    receiver, _b = token_for(app, cast, ["referrals:write"], side="b")
    client = app.test_client()
    body = {
        "to_partner_id": cast.partner_b.id,
        "offer_id": offer_id,
        "session_id": session_id,
        "family": FAMILY,
        "consent": CONSENT,
    }
    first = client.post("/api/v1/beringen/referrals", json=body, headers=bearer(sender))
    assert first.status_code == 201
    full = client.post("/api/v1/beringen/referrals", json=body, headers=bearer(sender))
    assert full.status_code == 422 and "session_id" in full.get_json()["error"]["details"]
    declined = client.post(
        f"/api/v1/beringen/referrals/{first.get_json()['id']}/transitions",
        json={"status": "declined", "reason": "no_capacity"},
        headers=bearer(receiver),
    )
    assert declined.status_code == 200, declined.get_json()
    again = client.post("/api/v1/beringen/referrals", json=body, headers=bearer(sender))
    assert again.status_code == 201


# ---- a line break in a title or a name stays out of every e-mail header -------------------


def test_a_title_with_a_line_break_in_a_spreadsheet_cell_is_imported_on_one_line(app):
    import io

    from saas.catalogue.models import Offer
    from saas.partners.models import Sector

    net = f.network(app, "beringen")
    inz = f.partner(app, net, "IN-Z vzw", Sector.SOCIAL_ECONOMY)
    cf.place(app, net, name="Buurthuis De Kolonie")
    cf.type_id(app, net)
    admin = f.user(app, "admin@in-z.example", (net, Role.PARTNER_ADMIN, inz))
    client = app.test_client()
    f.login(client, admin)
    text = (
        "titel;soort;locatie;datum;van;tot\r\n"
        '"Kookatelier\r\nBcc: iedereen@example.org";Oudersalon (niet-thematisch);'
        "Buurthuis De Kolonie;03/03/2027;9u30;11:30\r\n"
    )
    preview = client.post(
        "/beringen/catalogue/import",
        data={
            "partner_id": str(inz.id),
            "file": (io.BytesIO(text.encode()), "aanbod.csv"),
            "publish": "y",
        },
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    body = preview.get_data(as_text=True)
    payload = body.split('id="payload" name="payload" type="hidden" value="')[1].split('"')[0]
    confirm = client.post(
        "/beringen/catalogue/import",
        data={"payload": payload, "partner_id": str(inz.id), "publish": "1"},
    )
    assert confirm.status_code == 302
    with app.app_context(), network_scope(net.id):
        titles = db.session.execute(select(Offer.title)).scalars().all()
    assert titles == ["Kookatelier Bcc: iedereen@example.org"]


def test_network_and_partner_names_are_kept_on_one_line(app):
    from saas.onboarding.networks import change_settings, create_network
    from saas.partners.models import Partner, Sector
    from saas.partners.services import invite_partner
    from tenants.models import Network

    with app.test_request_context("/"):
        network = create_network(
            slug="genk", name="Huis van het Kind\r\nGenk", municipality="Genk\n"
        )
        assert network.name == "Huis van het Kind Genk" and network.municipality == "Genk"
        with network_scope(network.id):
            partner = invite_partner(
                network,
                name=" CLB\r\nGenk ",
                sector=Sector.EDUCATION,
                contact_email="clb@genk.example",
                invited_by=None,
            )
            change_settings(
                network,
                name="Huis van het Kind\nGenk-Zuid",
                municipality="Genk",
                default_language="nl",
            )
            db.session.commit()
            assert db.session.get(Partner, partner.id).name == "CLB Genk"
            assert db.session.get(Network, network.id).name == "Huis van het Kind Genk-Zuid"


def test_a_network_asked_for_at_start_with_a_line_break_is_kept_and_quoted_on_one_line(app):
    from saas.billing.signup import request_signup
    from saas.notifications.models import OutboxMessage

    with app.test_request_context("/start"):
        signup = request_signup(
            email="an@hasselt.example",
            contact_name="An\r\nPeeters",
            network_name="Huis van het Kind\r\nBcc: iedereen@example.org",
            slug="hasselt",
            municipality="Hasselt",
            language="nl",
        )
        db.session.commit()
        assert signup.network_name == "Huis van het Kind Bcc: iedereen@example.org"
        assert signup.contact_name == "An Peeters"
        subject, text = db.session.execute(
            select(OutboxMessage.subject, OutboxMessage.body_text)
        ).one()
    assert "\n" not in subject and "\r" not in subject
    assert "Huis van het Kind Bcc: iedereen@example.org" in text  # quoted as typed, on one line
