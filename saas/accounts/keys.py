"""Passkeys and security keys (WebAuthn, the `webauthn` library) as a second factor.

The relying party is WEBAUTHN_RP_ID (a domain) and browsers must report WEBAUTHN_ORIGIN
(config: derived from BASE_URL unless set). Registration asks for no attestation ("none"): a key
proves possession, not its make. Only the public key and the signature counter are kept. A
challenge is made per ceremony, kept by the caller (the signed session) and good once.
"""

from __future__ import annotations

import json
import secrets

from flask import current_app
from sqlalchemy import select
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from saas.accounts import notices
from saas.accounts.factors import WEBAUTHN, FactorError
from saas.accounts.models import SecondFactor, User
from saas.audit import security
from saas.audit.security import Kind
from saas.extensions import db
from saas.models_base import utcnow

RP_NAME = "Dorp"
MAX_CREDENTIAL_JSON = 16_000  # a response larger than this is not a key's


def new_challenge() -> str:
    return bytes_to_base64url(secrets.token_bytes(32))


def _keys(user_id: int) -> list[SecondFactor]:
    return list(
        db.session.execute(
            select(SecondFactor).where(
                SecondFactor.user_id == user_id, SecondFactor.kind == WEBAUTHN
            )
        ).scalars()
    )


def _descriptors(user_id: int) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(id=base64url_to_bytes(k.credential_id))
        for k in _keys(user_id)
    ]


def registration_options(user: User, challenge: str) -> str:
    """The JSON the browser's navigator.credentials.create() needs."""
    options = generate_registration_options(
        rp_id=current_app.config["WEBAUTHN_RP_ID"],
        rp_name=RP_NAME,
        user_id=f"dorp-user-{user.id}".encode(),  # an opaque handle: no e-mail address
        user_name=user.email,
        user_display_name=user.name,
        challenge=base64url_to_bytes(challenge),
        exclude_credentials=_descriptors(user.id),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    return options_to_json(options)


def authentication_options(user: User, challenge: str) -> str:
    """The JSON the browser's navigator.credentials.get() needs: this person's keys only."""
    options = generate_authentication_options(
        rp_id=current_app.config["WEBAUTHN_RP_ID"],
        challenge=base64url_to_bytes(challenge),
        allow_credentials=_descriptors(user.id),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return options_to_json(options)


def _parsed(credential: str) -> dict:
    if not credential or len(credential) > MAX_CREDENTIAL_JSON:
        raise FactorError("wrong_key")
    try:
        value = json.loads(credential)
    except ValueError:
        raise FactorError("wrong_key") from None
    if not isinstance(value, dict):
        raise FactorError("wrong_key")
    return value


def add_key(user: User, *, credential: str, challenge: str | None, label: str) -> SecondFactor:
    """Keep a new passkey or security key once its registration response checks out against
    the challenge this person was given, Dorp's relying party id and origin."""
    try:
        if challenge is None:
            raise FactorError("wrong_key")
        verified = verify_registration_response(
            credential=_parsed(credential),
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=current_app.config["WEBAUTHN_RP_ID"],
            expected_origin=current_app.config["WEBAUTHN_ORIGIN"],
        )
    except (FactorError, WebAuthnException, ValueError, TypeError, KeyError):
        security.record(Kind.FACTOR_FAILED, user=user, factor=WEBAUTHN, stage="enrol")
        raise FactorError("wrong_key") from None
    credential_id = bytes_to_base64url(verified.credential_id)
    taken = db.session.execute(
        select(SecondFactor.id).where(SecondFactor.credential_id == credential_id)
    ).first()
    if taken is not None:
        security.record(Kind.FACTOR_FAILED, user=user, factor=WEBAUTHN, stage="enrol")
        raise FactorError("wrong_key")
    factor = SecondFactor(
        user_id=user.id,
        kind=WEBAUTHN,
        label=label.strip()[:100],
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        last_used_at=utcnow(),
    )
    db.session.add(factor)
    db.session.flush()
    security.record(Kind.FACTOR_ADDED, user=user, factor=WEBAUTHN, factor_id=factor.id)
    notices.factor_added(user, kind=WEBAUTHN, label=factor.label)
    return factor


def verify_key(user: User, *, credential: str, challenge: str | None) -> SecondFactor:
    """The person's key that signed this assertion of `challenge` for Dorp's origin; a response
    for another challenge, origin or relying party, or another person's key, is refused."""
    try:
        if challenge is None:
            raise FactorError("wrong_key")
        value = _parsed(credential)
        raw_id = value.get("rawId") or value.get("id")
        if not isinstance(raw_id, str):
            raise FactorError("wrong_key")
        factor = next(
            (
                k
                for k in _keys(user.id)
                if k.credential_id == bytes_to_base64url(base64url_to_bytes(raw_id))
            ),
            None,
        )
        if factor is None:
            raise FactorError("wrong_key")
        verified = verify_authentication_response(
            credential=value,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=current_app.config["WEBAUTHN_RP_ID"],
            expected_origin=current_app.config["WEBAUTHN_ORIGIN"],
            credential_public_key=factor.public_key,
            credential_current_sign_count=factor.sign_count,
        )
    except (FactorError, WebAuthnException, ValueError, TypeError, KeyError):
        security.record(Kind.FACTOR_FAILED, user=user, factor=WEBAUTHN, reason="wrong")
        raise FactorError("wrong_key") from None
    factor.sign_count = verified.new_sign_count
    factor.last_used_at = utcnow()
    security.record(Kind.FACTOR_USED, user=user, factor=WEBAUTHN, factor_id=factor.id)
    return factor
