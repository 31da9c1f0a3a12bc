"""Authenticator apps (TOTP, RFC 6238, through pyotp): the secret kept encrypted, a code good
once, and the QR code drawn on the server as SVG (segno).

The secret is encrypted with Fernet under a key derived from SECRET_KEY (HKDF-SHA256), so a dump
of the database alone does not reveal it; changing SECRET_KEY makes every authenticator app
unusable (recovery codes and a steward's reset still work). It never goes to a log or a job.
"""

from __future__ import annotations

import base64
import io
import time

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

ISSUER = "Dorp"
STEP_SECONDS = 30
# A code of the step before or after the server's clock is accepted too (a phone's clock drifts).
DRIFT_STEPS = 1
# An enrolment not confirmed within this time starts again with a new secret.
ENROL_SECONDS = 15 * 60


def _fernet() -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"dorp-second-factor", info=b"totp-secret"
    ).derive(current_app.config["SECRET_KEY"].encode())
    return Fernet(base64.urlsafe_b64encode(key))


def new_secret() -> str:
    return pyotp.random_base32()


def seal(secret: str) -> str:
    """The secret as kept: a Fernet token."""
    return _fernet().encrypt(secret.encode()).decode()


def unseal(token: str | None, *, max_age: int | None = None) -> str | None:
    """The secret of a token made by `seal`, or None (damaged, another key, or older than
    `max_age` seconds)."""
    if not token:
        return None
    try:
        return _fernet().decrypt(token.encode(), ttl=max_age).decode()
    except (InvalidToken, ValueError):
        return None


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> str:
    """The QR code of `uri` as inline SVG markup (no image file, no script); `title` is its
    text alternative."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(
        out,
        kind="svg",
        scale=5,
        border=4,
        dark="#000",
        light="#fff",
        xmldecl=False,
        svgns=True,
        nl=False,
        title=title,
        svgclass="dorp-qr",
    )
    return out.getvalue().decode()


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace())


def matching_step(secret: str, code: str, *, now: float | None = None) -> int | None:
    """The time step whose code `code` is (this one, or one step either side), or None."""
    code = normalise_code(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    moment = time.time() if now is None else now
    current = int(moment // STEP_SECONDS)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if pyotp.utils.strings_equal(totp.at(step * STEP_SECONDS), code):
            return step
    return None
