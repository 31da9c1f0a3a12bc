"""Tenant isolation, generated from the URL map so that a new route cannot escape it.

Every route under /<slug>/ is requested by every role of Beringen with Sint-Truiden's slug and
Sint-Truiden's object ids: the answer is 404 (or, for the few public routes, a page that shows
nothing private), and no Sint-Truiden detail appears in any body. Partner routes that name an
object are also tried by one partner against another partner's object in the same network.
"""

from __future__ import annotations

import pytest

from tenants.models import Role
from tests import factories as f
from tests.world import build_world

# Routes under /<slug>/ that answer without a role: the families' pages (public by design: they
# show the network's published activities and active partners, never anything private) and the
# invitation link (the token is the capability; another account gets 403).
PUBLIC = {
    "public.home": {200},
    "public.activity": {200},
    "public.agenda_feed": {200},
    "public.activity_feed": {200},
    "public.partner_feed": {200},
    "public.flyer": {200},
    "auth.accept_invitation": {403, 410},
    # a "Sign in with ..." button: it sends the browser to the network's provider, nothing more
    "auth.sso_start": {302},
    "social_economy.roster_feed": {200},  # the worker's secret token is the capability
    # open data (HSDS): the published catalogue, public by design, never a family
    "hsds.index": {200},
    "hsds.services": {200},
    "hsds.service": {200},
    "hsds.organizations": {200},
    "hsds.organization": {404},  # a service's id names no organization
    "hsds.locations": {200},
    "hsds.location": {404},
    "hsds.service_at_locations": {200},
    "hsds.taxonomies": {200},
    "hsds.taxonomy_terms": {200},
    "hsds.bare": {308},  # to /<slug>/hsds/
    "hsds.service_at_location": {404},  # a service's id names no service at location
    "hsds.taxonomy": {404},
    "hsds.taxonomy_term": {404},
    "hsds.elsewhere": {404},  # any other path under /<slug>/hsds/: a JSON 404
}
# The JSON API authenticates by token, not by session: its own matrix is tests/test_api_isolation.py.
TOKEN_AUTHENTICATED = "api."


def _network_rules(app):
    return [
        r
        for r in app.url_map.iter_rules()
        if "slug" in r.arguments
        and r.endpoint != "static"
        and not r.endpoint.startswith(TOKEN_AUTHENTICATED)
    ]


def _args_for(rule, cast) -> dict:
    """Sint-Truiden's ids for each argument a route names; an unknown argument fails the test."""
    known = {
        "slug": cast.network.slug,
        "partner_id": cast.partner_b.id,
        "membership_id": cast.membership_b,
        "token": cast.invitation_token,
        "offer_id": cast.offer_id,
        "session_id": cast.session_id,
        "link_id": cast.link_id,
        "closure_id": cast.closure_id,
        "location_id": cast.location_id,
        "referral_id": cast.referral_id,
        "notification_id": cast.notification_id,
        "worker_id": cast.worker_id,
        "roster_id": cast.roster_id,
        "assignment_id": cast.assignment_id,
        "card_id": cast.card_id,
        "feed_token": cast.feed_token,
        "token_id": cast.token_id,
        "item_id": cast.hsds_service_id,
        "provider_id": cast.provider_id,
        "rest": "nothing-here",
    }
    missing = set(rule.arguments) - set(known)
    assert not missing, (
        f"route {rule.rule} takes {missing}: add a Sint-Truiden object for it to the isolation matrix"
    )
    return {k: known[k] for k in rule.arguments}


def _methods(rule) -> list[str]:
    return sorted(m for m in rule.methods if m in {"GET", "POST"})


@pytest.fixture
def world(app):
    return build_world(app)


def test_every_network_route_is_in_the_matrix(app):
    rules = _network_rules(app)
    assert len(rules) >= 15
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        guarded = hasattr(view, "dorp_roles")
        assert guarded or rule.endpoint in PUBLIC, (
            f"{rule.endpoint} is under /<slug>/ but neither role-guarded nor declared public"
        )


