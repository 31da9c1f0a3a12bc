"""The first user story: a steward onboards partners, who accept, complete their profile and
invite colleagues."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from saas.extensions import db
from saas.notifications.models import OutboxMessage
from saas.partners.models import Partner, PartnerState
from tenants.context import network_scope
from tenants.models import Invitation, Membership, Role
from tests import factories as f
from tests.confirm_support import confirmed
from tests.mail import links_in_mailbox


def _setup(app):
    net = f.network(app, "beringen")
    steward = f.user(app, "regie@beringen.example", (net, Role.STEWARD), name="Els")
    return net, steward


def _count(app, net, model) -> int:
    with app.app_context(), network_scope(net.id):
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_steward_invites_a_partner_who_accepts_and_completes_the_profile(
    app, client, run_jobs, environ
):
    net, steward = _setup(app)
    f.login(client, steward)
    response = client.post(
        "/beringen/network/partners/invite",
        data={
            "name": "Kind & Gezin",
            "sector": "health",
            "contact_email": "An@KindEnGezin.example",
        },
    )
    assert response.status_code == 302
    listing = client.get("/beringen/network/partners").get_data(as_text=True)
    assert "Kind &amp; Gezin" in listing
    run_jobs()
    links = links_in_mailbox(environ, "an@kindengezin.example", "/beringen/invitation/")
    assert len(links) == 1
    invited = app.test_client()
    path = links[0].replace("http://localhost", "")
    page = invited.get(path)
    assert page.status_code == 200 and "Kind &amp; Gezin" in page.get_data(as_text=True)
    response = invited.post(
        path,
        data={
            "name": "An Peeters",
            "language": "nl",
            "password": "een lang wachtwoord",
            "confirm": "een lang wachtwoord",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/beringen/partner/profile"
    )
    response = invited.post(
        "/beringen/partner/profile",
        data={
            "description": "Consultatiebureau voor baby's en peuters",
            "address": "Markt 1, 3580 Beringen",
            "phone": "011 12 34 56",
            "website": "https://www.kindengezin.example",
            "languages": ["nl", "tr"],
        },
    )
    assert response.status_code == 302
    overview = invited.get("/beringen/partner/").get_data(as_text=True)
    assert "Consultatiebureau" in overview
    with app.app_context(), network_scope(net.id):
        partner = db.session.execute(select(Partner)).scalar_one()
        assert partner.state == PartnerState.ACTIVE
        assert partner.languages == ["nl", "tr"]
    # the partner admin invites a colleague
    response = invited.post(
        "/beringen/partner/colleagues",
        data={"email": "collega@kindengezin.example", "role": "partner_member"},
    )
    assert response.status_code == 302
    run_jobs()
    assert links_in_mailbox(environ, "collega@kindengezin.example", "/beringen/invitation/")


def test_steward_can_suspend_reactivate_and_resend(app, client):
    net, steward = _setup(app)
    f.login(client, steward)
    client.post(
        "/beringen/network/partners/invite",
        data={"name": "CLB", "sector": "education", "contact_email": "clb@clb.example"},
    )
    with app.app_context(), network_scope(net.id):
        partner_id = db.session.execute(select(Partner.id)).scalar_one()
    assert client.post(f"/beringen/network/partners/{partner_id}/resend").status_code == 302
    with app.app_context(), network_scope(net.id):
        invitations = db.session.execute(select(Invitation).order_by(Invitation.id)).scalars().all()
        assert (
            len(invitations) == 2
            and invitations[0].revoked_at is not None
            and invitations[1].is_open
        )
    confirmed(client, f"/beringen/network/partners/{partner_id}/suspend")
    detail = client.get(f"/beringen/network/partners/{partner_id}").get_data(as_text=True)
    assert "Geschorst" in detail or "Suspended" in detail
    client.post(f"/beringen/network/partners/{partner_id}/reactivate")
    with app.app_context(), network_scope(net.id):
        assert (
            db.session.get(Partner, partner_id).state == PartnerState.INVITED
        )  # nobody accepted yet


def test_members_of_a_suspended_partner_lose_access(app, client):
    net, steward = _setup(app)
    partner = f.partner(app, net, "Turkse Unie")
    member = f.user(app, "lid@turkseunie.example", (net, Role.PARTNER_ADMIN, partner))
    partner_client = app.test_client()
    f.login(partner_client, member)
    assert partner_client.get("/beringen/partner/").status_code == 200
    f.login(client, steward)
    confirmed(client, f"/beringen/network/partners/{partner.id}/suspend")
    assert partner_client.get("/beringen/partner/").status_code == 404


def test_duplicate_partner_name_is_refused_with_a_clear_message(app, client):
    net, steward = _setup(app)
    f.partner(app, net, "OCMW Beringen")
    f.login(client, steward)
    response = client.post(
        "/beringen/network/partners/invite",
        data={"name": "ocmw beringen", "sector": "welfare", "contact_email": "x@ocmw.example"},
    )
    assert response.status_code == 422
    assert _count(app, net, Partner) == 1
    assert _count(app, net, Invitation) == 0


def test_invite_form_errors_are_shown_and_nothing_is_saved(app, client):
    net, steward = _setup(app)
    f.login(client, steward)
    response = client.post(
        "/beringen/network/partners/invite",
        data={"name": "", "sector": "bogus", "contact_email": "not-an-email"},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in body
    assert _count(app, net, Partner) == 0
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one() == 0


CSV_OK = "naam;sector;e-mail\nCKG De Schommel;welzijn;ckg@ckg.example\nRIMO Limburg;community;rimo@rimo.example\n"


def _upload(client, text: str, name="partners.csv"):
    return client.post(
        "/beringen/network/partners/import",
        data={"file": (io.BytesIO(text.encode("utf-8")), name)},
        content_type="multipart/form-data",
    )


def test_csv_import_previews_then_invites_all(app, client, run_jobs, environ):
    net, steward = _setup(app)
    f.login(client, steward)
    preview = _upload(client, CSV_OK)
    assert preview.status_code == 200
    body = preview.get_data(as_text=True)
    assert "CKG De Schommel" in body and "RIMO Limburg" in body
    assert _count(app, net, Partner) == 0  # a preview saves nothing
    payload = body.split('name="payload" type="hidden" value="')[1].split('"')[0]
    confirm = client.post("/beringen/network/partners/import", data={"payload": payload})
    assert confirm.status_code == 302
    assert _count(app, net, Partner) == 2
    run_jobs()
    assert links_in_mailbox(environ, "ckg@ckg.example", "/invitation/")


def test_bad_csv_rows_are_reported_and_nothing_is_imported(app, client):
    net, steward = _setup(app)
    f.partner(app, net, "OCMW Beringen")
    f.login(client, steward)
    text = (
        "name,sector,contact_email\n"
        "Goede partner,health,goed@partner.example\n"
        ",health,leeg@partner.example\n"
        "Onbekende sector,ruimtevaart,x@partner.example\n"
        "Slecht adres,welfare,geen-email\n"
        "OCMW Beringen,welfare,ocmw@partner.example\n"
        "Goede partner,health,dubbel@partner.example\n"
    )
    response = _upload(client, text)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    for line in ("3", "4", "5", "6", "7"):
        assert f"<td>{line}</td>" in body
    assert "ruimtevaart" in body
    assert 'name="payload"' not in body
    assert _count(app, net, Partner) == 1
    # a tampered confirmation with bad rows is refused too
    import base64

    forged = base64.b64encode(text.encode()).decode()
    assert (
        client.post("/beringen/network/partners/import", data={"payload": forged}).status_code
        == 422
    )
    assert _count(app, net, Partner) == 1


def test_unreadable_uploads_get_a_clear_message(app, client):
    _net, steward = _setup(app)
    f.login(client, steward)
    for content, name in (
        (b"\x00\x01\x02binary", "x.csv"),
        (b"", "empty.csv"),
        (b"just;one;header\n", "h.csv"),
    ):
        response = client.post(
            "/beringen/network/partners/import",
            data={"file": (io.BytesIO(content), name)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 422, name
    response = client.post(
        "/beringen/network/partners/import",
        data={"file": (io.BytesIO(b"a,b"), "x.exe")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert (
        client.post(
            "/beringen/network/partners/import", data={"payload": "%%%not-base64"}
        ).status_code
        == 400
    )


def test_steward_invites_network_roles_and_keeps_at_least_one_steward(app, client):
    net, steward = _setup(app)
    f.login(client, steward)
    response = client.post(
        "/beringen/network/people",
        data={"email": "beleid@beringen.example", "role": "municipality_viewer"},
    )
    assert response.status_code == 302
    with app.app_context(), network_scope(net.id):
        own = db.session.execute(
            select(Membership.id).where(Membership.user_id == steward.id)
        ).scalar_one()
    confirmed(client, f"/beringen/network/people/{own}/remove")
    assert _count(app, net, Membership) == 1
