"""Issue #21.2: single sign-on through OpenID Connect providers, against a real local provider
(oidc-provider-mock on 127.0.0.1): code flow with PKCE, state and nonce, a signed ID token.
Every refusal says why in words, changes nothing and leaves a security event."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from saas.accounts.models import User
from saas.audit.models import SecurityEvent
from saas.audit.security import Kind
from saas.extensions import db
from saas.onboarding import invitations
from saas.sso import oidc, services
from saas.sso.models import NetworkLink, NetworkProvider, PlatformLink, PlatformProvider
from tenants.context import network_scope
from tenants.models import Invitation, Membership, Network, Role
from tests import factories as f
from tests.oidc_support import (
    impostor_jwks,
    path_and_query,
    provider,
    query_of,
    set_person,
    sign_in_at_provider,
)

SECRET = "s3cret-of-the-school-client"


@pytest.fixture(scope="module")
def issuer():
    with provider() as url:
        yield url


def add_provider(app, net, issuer: str, domains: str = "beringen.example", name="Scholen") -> int:
    with app.test_request_context(), network_scope(net.id):
        saved = services.save(
            NetworkProvider(),
            services.ProviderData(
                name=name, issuer=issuer, client_id="dorp", client_secret=SECRET, domains=domains
            ),
        )
        db.session.commit()
        return saved.id


def add_platform_provider(app, issuer: str, domains: str) -> int:
    with app.test_request_context():
        saved = services.save(
            PlatformProvider(),
            services.ProviderData(
                name="Vlaamse overheid",
                issuer=issuer,
                client_id="dorp-platform",
                client_secret=SECRET,
                domains=domains,
            ),
        )
        db.session.commit()
        return saved.id


def start(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 302, response.status_code
    return response.headers["Location"]


def journey(client, start_url: str, sub: str, *, tamper=None):
    """Start, approve at the provider as `sub`, come back: the callback's response."""
    authorize = start(client, start_url)
    if tamper:
        authorize = tamper(authorize)
    callback = sign_in_at_provider(authorize, sub)
    return client.get(path_and_query(callback))


def events(app, kind: Kind | None = None) -> list[SecurityEvent]:
    with app.app_context():
        query = select(SecurityEvent).order_by(SecurityEvent.id)
        if kind:
            query = query.where(SecurityEvent.kind == kind)
        rows = list(db.session.execute(query).scalars())
        for row in rows:
            db.session.expunge(row)
        return rows


def counts(app, net) -> dict:
    with app.app_context(), network_scope(net.id):
        return {
            model.__name__: db.session.execute(select(func.count()).select_from(model)).scalar()
            for model in (User, Membership, NetworkLink, Invitation)
        } | {
            "accepted": db.session.execute(
                select(func.count()).where(Invitation.accepted_at.is_not(None))
            ).scalar()
        }


def signed_in(client) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def refused(app, client, net, response, status: int, reason: str, words: str, before: dict):
    assert response.status_code == status
    assert words in response.get_data(as_text=True)
    assert counts(app, net) == before
    assert not signed_in(client)
    last = events(app, Kind.SSO_FAILED)[-1]
    assert last.details["reason"] == reason
    everything = repr((last.account_ref, last.details)).lower()
    assert SECRET not in everything and "@" not in everything


# --- configuring ------------------------------------------------------------------------------


