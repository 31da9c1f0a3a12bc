"""A real OpenID Connect provider for the tests: `oidc-provider-mock` (a Flask app built on
Authlib) served on 127.0.0.1 in a thread, and a tiny JWKS server with keys the test controls.

The mock signs ID tokens (RS256) with its own key, checks the authorization code and answers
discovery; a person "signs in" at it by posting their subject to its authorize page, and their
claims are set beforehand with PUT /users/<sub>. The package registers no pytest plugin (0.3.4):
these helpers are ours.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import oidc_provider_mock
import requests
import werkzeug.serving
from joserfc.jwk import KeySet, RSAKey


@contextmanager
def serving(wsgi_app) -> Iterator[str]:
    """Serve a WSGI app on a free port of 127.0.0.1; yields its base URL."""
    server = werkzeug.serving.make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


@contextmanager
def provider(*, token_max_age: timedelta = timedelta(hours=1)) -> Iterator[str]:
    """A running provider; yields its issuer (http://127.0.0.1:<port>)."""
    app = oidc_provider_mock.app(require_nonce=True, access_token_max_age=token_max_age)
    with serving(app) as issuer:
        yield issuer


def set_person(issuer: str, sub: str, **claims) -> None:
    response = requests.put(f"{issuer}/users/{sub}", json=claims, timeout=5)
    assert response.status_code == 204, response.text


def sign_in_at_provider(authorize_url: str, sub: str) -> str:
    """The person approves the sign-in at the provider: the callback URL it sends them to."""
    response = requests.post(authorize_url, data={"sub": sub}, timeout=5, allow_redirects=False)
    assert response.status_code == 302, response.text[:500]
    return response.headers["Location"]


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@contextmanager
def impostor_jwks(issuer: str) -> Iterator[str]:
    """A JWKS endpoint serving a key of our own under the provider's key id: a token the
    provider signed does not verify with it."""
    real = requests.get(f"{issuer}/jwks", timeout=5).json()["keys"][0]
    other = RSAKey.generate_key(2048, parameters={"kid": real.get("kid"), "use": "sig"})
    body = json.dumps(KeySet([other]).as_dict(private=False)).encode()

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    with serving(app) as base:
        yield f"{base}/jwks"