@pytest.mark.parametrize("role", list(Role))
def test_beringen_roles_get_404_on_every_sint_truiden_url(app, world, role):
    beringen, sint_truiden = world
    client = app.test_client()
    f.login(client, beringen.people[role])
    for rule in _network_rules(app):
        url = app.url_map.bind("localhost").build(rule.endpoint, _args_for(rule, sint_truiden))
        for method in _methods(rule):
            response = client.open(url, method=method, data={})
            allowed = PUBLIC.get(rule.endpoint, {404})
            assert response.status_code in allowed, f"{role} {method} {url}: {response.status_code}"
            body = response.get_data(as_text=True)
            shown = (
                sint_truiden.secrets
                if rule.endpoint in PUBLIC
                else sint_truiden.secrets + sint_truiden.public
            )
            for secret in shown:
                assert secret not in body, f"{role} {method} {url} leaks {secret!r}"


def test_anonymous_visitor_is_sent_to_login_not_shown_data(app, world):
    _beringen, sint_truiden = world
    client = app.test_client()
    for rule in _network_rules(app):
        if rule.endpoint in PUBLIC:
            continue
        url = app.url_map.bind("localhost").build(rule.endpoint, _args_for(rule, sint_truiden))
        for method in _methods(rule):
            response = client.open(url, method=method, data={})
            assert response.status_code in {302, 401}, f"{method} {url}: {response.status_code}"
            assert "/auth/login" in response.headers.get("Location", "")


def test_partner_cannot_touch_another_partners_objects(app, world):
    beringen, _st = world
    client = app.test_client()
    f.login(client, beringen.people[Role.PARTNER_ADMIN])  # admin of partner A
    partner_rules = [
        r for r in _network_rules(app) if r.endpoint.startswith("partner.") and len(r.arguments) > 1
    ]
    assert partner_rules, "expected partner routes that name an object"
    for rule in partner_rules:
        args = _args_for(rule, beringen)  # partner B's objects, same network
        url = app.url_map.bind("localhost").build(rule.endpoint, args)
        for method in _methods(rule):
            response = client.open(url, method=method, data={})
            assert response.status_code == 404, f"{method} {url}: {response.status_code}"
    with app.app_context():
        from saas.extensions import db
        from tenants.context import network_scope
        from tenants.models import Membership

        with network_scope(beringen.network.id):
            assert db.session.get(Membership, beringen.membership_b) is not None


def test_roles_within_a_network_are_enforced(app, world):
    beringen, _st = world
    client = app.test_client()
    f.login(client, beringen.people[Role.PARTNER_MEMBER])
    assert client.get("/beringen/network/partners").status_code == 403
    assert client.get("/beringen/partner/colleagues").status_code == 403
    assert client.get("/beringen/partner/").status_code == 200


def test_steward_cannot_reach_other_network_partner_by_id_in_own_network_url(app, world):
    beringen, sint_truiden = world
    client = app.test_client()
    f.login(client, beringen.people[Role.STEWARD])
    response = client.get(f"/beringen/network/partners/{sint_truiden.partner_a.id}")
    assert response.status_code == 404
    assert sint_truiden.partner_a.name not in response.get_data(as_text=True)
    response = client.post(f"/beringen/network/partners/{sint_truiden.partner_a.id}/suspend")
    assert response.status_code == 404
    response = client.post(f"/beringen/network/people/{sint_truiden.membership_network}/remove")
    assert response.status_code == 404


def test_invitation_token_of_one_network_does_not_open_in_another(app, world):
    _beringen, sint_truiden = world
    client = app.test_client()
    response = client.get(f"/beringen/invitation/{sint_truiden.invitation_token}")
    assert response.status_code == 410
    assert "invitee@sint-truiden" not in response.get_data(as_text=True)


# Routes outside /<slug>/ about one person's own things, whatever network they are in: their
# security page and its actions (sessions are a person's, not a network's). Each is requested
# below by every role of both networks, against everyone else's sessions.
PERSONAL = {
    "site.account": {"GET", "POST"},
    "site.security_page": {"GET"},
    "site.end_session": {"POST"},
    "site.end_other_sessions": {"POST"},
    "auth.factors_page": {"GET"},
    "auth.add_app": {"GET", "POST"},
    "auth.new_recovery_codes": {"GET", "POST"},
    "auth.remove_factor": {"GET", "POST"},
    "auth.add_key": {"GET", "POST"},
    "auth.add_key_options": {"POST"},
}