def test_steward_adds_a_provider_whose_secret_is_never_shown_again(app, client, issuer):
    net = f.network(app, "beringen")
    steward = f.user(app, "regie@beringen.example", (net, Role.STEWARD))
    f.login(client, steward)
    form = {
        "name": "Scholengroep",
        "issuer": issuer + "/",
        "client_id": "dorp",
        "client_secret": SECRET,
        "domains": "@Beringen.example, school.be",
    }
    assert client.post("/beringen/network/sign-in-providers", data=form).status_code == 302
    with app.app_context(), network_scope(net.id):
        saved = db.session.execute(select(NetworkProvider)).scalar_one()
        assert saved.issuer == issuer and saved.domains == ["beringen.example", "school.be"]
        assert SECRET not in saved.client_secret_sealed
        assert saved.token_endpoint == f"{issuer}/oauth2/token"
        provider_id = saved.id
    listing = client.get("/beringen/network/sign-in-providers").get_data(as_text=True)
    page = client.get(f"/beringen/network/sign-in-providers/{provider_id}").get_data(as_text=True)
    assert "Scholengroep" in listing and "/auth/sso/callback" in page
    assert SECRET not in listing + page
    # saved again without a secret: the stored one stays
    again = {**form, "client_secret": "", "name": "Scholengroep Limburg"}
    assert (
        client.post(f"/beringen/network/sign-in-providers/{provider_id}", data=again).status_code
        == 302
    )
    with app.app_context(), network_scope(net.id):
        from saas.sso.secrets import unseal

        assert unseal(db.session.get(NetworkProvider, provider_id).client_secret_sealed) == SECRET
    changes = events(app, Kind.SSO_PROVIDER_CHANGED)
    assert [e.details["action"] for e in changes] == ["added", "changed"]
    assert all(SECRET not in repr(e.details) for e in changes)


def test_a_non_https_issuer_is_refused_in_production(app, client, issuer, monkeypatch):
    net = f.network(app, "beringen")
    steward = f.user(app, "regie@beringen.example", (net, Role.STEWARD))
    f.login(client, steward)
    form = {
        "name": "Scholengroep",
        "issuer": issuer,
        "client_id": "dorp",
        "client_secret": SECRET,
        "domains": "beringen.example",
    }
    monkeypatch.setitem(app.config, "DORP_ENV", "production")
    plain = {**form, "issuer": "http://login.school.be"}  # refused before anything is fetched
    response = client.post("/beringen/network/sign-in-providers", data=plain)
    assert response.status_code == 422
    assert "moet HTTPS gebruiken" in response.get_data(as_text=True)
    monkeypatch.setitem(app.config, "DORP_ENV", "testing")
    # outside production, plain HTTP only on this computer
    elsewhere = client.post(
        "/beringen/network/sign-in-providers", data={**form, "issuer": "http://login.example.be"}
    )
    assert elsewhere.status_code == 422
    assert "een testprovider op deze computer" in elsewhere.get_data(as_text=True)
    with app.app_context(), network_scope(net.id):
        assert db.session.execute(select(func.count(NetworkProvider.id))).scalar() == 0
    refusals = events(app, Kind.SSO_PROVIDER_REFUSED)
    assert [e.details["reason"] for e in refusals] == ["insecure", "loopback_only"]
    assert refusals[0].user_id == steward.id


def test_unknown_domains_and_a_missing_secret_are_told_in_words(app, client, issuer):
    net = f.network(app, "beringen")
    f.login(client, f.user(app, "regie@beringen.example", (net, Role.STEWARD)))
    form = {"name": "X y", "issuer": issuer, "client_id": "dorp", "client_secret": ""}
    response = client.post(
        "/beringen/network/sign-in-providers", data={**form, "domains": "not a domain!"}
    )
    assert response.status_code == 422 and "is geen e-maildomein" in response.get_data(as_text=True)
    response = client.post(
        "/beringen/network/sign-in-providers", data={**form, "domains": "beringen.example"}
    )
    assert response.status_code == 422 and "Geef het clientgeheim op" in response.get_data(
        as_text=True
    )


# --- signing in -------------------------------------------------------------------------------


