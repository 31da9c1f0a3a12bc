"""Issue #21.1: passkeys and security keys (WebAuthn) as a second factor, driven by a software
authenticator built here: an ES256 key made with `cryptography`, 'none' attestation, and the
client data and signatures a browser and a key would send. A response for another challenge,
origin or relying party, or from an unknown key, is refused and changes nothing."""

from __future__ import annotations

import hashlib
import json
import os
import struct

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from saas.accounts.models import RecoveryCode, SecondFactor
from saas.audit.models import SecurityEvent
from saas.extensions import db
from saas.notifications.models import OutboxMessage
from tests import factories as f

ORIGIN = "http://localhost"  # the suite's BASE_URL, so Dorp's WebAuthn origin
RP_ID = "localhost"


class SoftKey:
    """A security key in software: one ES256 credential, a signature counter."""

    def __init__(self) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.count = 0

    def _cose(self) -> bytes:
        numbers = self.private.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def _auth_data(self, flags: int, rp_id: str, attested: bytes = b"") -> bytes:
        self.count += 1
        rp_hash = hashlib.sha256(rp_id.encode()).digest()
        return rp_hash + bytes([flags]) + struct.pack(">I", self.count) + attested

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
        ).encode()

    def register(self, challenge: str, *, origin: str = ORIGIN, rp_id: str = RP_ID) -> str:
        attested = (
            bytes(16)  # AAGUID: none
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + self._cose()
        )
        auth_data = self._auth_data(0x41, rp_id, attested)  # user present, attested data
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        raw_id = bytes_to_base64url(self.credential_id)
        return json.dumps(
            {
                "id": raw_id,
                "rawId": raw_id,
                "type": "public-key",
                "response": {
                    "clientDataJSON": bytes_to_base64url(
                        self._client_data("webauthn.create", challenge, origin)
                    ),
                    "attestationObject": bytes_to_base64url(attestation),
                    "transports": ["usb"],
                },
                "clientExtensionResults": {},
            }
        )

    def sign_in(self, challenge: str, *, origin: str = ORIGIN, rp_id: str = RP_ID) -> str:
        auth_data = self._auth_data(0x01, rp_id)  # user present
        client_data = self._client_data("webauthn.get", challenge, origin)
        signature = self.private.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        raw_id = bytes_to_base64url(self.credential_id)
        return json.dumps(
            {
                "id": raw_id,
                "rawId": raw_id,
                "type": "public-key",
                "response": {
                    "clientDataJSON": bytes_to_base64url(client_data),
                    "authenticatorData": bytes_to_base64url(auth_data),
                    "signature": bytes_to_base64url(signature),
                    "userHandle": None,
                },
                "clientExtensionResults": {},
            }
        )


def _keys(app, user_id: int) -> list[SecondFactor]:
    with app.app_context():
        rows = db.session.execute(
            select(SecondFactor).where(
                SecondFactor.user_id == user_id, SecondFactor.kind == "webauthn"
            )
        ).scalars()
        return [r for r in rows if not db.session.expunge(r)]


def _challenge(client, url: str) -> str:
    answer = client.post(url)
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    return answer.get_json()["challenge"]


def _register(client, key: SoftKey, **where) -> object:
    challenge = _challenge(client, "/account/two-factor/key/options")
    return client.post(
        "/account/two-factor/key",
        data={"label": "Blauwe sleutel", "credential": key.register(challenge, **where)},
    )


@pytest.fixture
def person(app):
    return f.user(app, "samira@in-z.example")


