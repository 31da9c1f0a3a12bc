"""A provider's client secret, sealed at rest and never shown again once saved.

Fernet (from `cryptography`, which Authlib already needs) with a key derived from SECRET_KEY:
whoever reads the database alone cannot use the secrets. Changing SECRET_KEY makes the stored
secrets unreadable: each provider's secret must then be entered again (the sign-in says so to
the person and records why).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


class SecretUnreadable(ValueError):
    """The sealed secret was sealed under another SECRET_KEY."""


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"dorp-sso-client-secret:" + current_app.config["SECRET_KEY"].encode())
    return Fernet(base64.urlsafe_b64encode(digest.digest()))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable() from exc
