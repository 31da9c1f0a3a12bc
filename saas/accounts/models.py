"""People (one account each, across networks) and their server-side login sessions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.extensions import db
from saas.models_base import CreatedAt, utcnow

if TYPE_CHECKING:
    from tenants.models import Membership


class User(UserMixin, CreatedAt, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5), default="nl")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None]
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    is_enabled: Mapped[bool] = mapped_column(default=True)

    # A person's memberships, loaded only with the login session (saas.security.load_user) and
    # then scoped like every tenant read: the current network's alone. Never lazy-loaded.
    network_memberships: Mapped[list[Membership]] = relationship(
        viewonly=True, order_by="Membership.id", lazy="raise"
    )

    # Set by the user loader: the server-side session this request runs under, and the network
    # whose memberships it loaded with it (tenants.access.memberships).
    login_token = None
    memberships_network = None

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_enabled

    def get_id(self) -> str | None:  # Flask-Login stores the session token, not the user id
        return self.login_token

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class LoginSession(db.Model):
    """A server-side session: deleting the row ends it, wherever the cookie is.

    Where it was started from, for the person's security page: the browser and system named by
    the user agent and the client's network prefix (saas.accounts.devices), never the full
    address. `last_seen_at` moves at most every few minutes (saas.security.load_user)."""

    __tablename__ = "login_sessions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    browser: Mapped[str] = mapped_column(String(40), default="", server_default="")
    system: Mapped[str] = mapped_column(String(40), default="", server_default="")
    network: Mapped[str] = mapped_column(String(64), default="", server_default="")

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def handle(self) -> str:
        """How a page names this session: the token is the cookie's secret and never leaves
        the server, so forms carry a one-way digest of it instead."""
        return hashlib.sha256(f"dorp-session:{self.token}".encode()).hexdigest()[:24]


class SignInDevice(db.Model):
    """A device (browser, system, network prefix) a person signed in from, and when last: a
    sign-in from one not seen lately is e-mailed to them (saas.accounts.sessions). Kept as long
    as the security events (SECURITY_EVENT_DAYS)."""

    __tablename__ = "sign_in_devices"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    browser: Mapped[str] = mapped_column(String(40), primary_key=True)
    system: Mapped[str] = mapped_column(String(40), primary_key=True)
    network: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SecondFactor(CreatedAt, db.Model):
    """A person's second factor: an authenticator app (TOTP) or a passkey / security key
    (WebAuthn). Platform-wide like the account. The TOTP secret is kept encrypted with a key
    derived from SECRET_KEY (saas.accounts.totp), so a dump of the database alone does not
    reveal it; a WebAuthn key keeps only its public key."""

    __tablename__ = "second_factors"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "totp" or "webauthn"
    label: Mapped[str] = mapped_column(String(100))
    totp_secret: Mapped[str | None] = mapped_column(Text)  # a Fernet token, never the secret
    totp_last_step: Mapped[int | None]  # the last time step used: a code is good once
    credential_id: Mapped[str | None] = mapped_column(String(400), unique=True)  # base64url
    public_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(default=0)
    last_used_at: Mapped[datetime | None]


class RecoveryCode(CreatedAt, db.Model):
    """A single-use recovery code, kept as a keyed hash only (it is shown once)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]