def test_an_existing_account_signs_in_with_pkce_and_is_linked_by_subject(app, client, issuer):
    net = f.network(app, "beringen")
    steward = f.user(app, "regie@beringen.example", (net, Role.STEWARD))
    provider_id = add_provider(app, net, issuer)
    set_person(issuer, "sub-regie", email="Regie@Beringen.example", email_verified=True)

    login_page = client.get("/auth/login?network=beringen").get_data(as_text=True)
    assert "Aanmelden met Scholen" in login_page
    assert "Aanmelden met Scholen" not in client.get("/auth/login").get_data(as_text=True)

    authorize = start(client, f"/beringen/auth/sso/{provider_id}")
    asked = query_of(authorize)
    assert authorize.startswith(f"{issuer}/oauth2/authorize?")
    assert asked["response_type"] == "code" and asked["code_challenge_method"] == "S256"
    assert "openid" in asked["scope"].split() and asked["nonce"] and asked["state"]
    with client.session_transaction() as session:
        verifier = session["sso"]["verifier"]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    assert asked["code_challenge"] == challenge.decode()
    assert verifier not in authorize

    response = client.get(path_and_query(sign_in_at_provider(authorize, "sub-regie")))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/beringen/dashboard")
    assert client.get("/beringen/dashboard").status_code == 200
    with client.session_transaction() as session:
        assert "factor_verified_by" not in session  # no amr: one factor as far as Dorp knows
        assert "sso" not in session
    with app.app_context(), network_scope(net.id):
        link = db.session.execute(select(NetworkLink)).scalar_one()
        assert (link.user_id, link.subject, link.provider_id) == (
            steward.id,
            "sub-regie",
            provider_id,
        )
    kinds = [e.kind for e in events(app)]
    assert kinds[-2:] == [Kind.SSO_LINKED, Kind.SIGN_IN]
    assert events(app, Kind.SIGN_IN)[-1].details == {
        "via": "sso",
        "scope": "network",
        "provider": provider_id,
        "network": "127.0.0.0/24",  # the address's network only (saas.accounts.devices)
    }

    # afterwards the subject finds the account, whatever address the provider now gives
    client.post("/auth/logout")
    set_person(issuer, "sub-regie", email="nieuw@elders.example", email_verified=True)
    again = journey(client, f"/beringen/auth/sso/{provider_id}", "sub-regie")
    assert again.status_code == 302 and signed_in(client)
    with app.app_context(), network_scope(net.id):
        assert db.session.execute(select(func.count(NetworkLink.id))).scalar() == 1


def test_the_providers_mfa_claim_marks_the_second_factor_as_passed(app, client, issuer):
    net = f.network(app, "beringen")
    f.user(app, "regie@beringen.example", (net, Role.STEWARD))
    f.user(app, "team@beringen.example", (net, Role.SE_COORDINATOR))
    provider_id = add_provider(app, net, issuer)
    set_person(
        issuer, "sub-mfa", email="regie@beringen.example", email_verified=True, amr=["pwd", "mfa"]
    )
    set_person(issuer, "sub-otp", email="team@beringen.example", email_verified=True, amr=["otp"])
    assert journey(client, f"/beringen/auth/sso/{provider_id}", "sub-mfa").status_code == 302
    with client.session_transaction() as session:
        assert session["factor_verified_by"] == "provider"
    other = app.test_client()
    assert journey(other, f"/beringen/auth/sso/{provider_id}", "sub-otp").status_code == 302
    with other.session_transaction() as session:
        assert "_user_id" in session and "factor_verified_by" not in session


