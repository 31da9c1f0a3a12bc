"""Accounts: creating people, logging in and out, passwords and reset links."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, session
from flask_login import login_user, logout_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select

from saas.accounts import factors
from saas.accounts.models import LoginSession, User
from saas.accounts.passwords import hash_password, verify_password
from saas.audit import security
from saas.audit.security import Kind
from saas.extensions import db
from saas.models_base import utcnow
from saas.notifications.models import OutboxMessage
from saas.notifications.services import queue_email
from saas.urls import absolute_url
from tenants.access import SIGNED_IN_FOR


class WrongPassword(ValueError):
    """The password given as the current one is not."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.execute(
        select(User).where(func.lower(User.email) == normalise_email(email))
    ).scalar_one_or_none()


def create_user(*, email: str, name: str, password: str | None, language: str = "nl") -> User:
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        language=language,
        password_hash=hash_password(password) if password else None,
        password_changed_at=utcnow() if password else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The account whose password this is, or None; a failure is a security event (about the
    account when there is one, else only the typed address's hash)."""
    user = find_user(email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_enabled:
        security.record(Kind.SIGN_IN_FAILED, user=user, email=email)
        return None
    return user


def start_session(
    user: User, *, via: str = "password", opens: int | None = None, **details
) -> None:
    """Log in with a new server-side session row; the cookie only holds its token. `via` says
    how the person proved who they are (a password, an invitation, a sign-up link, a sign-in
    provider: `details` then say which, by id). `opens`: the one network this sign-in opens
    (a network's own provider vouched for the person); None opens all of the person's."""
    factors.forget_passed()  # a new session has passed no second factor yet
    if opens is None:
        session.pop(SIGNED_IN_FOR, None)
    else:
        session[SIGNED_IN_FOR] = opens
    token = LoginSession.new_token()
    db.session.add(LoginSession(token=token, user_id=user.id))
    db.session.flush()
    user.login_token = token
    login_user(user)
    security.record(Kind.SIGN_IN, user=user, via=via, **details)


def end_session(user: User) -> None:
    if user.login_token:
        db.session.execute(delete(LoginSession).where(LoginSession.token == user.login_token))
        security.record(Kind.SIGN_OUT, user=user)
    factors.forget_passed()
    logout_user()


def set_password(user: User, password: str, *, keep_current: bool = False) -> None:
    """Change a password and end every session of this person (the current one restarts)."""
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    ended = db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    others = max(ended.rowcount - (1 if keep_current and user.login_token else 0), 0)
    if others:
        security.record(Kind.SESSIONS_REVOKED, user=user, sessions=others)
    if keep_current:
        passed = session.get(factors.SESSION_KEY)
        start_session(user, via="password_change")
        if passed:
            factors.mark_passed(passed)  # the same person, in the same browser, goes on


def change_password(user: User, *, current: str, new: str) -> None:
    """The person changes their own password, giving the current one: their other sessions end,
    this one goes on."""
    if not verify_password(user.password_hash, current):
        raise WrongPassword()
    set_password(user, new, keep_current=True)
    security.record(Kind.PASSWORD_CHANGED, user=user)


def reset_password(user: User, password: str) -> None:
    """A new password through an e-mailed reset link: every session of the person ends."""
    set_password(user, password)
    security.record(Kind.PASSWORD_RESET, user=user)


def update_details(user: User, *, name: str, language: str) -> None:
    user.name = name.strip()
    user.language = language


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="dorp-password-reset")


def _password_fingerprint(user: User) -> str:
    # Changes with every password change, so a used or older link stops working.
    return (user.password_hash or "none")[-16:]


def password_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"u": user.id, "p": _password_fingerprint(user)})


def user_from_reset_token(token: str) -> User | None:
    try:
        data = _reset_serializer().loads(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"]
        )
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("u"))
    if user is None or _password_fingerprint(user) != data.get("p"):
        return None
    return user


# At most this many reset e-mails per address per window; more requests are answered the same
# way and send nothing.
RESET_MAILS_PER_ADDRESS = 3
RESET_MAIL_WINDOW = timedelta(hours=1)


def send_password_reset(email: str) -> None:
    """Queue a reset link if the account exists and has not had its share of them this hour; the
    caller says the same thing either way.

    The same work runs whatever the address: the recent reset e-mails to it are counted, a link
    is signed and the e-mail written (for a stand-in when there is no account), so neither the
    answer nor its timing tells whether an account exists. Only a real account's e-mail within
    the limit stays in the outbox, to be sent after the commit.
    """
    address = normalise_email(email)
    user = find_user(address)
    recent = _recent_reset_mails(address)
    real = user is not None and user.is_enabled
    person = user if real else User(id=0, email=address, name="", language="nl")
    link = absolute_url("auth.reset_password", token=password_reset_token(person))
    message = queue_email(
        kind="password_reset",
        recipient=person.email,
        template="password_reset",
        language=person.language,
        user=person,
        link=link,
    )
    if not real or recent >= RESET_MAILS_PER_ADDRESS:
        db.session.expunge(message)
    security.record(
        Kind.PASSWORD_RESET_REQUESTED,
        user=user if real else None,
        email=address,
        sent=real and recent < RESET_MAILS_PER_ADDRESS,
    )


def _recent_reset_mails(address: str) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.kind == "password_reset",
            func.lower(OutboxMessage.recipient) == address,
            OutboxMessage.created_at >= utcnow() - RESET_MAIL_WINDOW,
        )
    ).scalar_one()
