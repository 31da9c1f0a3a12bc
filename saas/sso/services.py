"""Providers (a network's, under the scoping mechanism, and the platform's) and who a verified
ID token signs in.

A network's provider vouches only for that network's people: an account it signs in must hold
a role in the network, or hold an open invitation to it, and is never a platform admin. So a
steward who adds a provider they control cannot reach anybody else's account. The platform's
providers (added by the platform admin) may sign in any account whose address they allow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import delete, select

from saas.accounts.models import User
from saas.accounts.services import create_user, find_user, normalise_email
from saas.audit import security
from saas.audit.security import Kind
from saas.extensions import db
from saas.models_base import utcnow
from saas.onboarding import invitations
from saas.sso import oidc
from saas.sso.models import NetworkLink, NetworkProvider, PlatformLink, PlatformProvider
from saas.sso.secrets import seal
from tenants.context import all_networks
from tenants.models import Invitation, Membership, Network

Provider = NetworkProvider | PlatformProvider

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
MAX_DOMAINS = 20

ISSUER_PROBLEMS = {
    "not_a_url": _l("The issuer must be a web address such as https://login.example.be."),
    "insecure": _l(
        "The issuer must use HTTPS (https://...): a sign-in provider without it is refused."
    ),
    "loopback_only": _l(
        "Outside production, only HTTPS or a test provider on this computer "
        "(http://127.0.0.1:...) is accepted."
    ),
    "internal": _l(
        "The issuer must be a public address: this computer and private networks are refused."
    ),
    "unreachable": _l(
        "The issuer's discovery document (/.well-known/openid-configuration) could not be read. "
        "Check the address."
    ),
    "mismatch": _l("The discovery document names another issuer. Check the address."),
    "incomplete": _l("The discovery document lacks an endpoint Dorp needs."),
}


class ProviderError(ValueError):
    """A provider's settings cannot be saved; `field` says which form field is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass
class ProviderData:
    name: str
    issuer: str
    client_id: str
    client_secret: str  # empty when editing: the stored secret stays
    domains: str


def parse_domains(text: str) -> list[str]:
    found: list[str] = []
    for word in re.split(r"[\s,;]+", text.strip().lower()):
        domain = word.removeprefix("@")
        if not domain:
            continue
        if not _DOMAIN.match(domain):
            raise ProviderError(
                "domains", str(_l("“%(domain)s” is not an e-mail domain.", domain=domain[:80]))
            )
        if domain not in found:
            found.append(domain)
    if not found:
        raise ProviderError("domains", str(_l("Give at least one e-mail domain.")))
    if len(found) > MAX_DOMAINS:
        raise ProviderError("domains", str(_l("Give at most 20 e-mail domains.")))
    return found


def _production() -> bool:
    return current_app.config["DORP_ENV"] == "production"


def save(provider: Provider, data: ProviderData) -> Provider:
    """Check and store a provider's settings: the issuer's discovery document is read now, so a
    wrong address is told at once. The client secret is sealed; an empty one keeps the stored."""
    domains = parse_domains(data.domains)
    if not data.client_secret and not provider.client_secret_sealed:
        raise ProviderError("client_secret", str(_l("Give the client secret.")))
    try:
        endpoints = oidc.discover(data.issuer, production=_production())
    except oidc.IssuerRefused as exc:
        security.record(
            Kind.SSO_PROVIDER_REFUSED,
            user=_acting_user(),
            scope=provider.scope,
            provider=provider.id,
            reason=exc.reason,
            **_network_detail(provider),
        )
        raise ProviderError("issuer", str(ISSUER_PROBLEMS[exc.reason])) from exc
    is_new = provider.id is None
    provider.name = data.name.strip()
    provider.issuer = oidc.normalise_issuer(data.issuer)
    provider.client_id = data.client_id.strip()
    if data.client_secret:
        provider.client_secret_sealed = seal(data.client_secret)
    provider.allowed_domains = " ".join(domains)
    provider.authorization_endpoint = endpoints.authorization_endpoint
    provider.token_endpoint = endpoints.token_endpoint
    provider.jwks_uri = endpoints.jwks_uri
    db.session.add(provider)
    db.session.flush()
    security.record(
        Kind.SSO_PROVIDER_CHANGED,
        user=_acting_user(),
        scope=provider.scope,
        provider=provider.id,
        action="added" if is_new else "changed",
        **_network_detail(provider),
    )
    return provider


def remove(provider: Provider) -> None:
    link = NetworkLink if isinstance(provider, NetworkProvider) else PlatformLink
    db.session.execute(delete(link).where(link.provider_id == provider.id))
    security.record(
        Kind.SSO_PROVIDER_CHANGED,
        user=_acting_user(),
        scope=provider.scope,
        provider=provider.id,
        action="removed",
        **_network_detail(provider),
    )
    db.session.delete(provider)
    db.session.flush()


def _acting_user() -> User | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