def test_a_person_with_a_second_factor_gives_it_after_a_provider_that_showed_none(
    app, client, issuer
):
    """The provider vouched for one factor only: the person's own authenticator app is asked
    next, as after a password; a provider that showed two needs nothing more."""
    net = f.network(app, "beringen")
    person = f.user(app, "regie@beringen.example", (net, Role.STEWARD), authenticator=True)
    provider_id = add_provider(app, net, issuer)
    set_person(issuer, "sub-regie", email="regie@beringen.example", email_verified=True)

    response = journey(client, f"/beringen/auth/sso/{provider_id}", "sub-regie")
    assert response.headers["Location"].endswith("/auth/second-factor")
    assert not signed_in(client)
    assert client.get("/beringen/dashboard").status_code == 302  # not in yet
    wrong = client.post("/auth/second-factor", data={"code": "000000"})
    assert wrong.status_code == 422 and not signed_in(client)
    done = client.post("/auth/second-factor", data={"code": f.fresh_code(client, person)})
    assert done.status_code == 302 and done.headers["Location"].endswith("/beringen/dashboard")
    assert signed_in(client)
    with client.session_transaction() as session:
        assert session["factor_verified_by"] == "totp"
    assert events(app, Kind.SIGN_IN)[-1].details["via"] == "sso+totp"
    with app.app_context(), network_scope(net.id):  # the link made on the way is kept
        assert db.session.execute(select(func.count(NetworkLink.id))).scalar() == 1

    other = app.test_client()
    set_person(
        issuer, "sub-regie", email="regie@beringen.example", email_verified=True, amr=["mfa"]
    )
    response = journey(other, f"/beringen/auth/sso/{provider_id}", "sub-regie")
    assert response.headers["Location"].endswith("/beringen/dashboard")
    with other.session_transaction() as session:
        assert "_user_id" in session and session["factor_verified_by"] == "provider"


@pytest.mark.parametrize(
    ("url", "production", "reason"),
    [
        ("http://127.0.0.1:9400", True, "internal"),
        ("https://169.254.169.254", True, "internal"),
        ("https://10.0.0.7/realms/school", True, "internal"),
        ("https://localhost:8443", True, "internal"),
        ("http://login.school.be", True, "insecure"),
        ("http://login.school.be", False, "loopback_only"),
        ("ftp://login.school.be", False, "not_a_url"),
        ("login.school.be", False, "not_a_url"),
    ],
)
def test_issuers_dorp_will_not_fetch(url, production, reason):
    with pytest.raises(oidc.IssuerRefused) as refused_issuer:
        oidc.check_url(url, production=production)
    assert refused_issuer.value.reason == reason


def test_issuers_dorp_fetches():
    oidc.check_url("https://login.microsoftonline.com/abc/v2.0", production=True)
    oidc.check_url("http://127.0.0.1:9400", production=False)
    oidc.check_url("http://localhost:9400", production=False)


@pytest.mark.parametrize(
    ("amr", "two"),
    [
        (["mfa"], True),
        (["pwd", "otp"], True),
        (["pwd", "hwk"], True),
        (["fpt", "swk"], True),
        (["otp"], False),
        (["pwd"], False),
        (["hwk", "swk"], False),  # two things one has: one kind of factor
        ("mfa", False),  # not a list: not what RFC 8176 says
        (None, False),
    ],
)
def test_which_amr_values_count_as_two_factors(amr, two):
    assert oidc.passed_two_factors({"amr": amr} if amr is not None else {}) is two


def test_an_invitation_is_accepted_and_the_account_made_at_first_sign_in(app, client, issuer):
    net = f.network(app, "beringen")
    provider_id = add_provider(app, net, issuer)
    with app.test_request_context(), network_scope(net.id):
        invitations.invite(
            network=db.session.get(Network, net.id),
            email="nieuwe.collega@beringen.example",
            role=Role.SE_WORKER,
        )
        db.session.commit()
    with app.test_request_context(), network_scope(net.id):
        token = invitations.token_for(db.session.execute(select(Invitation)).scalar_one())
    page = client.get(f"/beringen/invitation/{token}").get_data(as_text=True)
    assert f'href="/beringen/auth/sso/{provider_id}"' in page  # accept with the provider
    set_person(
        issuer,
        "sub-new",
        email="nieuwe.collega@beringen.example",
        email_verified=True,
        name="Nieuwe Collega",
    )
    response = journey(client, f"/beringen/auth/sso/{provider_id}", "sub-new")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/beringen/dashboard")
    with app.app_context(), network_scope(net.id):
        user = db.session.execute(
            select(User).where(User.email == "nieuwe.collega@beringen.example")
        ).scalar_one()
        assert user.name == "Nieuwe Collega" and user.password_hash is None
        membership = db.session.execute(select(Membership)).scalar_one()
        assert (membership.user_id, membership.role) == (user.id, Role.SE_WORKER)
        assert db.session.execute(select(Invitation)).scalar_one().accepted_by_id == user.id
        assert db.session.execute(select(NetworkLink)).scalar_one().user_id == user.id