def test_every_personal_route_is_in_the_matrix(app):
    account_rules = {r.endpoint for r in app.url_map.iter_rules() if r.rule.startswith("/account")}
    assert account_rules == set(PERSONAL), (
        "a new /account route: add it to PERSONAL and to the test below"
    )


def _sessions_of(app, user_id: int) -> dict[str, str]:
    """token → handle of a person's login sessions."""
    from sqlalchemy import select

    from saas.accounts.models import LoginSession
    from saas.extensions import db

    with app.app_context():
        rows = db.session.execute(
            select(LoginSession).where(LoginSession.user_id == user_id)
        ).scalars()
        return {row.token: row.handle for row in rows}


@pytest.mark.parametrize("role", list(Role))
def test_nobody_sees_or_signs_out_anothers_session_in_either_network(app, world, role):
    """Everyone of both networks is signed in; one Beringen role's security page shows only
    their own sessions, and signing out anyone else's (a colleague's in Beringen, anyone's in
    Sint-Truiden) is refused with a message and ends nothing."""
    beringen, sint_truiden = world
    everyone = {
        person.id: person
        for cast in (beringen, sint_truiden)
        for person in (*cast.people.values(), cast.colleague_b)
    }
    clients = {}
    for person_id, person in everyone.items():
        clients[person_id] = app.test_client()
        f.login(clients[person_id], person)
    me = beringen.people[role].id
    mine = _sessions_of(app, me)
    others = {pid: _sessions_of(app, pid) for pid in everyone if pid != me}
    client = clients[me]

    body = client.get("/account/security").get_data(as_text=True)
    assert all(handle in body for handle in mine.values())
    for sessions in others.values():
        for token, handle in sessions.items():
            assert handle not in body and token not in body
    for person in everyone.values():
        if person.id != me:
            assert person.email not in body and person.name not in body

    for pid, sessions in others.items():
        for handle in sessions.values():
            response = client.post("/account/security/sign-out", data={"session": handle})
            assert response.status_code == 422, f"{role} ended {pid}'s session"
    assert client.post("/account/security/sign-out-others").status_code == 302
    for pid, sessions in others.items():
        assert _sessions_of(app, pid) == sessions, f"{role} changed {pid}'s sessions"
        assert clients[pid].get("/account").status_code == 200
    assert _sessions_of(app, me) == mine


@pytest.mark.parametrize("role", list(Role))
def test_nobody_sees_or_removes_anothers_second_factor_in_either_network(app, world, role):
    """Everyone of both networks has an authenticator app; one Beringen role's factor page lists
    only their own, and removing anyone else's (asking, or confirming) is a 404 that removes
    nothing."""
    from sqlalchemy import select

    from saas.accounts import totp
    from saas.accounts.models import SecondFactor
    from saas.extensions import db

    beringen, sint_truiden = world
    everyone = {
        person.id: person
        for cast in (beringen, sint_truiden)
        for person in (*cast.people.values(), cast.colleague_b)
    }
    with app.app_context():
        for person_id in everyone:
            db.session.add(
                SecondFactor(
                    user_id=person_id,
                    kind="totp",
                    label=f"app-of-{person_id}",
                    totp_secret=totp.seal(f.TOTP_SECRET),
                )
            )
        db.session.commit()
        factors = {
            row.user_id: row.id for row in db.session.execute(select(SecondFactor)).scalars()
        }
    me = beringen.people[role]
    client = app.test_client()
    f.login(client, me)

    body = client.get("/account/two-factor").get_data(as_text=True)
    assert f"app-of-{me.id}" in body
    for person_id in everyone:
        if person_id != me.id:
            assert f"app-of-{person_id}" not in body
    for person_id, factor_id in factors.items():
        if person_id == me.id:
            continue
        url = f"/account/two-factor/{factor_id}/remove"
        assert client.get(url).status_code == 404, f"{role} saw {person_id}'s factor"
        response = client.post(url, data={"confirm": "1", "confirmed": "1"})
        assert response.status_code == 404, f"{role} removed {person_id}'s factor"
    with app.app_context():
        left = set(db.session.execute(select(SecondFactor.user_id)).scalars())
    assert left == set(everyone)
