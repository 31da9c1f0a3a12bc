"""Argon2id password hashing with the app's cost settings."""

from __future__ import annotations

import contextlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_DUMMY = {}


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_COST"], parallelism=1
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Check a password; without a stored hash, still spend the same time (no account probing)."""
    hasher = _hasher()
    if not stored:
        key = (hasher.time_cost, hasher.memory_cost)
        if key not in _DUMMY:
            _DUMMY[key] = hasher.hash("dorp-timing-equaliser")
        stored, password = _DUMMY[key], "not-the-password"
        with contextlib.suppress(VerificationError):
            hasher.verify(stored, password)
        return False
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


MIN_PASSWORD_LENGTH = 10