def test_a_platform_provider_signs_in_and_accepts_an_invitation_of_the_page_network(
    app, client, issuer
):
    net = f.network(app, "beringen")
    platform_admin = f.user(app, "admin@dorp.example", admin=True)
    admin = app.test_client()
    f.login(admin, platform_admin)  # with the authenticator app a platform admin always has
    form = {
        "name": "Vlaamse overheid",
        "issuer": issuer,
        "client_id": "dorp-platform",
        "client_secret": SECRET,
        "domains": "vlaanderen.be",
    }
    assert admin.post("/admin/sign-in-providers", data=form).status_code == 302
    assert "Vlaamse overheid" in admin.get("/admin/sign-in-providers").get_data(as_text=True)
    with app.app_context():
        provider_id = db.session.execute(select(PlatformProvider.id)).scalar_one()
    with app.test_request_context(), network_scope(net.id):
        invitations.invite(
            network=db.session.get(Network, net.id),
            email="ambtenaar@vlaanderen.be",
            role=Role.MUNICIPALITY_VIEWER,
        )
        db.session.commit()
    page = client.get("/auth/login?network=beringen").get_data(as_text=True)
    assert f"/auth/sso/platform/{provider_id}?network=beringen" in page
    set_person(issuer, "sub-vo", email="ambtenaar@vlaanderen.be", email_verified=True)
    response = journey(client, f"/auth/sso/platform/{provider_id}?network=beringen", "sub-vo")
    assert response.status_code == 302 and signed_in(client)
    with app.app_context():
        assert db.session.execute(select(PlatformLink)).scalar_one().subject == "sub-vo"


# --- refusals ---------------------------------------------------------------------------------


def test_a_wrong_nonce_is_refused(app, client, issuer):
    net = f.network(app, "beringen")
    f.user(app, "regie@beringen.example", (net, Role.STEWARD))
    provider_id = add_provider(app, net, issuer)
    set_person(issuer, "sub-n", email="regie@beringen.example", email_verified=True)
    before = counts(app, net)

    def other_nonce(url: str) -> str:
        return url.replace(f"nonce={query_of(url)['nonce']}", "nonce=another-sign-in")

    response = journey(client, f"/beringen/auth/sso/{provider_id}", "sub-n", tamper=other_nonce)
    refused(
        app, client, net, response, 400, "nonce", "uitgegeven voor een andere aanmelding", before
    )


def test_a_state_that_is_not_ours_is_refused_and_a_callback_works_once(app, client, issuer):
    net = f.network(app, "beringen")
    f.user(app, "regie@beringen.example", (net, Role.STEWARD))
    provider_id = add_provider(app, net, issuer)
    set_person(issuer, "sub-s", email="regie@beringen.example", email_verified=True)
    before = counts(app, net)
    callback = sign_in_at_provider(start(client, f"/beringen/auth/sso/{provider_id}"), "sub-s")
    state = query_of(callback)["state"]
    forged = path_and_query(callback).replace(f"state={state}", "state=forged")
    response = client.get(forged)
    refused(app, client, net, response, 400, "state", "hoort niet bij de aanmelding", before)
    # the real answer comes too late: the sign-in it belonged to was used up by the refusal
    late = client.get(path_and_query(callback))
    refused(app, client, net, late, 400, "no_flow", "Begin opnieuw", before)


