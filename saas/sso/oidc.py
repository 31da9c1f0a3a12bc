"""The OpenID Connect relying party: discovery, the authorization request (code flow with PKCE
S256, state and nonce), the code exchange and the ID token's checks, with Authlib.

Nothing here knows about accounts or networks: it turns a provider's settings and a callback's
query into verified claims, or raises `SignInRefused` with a reason code the caller records and
translates. No token, code or secret is ever logged or returned beyond the claims.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidTokenError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

TIMEOUT = 5  # seconds for every call to a provider
SCOPE = "openid email profile"
# Asymmetric signatures only: an ID token "signed" with none or with the client secret (HS*)
# is not accepted, whatever the provider's metadata offers.
ALGORITHMS = [
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
]
LEEWAY = 60  # seconds of clock difference tolerated on exp and iat

# RFC 8176: "mfa" says several factors were used; otherwise two different kinds of factor must
# appear among the methods (a one-time code alone is one factor, not two).
KNOWLEDGE = {"pwd", "pin", "kba"}
POSSESSION = {"otp", "hwk", "swk", "sms", "tel", "sc", "pop"}
INHERENCE = {"fpt", "face", "iris", "retina", "vbm"}


class SignInRefused(Exception):
    """The sign-in cannot go on; `reason` is a short code (state, nonce, expired, ...)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class IssuerRefused(ValueError):
    """The issuer cannot be used; `reason`: insecure, loopback_only, unreachable, mismatch..."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Endpoints:
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


@dataclass(frozen=True)
class Pending:
    """What the browser's session keeps between the redirect and the callback."""

    state: str
    nonce: str
    code_verifier: str


def normalise_issuer(issuer: str) -> str:
    return issuer.strip().rstrip("/")


def _is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def _is_internal(host: str) -> bool:
    """An address of this computer or a private network, written as such: in production Dorp
    does not fetch from those on a steward's word (a name that resolves to one is not caught)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False


def check_url(url: str, *, production: bool) -> None:
    """HTTPS, or (outside production) plain HTTP on this computer for a local test provider."""
    parts = urlsplit(url)
    if not parts.hostname or parts.scheme not in {"https", "http"}:
        raise IssuerRefused("not_a_url")
    if production and _is_internal(parts.hostname):
        raise IssuerRefused("internal")
    if parts.scheme == "https":
        return
    if production:
        raise IssuerRefused("insecure")
    if not _is_loopback(parts.hostname):
        raise IssuerRefused("loopback_only")


def discover(issuer: str, *, production: bool) -> Endpoints:
    """Read the issuer's /.well-known/openid-configuration and check it names this issuer."""
    issuer = normalise_issuer(issuer)
    check_url(issuer, production=production)
    try:
        response = requests.get(
            f"{issuer}/.well-known/openid-configuration", timeout=TIMEOUT, allow_redirects=False
        )
        response.raise_for_status()
        metadata = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise IssuerRefused("unreachable") from exc
    if (
        not isinstance(metadata, dict)
        or normalise_issuer(str(metadata.get("issuer", ""))) != issuer
    ):
        raise IssuerRefused("mismatch")
    try:
        endpoints = Endpoints(
            authorization_endpoint=str(metadata["authorization_endpoint"]),
            token_endpoint=str(metadata["token_endpoint"]),
            jwks_uri=str(metadata["jwks_uri"]),
        )
    except KeyError as exc:
        raise IssuerRefused("incomplete") from exc
    for url in (endpoints.authorization_endpoint, endpoints.token_endpoint, endpoints.jwks_uri):
        check_url(url, production=production)
    return endpoints


def begin(*, client_id: str, authorization_endpoint: str, redirect_uri: str) -> tuple[str, Pending]:
    """The provider's URL to send the browser to, and what to keep until it comes back."""
    pending = Pending(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),
    )
    client = OAuth2Session(
        client_id, scope=SCOPE, redirect_uri=redirect_uri, code_challenge_method="S256"
    )
    url, _state = client.create_authorization_url(
        authorization_endpoint,
        state=pending.state,
        nonce=pending.nonce,
        code_verifier=pending.code_verifier,
    )
    return url, pending


def finish(
    *,
    query: dict[str, str],
    pending: Pending,
    issuer: str,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    token_endpoint: str,
    jwks_uri: str,
) -> dict:
    """Check the callback's state, exchange its code (with the PKCE verifier) and return the ID
    token's claims once its signature (the provider's JWKS), iss, aud, exp and nonce hold."""
    if not secrets.compare_digest(query.get("state", ""), pending.state):
        raise SignInRefused("state")
    if query.get("error"):
        raise SignInRefused("denied")
    code = query.get("code")
    if not code:
        raise SignInRefused("no_code")
    client = OAuth2Session(
        client_id, client_secret, redirect_uri=redirect_uri, code_challenge_method="S256"
    )
    try:
        token = client.fetch_token(
            token_endpoint,
            grant_type="authorization_code",
            code=code,
            code_verifier=pending.code_verifier,
            timeout=TIMEOUT,
        )
    except (OAuth2Error, requests.RequestException, ValueError) as exc:
        raise SignInRefused("token") from exc
    id_token = token.get("id_token")
    if not id_token:
        raise SignInRefused("no_id_token")
    return verify_id_token(
        id_token,
        keys=_fetch_keys(jwks_uri),
        issuer=issuer,
        client_id=client_id,
        nonce=pending.nonce,
        access_token=token.get("access_token"),
    )


def _fetch_keys(jwks_uri: str) -> KeySet:
    try:
        response = requests.get(jwks_uri, timeout=TIMEOUT, allow_redirects=False)
        response.raise_for_status()
        return KeySet.import_key_set(response.json())
    except (requests.RequestException, ValueError, JoseError) as exc:
        raise SignInRefused("keys") from exc


def verify_id_token(
    id_token: str,
    *,
    keys: KeySet,
    issuer: str,
    client_id: str,
    nonce: str,
    access_token: str | None = None,
) -> dict:
    try:
        decoded = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
    except BadSignatureError as exc:
        raise SignInRefused("signature") from exc
    except JoseError as exc:  # an unknown key id, a malformed token, an algorithm refused
        raise SignInRefused("signature") from exc
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        {
            "iss": {"essential": True, "value": normalise_issuer(issuer)},
            "aud": {"essential": True, "value": client_id},
            "exp": {"essential": True},
            "nonce": {"essential": True},
        },
        {"nonce": nonce, "client_id": client_id, "access_token": access_token},
    )
    try:
        claims.validate(leeway=LEEWAY)
    except ExpiredTokenError as exc:
        raise SignInRefused("expired") from exc
    except (InvalidClaimError, MissingClaimError) as exc:
        reason = "nonce" if getattr(exc, "claim", "") == "nonce" else "claims"
        raise SignInRefused(reason) from exc
    except (InvalidTokenError, JoseError) as exc:
        raise SignInRefused("claims") from exc
    return dict(claims)


def passed_two_factors(claims: dict) -> bool:
    """Did the provider use more than one factor (RFC 8176 `amr`)?"""
    methods = claims.get("amr")
    if not isinstance(methods, list):
        return False
    used = {m for m in methods if isinstance(m, str)}
    if "mfa" in used:
        return True
    kinds = [bool(used & KNOWLEDGE), bool(used & POSSESSION), bool(used & INHERENCE)]
    return sum(kinds) >= 2
