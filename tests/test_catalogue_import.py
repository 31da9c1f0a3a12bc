"""A partner imports its activities from a spreadsheet: preview, an error per bad line, all or none."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import func, select

from saas.catalogue.models import ActivitySession, Offer
from saas.extensions import db
from saas.partners.models import Sector
from tenants.context import network_scope
from tenants.models import Role
from tests import catalogue_factories as cf
from tests import factories as f


def _setup(app):
    net = f.network(app, "beringen")
    inz = f.partner(app, net, "IN-Z vzw", Sector.SOCIAL_ECONOMY)
    cf.place(app, net, name="Buurthuis De Kolonie")
    cf.type_id(app, net)
    admin = f.user(app, "admin@in-z.example", (net, Role.PARTNER_ADMIN, inz))
    return net, inz, admin


def _upload(client, partner_id, text, publish=True):
    data = {"partner_id": str(partner_id), "file": (io.BytesIO(text.encode()), "aanbod.csv")}
    if publish:
        data["publish"] = "y"
    return client.post("/beringen/catalogue/import", data=data, content_type="multipart/form-data")


def _count(app, net, model):
    with app.app_context(), network_scope(net.id):
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_partner_imports_offers_from_a_dutch_spreadsheet(app, client):
    net, inz, admin = _setup(app)
    start = date.today() + timedelta(days=3)
    until = start + timedelta(weeks=8)
    text = (
        "titel;soort;locatie;datum;van;tot;herhaling;dagen;laatste datum;leeftijd van;leeftijd tot;talen;prijs;inschrijving;actielijnen\n"
        f"Kookatelier;Oudersalon (niet-thematisch);Buurthuis De Kolonie;{start:%d/%m/%Y};9u30;11:30;wekelijks;di,do;{until:%d/%m/%Y};0;12;nl,tr;gratis;nee;2,3\n"
        f"Sinterklaasfeest;babysalon;buurthuis de kolonie;{start.isoformat()};14:00;16:00;eenmalig;;;18m;6;nl;2,50;ja: via de school;1\n"
    )
    f.login(client, admin)
    preview = _upload(client, inz.id, text)
    assert preview.status_code == 200, preview.get_data(as_text=True)[-1500:]
    assert _count(app, net, Offer) == 0
    body = preview.get_data(as_text=True)
    payload = body.split('id="payload" name="payload" type="hidden" value="')[1].split('"')[0]
    confirm = client.post(
        "/beringen/catalogue/import",
        data={"payload": payload, "partner_id": str(inz.id), "publish": "1"},
    )
    assert confirm.status_code == 302
    with app.app_context(), network_scope(net.id):
        offers = {o.title: o for o in db.session.execute(select(Offer)).scalars()}
        cooking, party = offers["Kookatelier"], offers["Sinterklaasfeest"]
        assert cooking.rrule == f"FREQ=WEEKLY;BYDAY=TU,TH;UNTIL={until:%Y%m%d}"
        assert cooking.language_list == ["nl", "tr"] and cooking.is_free and cooking.is_published
        assert cooking.age_max_months == 12 * 12 + 11
        assert party.age_min_months == 18 and party.cost_cents == 250
        assert party.registration_required and party.registration_note == "ja: via de school"
        sessions = db.session.execute(
            select(func.count())
            .select_from(ActivitySession)
            .where(ActivitySession.offer_id == cooking.id)
        ).scalar_one()
        assert sessions >= 14


def test_bad_lines_are_reported_and_nothing_is_imported(app, client):
    net, inz, admin = _setup(app)
    start = date.today() + timedelta(days=3)
    text = (
        "title,type,location,start_date,start_time,end_time,repeat,days,until,age_min,age_max\n"
        f"Goed,oudersalon,Buurthuis De Kolonie,{start},9:00,10:00,,,,0,6\n"
        f"Geen einde,oudersalon,Buurthuis De Kolonie,{start},9:00,10:00,wekelijks,ma,,0,6\n"
        f"Onbekende plek,oudersalon,Maan,{start},9:00,10:00,,,,0,6\n"
        f"Omgekeerd,oudersalon,Buurthuis De Kolonie,{start},11:00,10:00,,,,0,6\n"
        f"Leeftijd,oudersalon,Buurthuis De Kolonie,{start},9:00,10:00,,,,10,2\n"
        f"Soort,ruimtevaart,Buurthuis De Kolonie,{start},9:00,10:00,,,,0,6\n"
        f"Datum,oudersalon,Buurthuis De Kolonie,31/02/2027,9:00,10:00,,,,0,6\n"
        f"Dag,oudersalon,Buurthuis De Kolonie,{start},9:00,10:00,wekelijks,maanrdag,{start + timedelta(days=30)},0,6\n"
    )
    f.login(client, admin)
    response = _upload(client, inz.id, text)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    for line in range(3, 10):
        assert f"<td>{line}</td>" in body
    assert 'name="payload"' not in body
    assert _count(app, net, Offer) == 0 and _count(app, net, ActivitySession) == 0


def test_coordinator_imports_for_the_social_economy_only(app, client):
    net, _inz, _admin = _setup(app)
    other = f.partner(app, net, "CLB Beringen", Sector.EDUCATION)
    coordinator = f.user(app, "coordinator@in-z.example", (net, Role.SE_COORDINATOR))
    f.login(client, coordinator)
    page = client.get("/beringen/catalogue/import").get_data(as_text=True)
    assert "IN-Z vzw" in page and "CLB Beringen" not in page
    forged = _upload(client, other.id, "titel;soort\nx;y\n")
    assert forged.status_code in (403, 422)
    assert _count(app, net, Offer) == 0