def _network_detail(provider: Provider) -> dict:
    return {"network": provider.network_id} if isinstance(provider, NetworkProvider) else {}


def network_providers() -> list[NetworkProvider]:
    """The current network's providers (the scoping mechanism keeps to it)."""
    return list(
        db.session.execute(select(NetworkProvider).order_by(NetworkProvider.name)).scalars()
    )


def platform_providers() -> list[PlatformProvider]:
    return list(
        db.session.execute(select(PlatformProvider).order_by(PlatformProvider.name)).scalars()
    )


def providers_for(email: str) -> list[Provider]:
    """The current network's and the platform's providers that may sign in this address."""
    domain = normalise_email(email).rsplit("@", 1)[-1]
    return [p for p in network_providers() + platform_providers() if domain in p.domains]


# --- who signs in -----------------------------------------------------------------------------


class NotVouched(Exception):
    """Verified claims that sign in nobody; `reason` for the record, `user` when one matched."""

    def __init__(self, reason: str, user: User | None = None, email: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.user = user
        self.email = email


@dataclass
class Outcome:
    user: User
    linked: bool  # linked to the provider now (first sign-in through it)
    invited: bool  # an invitation was accepted on the way


def _link_model(provider: Provider):
    return NetworkLink if isinstance(provider, NetworkProvider) else PlatformLink


def _linked_user(provider: Provider, subject: str) -> User | None:
    link = _link_model(provider)
    return db.session.execute(
        select(User)
        .join(link, link.user_id == User.id)
        .where(link.provider_id == provider.id, link.subject == subject)
    ).scalar_one_or_none()


def _is_member(user: User) -> bool:
    """A role in the current network (the scoping mechanism keeps the query to it)."""
    return (
        db.session.execute(
            select(Membership.id).where(Membership.user_id == user.id).limit(1)
        ).first()
        is not None
    )


def open_invitation(email: str) -> Invitation | None:
    """The newest open invitation for this address in the current network."""
    return (
        db.session.execute(
            select(Invitation)
            .where(
                Invitation.email == normalise_email(email),
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
        .scalars()
        .first()
    )


def _email_vouched(claims: dict) -> bool:
    """OpenID Connect's `email_verified: true`; or, where the token says nothing of it, Microsoft
    Entra ID's optional `xms_edov: true` (the owner of the address's domain is verified in the
    tenant): Entra leaves `email_verified` out for work accounts. An explicit `false` stays no."""
    if "email_verified" in claims:
        return claims["email_verified"] is True
    return claims.get("xms_edov") is True


def _verified_email(provider: Provider, claims: dict) -> str:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or not _email_vouched(claims):
        raise NotVouched("email_unverified")
    email = normalise_email(email)
    if email.rsplit("@", 1)[1] not in provider.domains:
        raise NotVouched("domain", email=email)
    return email


def resolve(provider: Provider, claims: dict, network: Network | None) -> Outcome:
    """The account these verified claims sign in, linking or inviting it as needed; or
    NotVouched. Call within `network`'s scope (the provider's own network for a network's
    provider; the sign-in page's network, if any, for the platform's)."""
    subject = str(claims["sub"])[:255]
    user = _linked_user(provider, subject)
    linked = invited = False
    if user is None:
        email = _verified_email(provider, claims)
        user = find_user(email)
        invitation = open_invitation(email) if network is not None else None
        if user is None and invitation is None:
            raise NotVouched("unknown", email=email)
        if user is None:
            user = create_user(
                email=email,
                name=_name(claims, email),
                password=None,
                language=network.default_language,
            )
        if invitation is not None and (
            isinstance(provider, PlatformProvider) or not user.is_platform_admin
        ):
            invitations.accept(invitation, user)
            invited = True
        _check_vouched(provider, user)
        db.session.add(
            _link_model(provider)(provider_id=provider.id, subject=subject, user_id=user.id)
        )
        db.session.flush()
        linked = True
        security.record(Kind.SSO_LINKED, user=user, scope=provider.scope, provider=provider.id)
    else:
        _check_vouched(provider, user)
    return Outcome(user=user, linked=linked, invited=invited)


def _check_vouched(provider: Provider, user: User) -> None:
    if not user.is_enabled:
        raise NotVouched("disabled", user=user)
    if isinstance(provider, NetworkProvider):
        if user.is_platform_admin:
            raise NotVouched("platform_admin", user=user)
        if not _is_member(user):
            raise NotVouched("not_member", user=user)


def _name(claims: dict, email: str) -> str:
    name = claims.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()[:200]
    return email.split("@", 1)[0][:200]


def network_by_slug(slug: str) -> Network | None:
    """An active network named on the sign-in page (?network=slug); networks are not tenant rows."""
    with all_networks():
        return db.session.execute(
            select(Network).where(Network.slug == slug[:60], Network.is_active.is_(True))
        ).scalar_one_or_none()
