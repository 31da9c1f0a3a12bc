"""Starting a network from the public site: a request, an e-mailed link, then network + steward.

Nothing is created until the address is confirmed; the pending request holds only what the form
asked, and is deleted once used (or after a week, by `workers.billing_jobs.purge_signups`).
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from saas.accounts.models import User
from saas.accounts.services import create_user, find_user, normalise_email, start_session
from saas.audit.services import record
from saas.billing.models import NetworkSignup
from saas.billing.services import start_trial
from saas.extensions import db
from saas.notifications.services import queue_email
from saas.onboarding import networks as onboarding
from saas.text import single_line
from saas.urls import absolute_url
from tenants.context import network_scope
from tenants.models import Membership, Network, Role

LINK_VALID_FOR = timedelta(days=2)


class SignupError(ValueError):
    pass


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="dorp-network-signup")


def check_slug(slug: str) -> None:
    """The same rules as creating the network, asked early so the form can say so."""
    slug = slug.strip().lower()
    if not onboarding.SLUG.match(slug) or len(slug) > 60:
        raise SignupError(_("Use lower-case letters, digits and dashes."))
    if slug in onboarding.RESERVED:
        raise SignupError(_("This web address is reserved."))
    if db.session.execute(select(Network.id).where(Network.slug == slug)).first():
        raise SignupError(_("This web address is already taken."))


def request_signup(
    *,
    email: str,
    contact_name: str,
    network_name: str,
    slug: str,
    municipality: str,
    language: str,
) -> NetworkSignup:
    check_slug(slug)
    signup = NetworkSignup(
        email=normalise_email(email),
        contact_name=single_line(contact_name),
        network_name=single_line(network_name),
        slug=slug.strip().lower(),
        municipality=single_line(municipality),
        language=language,
    )
    db.session.add(signup)
    db.session.flush()
    link = absolute_url("billing.confirm_signup", token=_serializer().dumps({"s": signup.id}))
    # The requester's text is quoted in the body, with a warning, never in the subject.
    queue_email(
        kind="network_signup",
        recipient=signup.email,
        template="network_signup",
        language=language,
        signup=signup,
        link=link,
        days=LINK_VALID_FOR.days,
    )
    return signup


def load(token: str) -> NetworkSignup:
    try:
        data = _serializer().loads(token, max_age=int(LINK_VALID_FOR.total_seconds()))
    except SignatureExpired as exc:
        raise SignupError("expired") from exc
    except BadSignature as exc:
        raise SignupError("invalid") from exc
    signup_id = data.get("s") if isinstance(data, dict) else None
    if not isinstance(signup_id, int) or isinstance(signup_id, bool) or not 0 < signup_id < 2**31:
        raise SignupError("invalid")
    signup = db.session.get(NetworkSignup, signup_id)
    if signup is None:
        raise SignupError("used")
    return signup


def complete(signup: NetworkSignup, user: User) -> Network:
    """Create the network with this person as its first steward, and start the trial."""
    try:
        network = onboarding.create_network(
            slug=signup.slug,
            name=signup.network_name,
            municipality=signup.municipality,
            default_language=signup.language if signup.language in ("nl", "en") else "nl",
        )
    except onboarding.NetworkError as exc:
        raise SignupError(str(exc)) from exc
    with network_scope(network.id):
        db.session.add(Membership(user_id=user.id, role=Role.STEWARD))
        start_trial(network)
        db.session.flush()
        record("network.signed_up", network)
    db.session.delete(signup)
    db.session.flush()
    return network


def complete_as_new_user(
    signup: NetworkSignup, *, name: str, password: str, language: str
) -> Network:
    """Create the person's account, then `complete`, and log them in. On a SignupError the
    account is flushed but the request answers 409, which rolls it back with the rest."""
    user = create_user(email=signup.email, name=name, password=password, language=language)
    network = complete(signup, user)
    start_session(user, via="signup")
    return network


def existing_account(signup: NetworkSignup) -> User | None:

    return find_user(signup.email)