def test_an_expired_id_token_is_refused(app, client):
    net = f.network(app, "beringen")
    f.user(app, "regie@beringen.example", (net, Role.STEWARD))
    with provider(token_max_age=timedelta(minutes=-5)) as stale_issuer:
        provider_id = add_provider(app, net, stale_issuer)
        set_person(stale_issuer, "sub-e", email="regie@beringen.example", email_verified=True)
        before = counts(app, net)
        response = journey(client, f"/beringen/auth/sso/{provider_id}", "sub-e")
    refused(app, client, net, response, 400, "expired", "is verlopen", before)


def test_an_id_token_signed_by_another_key_is_refused(app, client, issuer):
    net = f.network(app, "beringen")
    f.user(app, "regie@beringen.example", (net, Role.STEWARD))
    provider_id = add_provider(app, net, issuer)
    set_person(issuer, "sub-k", email="regie@beringen.example", email_verified=True)
    with impostor_jwks(issuer) as other_keys:
        with app.app_context(), network_scope(net.id):
            db.session.get(NetworkProvider, provider_id).jwks_uri = other_keys
            db.session.commit()
        before = counts(app, net)
        response = journey(client, f"/beringen/auth/sso/{provider_id}", "sub-k")
    refused(
        app, client, net, response, 400, "signature", "niet ondertekend met de sleutels", before
    )


def test_an_address_of_a_domain_the_provider_may_not_sign_in_is_refused(app, client, issuer):
    net = f.network(app, "beringen")
    f.user(app, "juf@school.example", (net, Role.PARTNER_MEMBER, f.partner(app, net, "School")))
    provider_id = add_provider(app, net, issuer, domains="beringen.example")
    set_person(issuer, "sub-d", email="juf@school.example", email_verified=True)
    before = counts(app, net)
    response = journey(client, f"/beringen/auth/sso/{provider_id}", "sub-d")
    refused(
        app, client, net, response, 403, "domain", "mag geen adressen van jouw e-maildomein", before
    )


def test_an_unknown_address_makes_no_account(app, client, issuer):
    net = f.network(app, "beringen")
    provider_id = add_provider(app, net, issuer)
    set_person(issuer, "sub-u", email="onbekend@beringen.example", email_verified=True)
    before = counts(app, net)
    response = journey(client, f"/beringen/auth/sso/{provider_id}", "sub-u")
    refused(app, client, net, response, 403, "unknown", "er is geen account aangemaakt", before)


def test_an_unverified_address_is_refused(app, client, issuer):
    net = f.network(app, "beringen")
    f.user(app, "regie@beringen.example", (net, Role.STEWARD))
    provider_id = add_provider(app, net, issuer)
    set_person(issuer, "sub-v", email="regie@beringen.example", email_verified=False)
    before = counts(app, net)
    response = journey(client, f"/beringen/auth/sso/{provider_id}", "sub-v")
    refused(app, client, net, response, 403, "email_unverified", "niet bevestigd", before)


@pytest.mark.parametrize(
    ("claims", "signs_in"),
    [
        ({"xms_edov": True}, True),  # Entra ID: no email_verified, the domain's owner verified
        ({"xms_edov": False}, False),
        ({"xms_edov": "true"}, False),  # a string is not the boolean the claim is
        ({"email_verified": False, "xms_edov": True}, False),  # an explicit no stays no
        ({}, False),  # nothing said about the address
    ],
)
def test_entra_ids_domain_owner_claim_vouches_only_where_email_verified_is_absent(
    app, client, issuer, claims, signs_in
):
    net = f.network(app, "beringen")
    f.user(app, "regie@beringen.example", (net, Role.STEWARD))
    provider_id = add_provider(app, net, issuer)
    set_person(issuer, "sub-entra", email="regie@beringen.example", **claims)
    before = counts(app, net)
    response = journey(client, f"/beringen/auth/sso/{provider_id}", "sub-entra")
    if signs_in:
        assert response.status_code == 302 and signed_in(client)
        assert client.get("/beringen/dashboard").status_code == 200
    else:
        refused(app, client, net, response, 403, "email_unverified", "niet bevestigd", before)