def test_a_security_key_is_added_and_then_signs_in(app, client, person):
    key = SoftKey()
    f.login(client, person)
    page = client.get("/account/two-factor/key").get_data(as_text=True)
    assert 'data-ceremony="create"' in page and "webauthn.js" in page
    options = client.post("/account/two-factor/key/options").get_json()
    assert options["rp"]["id"] == RP_ID and options["attestation"] == "none"
    assert person.email not in base64url_to_bytes(options["user"]["id"]).decode()
    added = client.post(
        "/account/two-factor/key",
        data={
            "label": "Blauwe sleutel",
            "credential": key.register(options["challenge"]),
        },
    )
    assert added.status_code == 200  # the recovery codes, shown once
    assert added.get_data(as_text=True).count("<li>") >= 10
    (stored,) = _keys(app, person.id)
    assert stored.label == "Blauwe sleutel"
    assert stored.credential_id == bytes_to_base64url(key.credential_id)
    with app.app_context():
        assert len(db.session.execute(select(RecoveryCode)).all()) == 10
        (mail,) = db.session.execute(
            select(OutboxMessage).where(OutboxMessage.kind == "factor_added")
        ).scalars()
        assert mail.recipient == person.email and "Blauwe sleutel" in mail.body_text
    client.post("/auth/logout")

    answer = client.post("/auth/login", data={"email": person.email, "password": f.PASSWORD})
    assert answer.headers["Location"].endswith("/auth/second-factor")
    step = client.get("/auth/second-factor").get_data(as_text=True)
    assert 'data-ceremony="get"' in step
    options = client.post("/auth/second-factor/key/options").get_json()
    assert [c["id"] for c in options["allowCredentials"]] == [stored.credential_id]
    signed = client.post(
        "/auth/second-factor/key", data={"credential": key.sign_in(options["challenge"])}
    )
    assert signed.status_code == 302
    with client.session_transaction() as session:
        assert session["factor_verified_by"] == "webauthn"
    assert client.get("/account").status_code == 200
    (after,) = _keys(app, person.id)
    assert after.sign_count == key.count


@pytest.mark.parametrize(
    "where",
    [{"origin": "https://dorp.evil.example"}, {"rp_id": "evil.example"}],
    ids=["another origin", "another relying party"],
)
def test_a_registration_for_another_origin_is_refused(app, client, person, where):
    f.login(client, person)
    refused = _register(client, SoftKey(), **where)
    assert refused.status_code == 422
    assert "kon niet worden gecontroleerd" in refused.get_data(as_text=True)
    assert _keys(app, person.id) == []


def test_a_registration_for_another_challenge_is_refused(app, client, person):
    f.login(client, person)
    client.post("/account/two-factor/key/options")
    stale = bytes_to_base64url(os.urandom(32))
    refused = client.post("/account/two-factor/key", data={"credential": SoftKey().register(stale)})
    assert refused.status_code == 422
    assert _keys(app, person.id) == []


@pytest.fixture
def enrolled(app, client, person):
    key = SoftKey()
    f.login(client, person)
    assert _register(client, key).status_code == 200
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": person.email, "password": f.PASSWORD})
    return key


def _refused(app, client, person, credential: str) -> None:
    (before,) = _keys(app, person.id)
    answer = client.post("/auth/second-factor/key", data={"credential": credential})
    assert answer.status_code == 422
    assert "kon niet worden gecontroleerd" in answer.get_data(as_text=True)
    assert "/auth/login" in client.get("/account").headers["Location"]  # still not signed in
    (after,) = _keys(app, person.id)
    assert after.sign_count == before.sign_count


def test_an_assertion_for_another_challenge_is_refused(app, client, person, enrolled):
    client.post("/auth/second-factor/key/options")
    _refused(app, client, person, enrolled.sign_in(bytes_to_base64url(os.urandom(32))))


def test_an_assertion_for_another_origin_is_refused(app, client, person, enrolled):
    challenge = _challenge(client, "/auth/second-factor/key/options")
    _refused(app, client, person, enrolled.sign_in(challenge, origin="https://evil.example"))


def test_a_challenge_is_good_once(app, client, person, enrolled):
    challenge = _challenge(client, "/auth/second-factor/key/options")
    first = enrolled.sign_in(challenge)
    assert client.post("/auth/second-factor/key", data={"credential": first}).status_code == 302
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": person.email, "password": f.PASSWORD})
    _refused(app, client, person, enrolled.sign_in(challenge))


def test_an_unknown_key_or_junk_is_refused(app, client, person, enrolled):
    challenge = _challenge(client, "/auth/second-factor/key/options")
    _refused(app, client, person, SoftKey().sign_in(challenge))
    for junk in ("", "null", "[]", "{}", '{"rawId": 5}', "x" * 20000):
        _challenge(client, "/auth/second-factor/key/options")
        answer = client.post("/auth/second-factor/key", data={"credential": junk})
        assert answer.status_code == 422, junk
    with app.app_context():
        failed = db.session.execute(
            select(SecurityEvent).where(SecurityEvent.kind == "factor_failed")
        ).all()
    assert len(failed) >= 2


def test_options_need_a_password_first(client):
    assert client.post("/auth/second-factor/key/options").status_code == 400
    answer = client.post("/auth/second-factor/key", data={"credential": "{}"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/auth/login")