def test_a_networks_provider_never_signs_in_another_networks_people(app, client, issuer):
    """A steward who adds a provider they control, allowing another network's domain (or the
    platform admin's), still reaches nobody outside their own network."""
    beringen = f.network(app, "beringen")
    sint_truiden = f.network(app, "sint-truiden")
    f.user(app, "regie@beringen.example", (beringen, Role.STEWARD))
    f.user(app, "admin@beringen.example", admin=True)
    provider_id = add_provider(app, sint_truiden, issuer, domains="beringen.example")
    for sub, email in (("sub-x", "regie@beringen.example"), ("sub-a", "admin@beringen.example")):
        set_person(issuer, sub, email=email, email_verified=True)
        before = counts(app, beringen)
        response = journey(client, f"/sint-truiden/auth/sso/{provider_id}", sub)
        reason = "not_member" if sub == "sub-x" else "platform_admin"
        refused(app, client, beringen, response, 403, reason, "", before)


def test_a_cancelled_sign_in_is_told(app, client, issuer):
    net = f.network(app, "beringen")
    provider_id = add_provider(app, net, issuer)
    authorize = start(client, f"/beringen/auth/sso/{provider_id}")

    denied = requests.post(authorize, data={"action": "deny"}, timeout=5, allow_redirects=False)
    before = counts(app, net)
    # the mock leaves the state out of its error answer (RFC 6749 4.1.2.1 says to send it back):
    # an answer without our state is not ours, whatever it says
    response = client.get(path_and_query(denied.headers["Location"]))
    refused(app, client, net, response, 400, "state", "hoort niet bij de aanmelding", before)
    # with the state, as a provider sends it, the person is told they cancelled
    authorize = start(client, f"/beringen/auth/sso/{provider_id}")
    denied = requests.post(authorize, data={"action": "deny"}, timeout=5, allow_redirects=False)
    answer = path_and_query(denied.headers["Location"]) + f"&state={query_of(authorize)['state']}"
    response = client.get(answer)
    refused(app, client, net, response, 400, "denied", "bij de provider geannuleerd", before)


# --- isolation --------------------------------------------------------------------------------


def test_a_steward_of_beringen_cannot_see_or_change_sint_truidens_providers(app, client, issuer):
    beringen = f.network(app, "beringen")
    sint_truiden = f.network(app, "sint-truiden")
    theirs = add_provider(app, sint_truiden, issuer, domains="sint-truiden.example", name="Sintec")
    f.login(client, f.user(app, "regie@beringen.example", (beringen, Role.STEWARD)))
    assert "Sintec" not in client.get("/beringen/network/sign-in-providers").get_data(as_text=True)
    for method, path in (
        ("GET", f"/beringen/network/sign-in-providers/{theirs}"),
        ("POST", f"/beringen/network/sign-in-providers/{theirs}"),
        ("POST", f"/beringen/network/sign-in-providers/{theirs}/remove"),
        ("GET", f"/sint-truiden/network/sign-in-providers/{theirs}"),
        ("GET", f"/beringen/auth/sso/{theirs}"),
    ):
        response = client.open(path, method=method, data={"name": "Overgenomen"})
        assert response.status_code == 404, (method, path)
        assert "Sintec" not in response.get_data(as_text=True)
    with app.app_context(), network_scope(sint_truiden.id):
        assert db.session.get(NetworkProvider, theirs).name == "Sintec"


def test_removing_a_provider_asks_first_then_unlinks_its_accounts(app, client, issuer):
    net = f.network(app, "beringen")
    steward = f.user(app, "regie@beringen.example", (net, Role.STEWARD))
    provider_id = add_provider(app, net, issuer)
    set_person(issuer, "sub-r", email="regie@beringen.example", email_verified=True)
    other = app.test_client()
    assert journey(other, f"/beringen/auth/sso/{provider_id}", "sub-r").status_code == 302
    f.login(client, steward)
    url = f"/beringen/network/sign-in-providers/{provider_id}/remove"
    question = client.post(url)
    assert (
        question.status_code == 200
        and "De aanmeldprovider Scholen verwijderen?" in question.get_data(as_text=True)
    )
    with app.app_context(), network_scope(net.id):
        assert db.session.get(NetworkProvider, provider_id) is not None
    token = question.get_data(as_text=True).split('name="confirm_token" value="')[1].split('"')[0]
    assert client.post(url, data={"confirm_token": token}).status_code == 302
    with app.app_context(), network_scope(net.id):
        assert db.session.get(NetworkProvider, provider_id) is None
        assert db.session.execute(select(func.count(NetworkLink.id))).scalar() == 0
    assert events(app, Kind.SSO_PROVIDER_CHANGED)[-1].details["action"] == "removed"


def test_a_networks_provider_opens_that_network_only(app, client, issuer):
    """Someone with roles in two networks who signs in through Beringen's provider (chosen by
    Beringen's steward, who could make it vouch for anyone of Beringen) is in Beringen only;
    Sint-Truiden says how to get in, and a password sign-in opens both again."""
    beringen = f.network(app, "beringen")
    sint_truiden = f.network(app, "sint-truiden")
    person = f.user(
        app, "regie@beringen.example", (beringen, Role.STEWARD), (sint_truiden, Role.STEWARD)
    )
    provider_id = add_provider(app, beringen, issuer)
    set_person(issuer, "sub-both", email="regie@beringen.example", email_verified=True)
    assert journey(client, f"/beringen/auth/sso/{provider_id}", "sub-both").status_code == 302
    assert client.get("/beringen/dashboard").status_code == 200

    elsewhere = client.get("/sint-truiden/dashboard")
    assert elsewhere.status_code == 403
    page = elsewhere.get_data(as_text=True)
    assert "aanmeldprovider van Huis van het Kind Beringen" in page
    assert "Huis van het Kind Sint-Truiden te openen" in page
    assert "Afmelden en opnieuw aanmelden" in page
    assert client.get("/sint-truiden/network/partners").status_code == 403
    assert client.get("/nergens/dashboard").status_code == 404  # nothing else changes

    # the page's button signs out and leads to Sint-Truiden's sign-in, coming back here after
    out = client.post(
        "/auth/logout",
        data={"next": "/auth/login?network=sint-truiden&next=/sint-truiden/dashboard"},
    )
    assert out.status_code == 302
    assert (
        out.headers["Location"] == "/auth/login?network=sint-truiden&next=/sint-truiden/dashboard"
    )
    assert not signed_in(client)
    assert client.post("/auth/logout", data={"next": "https://elders.example/"}).status_code == 302

    f.login(client, person)  # a password opens every network of the person
    assert client.get("/sint-truiden/dashboard").status_code == 200
    assert client.get("/beringen/dashboard").status_code == 200


def test_the_one_network_limit_holds_after_the_persons_own_second_factor(app, client, issuer):
    beringen = f.network(app, "beringen")
    sint_truiden = f.network(app, "sint-truiden")
    person = f.user(
        app,
        "regie@beringen.example",
        (beringen, Role.STEWARD),
        (sint_truiden, Role.STEWARD),
        authenticator=True,
    )
    provider_id = add_provider(app, beringen, issuer)
    set_person(issuer, "sub-both", email="regie@beringen.example", email_verified=True)
    journey(client, f"/beringen/auth/sso/{provider_id}", "sub-both")
    done = client.post("/auth/second-factor", data={"code": f.fresh_code(client, person)})
    assert done.status_code == 302 and signed_in(client)
    assert client.get("/beringen/dashboard").status_code == 200
    assert client.get("/sint-truiden/dashboard").status_code == 403
