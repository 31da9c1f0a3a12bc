"""Signing in through an OpenID Connect provider: the buttons' start routes and one callback.

A network's provider starts under its network's URL (`/<slug>/auth/sso/<id>`), so the scoping
mechanism finds it or answers 404; a platform provider starts at `/auth/sso/platform/<id>`.
Every provider sends the browser back to the one callback, `/auth/sso/callback` (the redirect
URI to register with the provider); the browser's session says which sign-in it finishes
(provider, state, nonce, PKCE verifier), for one sign-in at a time. A refused sign-in shows why
in words, changes nothing and is recorded as a security event (never a token or a code).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

import blueprints.auth.pending as second_step
from blueprints.auth.blueprint import bp
from blueprints.auth.throttle import forget_failures
from saas.accounts import factors
from saas.accounts import services as accounts
from saas.audit import security
from saas.audit.security import Kind
from saas.extensions import db
from saas.security import is_safe_next
from saas.sso import oidc, services
from saas.sso.models import NetworkProvider, PlatformProvider
from saas.sso.secrets import SecretUnreadable, unseal
from saas.urls import absolute_url
from tenants.access import current_network, user_networks
from tenants.context import network_scope
from tenants.models import Network

PENDING = "sso"  # the session key of the sign-in under way

REFUSALS = {
    "no_flow": _l("This sign-in was not started here, or it was already used. Please start again."),
    "state": _l(
        "This answer from the sign-in provider does not belong to the sign-in you started. "
        "Nothing was changed; please start again."
    ),
    "denied": _l(
        "The sign-in was cancelled at the provider. You can try again or use your password."
    ),
    "no_code": _l("The sign-in provider sent no authorization code. Please start again."),
    "token": _l("The sign-in provider did not confirm the sign-in. Please try again later."),
    "no_id_token": _l("The sign-in provider sent no identity token. Please try again later."),
    "keys": _l("The sign-in provider's keys could not be read. Please try again later."),
    "signature": _l(
        "The identity token is not signed by this sign-in provider's keys, so it is refused."
    ),
    "expired": _l("The identity token has expired. Please sign in again."),
    "nonce": _l("The identity token was issued for another sign-in, so it is refused."),
    "claims": _l(
        "The identity token is not meant for Dorp or not from this provider, so it is refused."
    ),
    "secret": _l(
        "This sign-in provider's settings must be saved again (its client secret can no longer "
        "be read). Please tell your network's steward."
    ),
    "email_unverified": _l("The sign-in provider did not confirm your e-mail address."),
    "domain": _l(
        "This sign-in provider may not sign in addresses of your e-mail domain. "
        "Use your password, or the provider your organisation uses."
    ),
    "unknown": _l(
        "There is no account and no open invitation for this e-mail address. Ask a steward of "
        "your network to invite you; no account has been made."
    ),
    "disabled": _l("This account has been disabled."),
    "not_member": _l(
        "This network's sign-in provider can only sign in people of this network. "
        "Use your password or your own organisation's provider."
    ),
    "platform_admin": _l(
        "A platform administrator signs in with a password or the platform's provider."
    ),
}


# the token was good but vouches for nobody Dorp may sign in: 403; the rest is a bad answer: 400
NOT_VOUCHED = {"email_unverified", "domain", "unknown", "disabled", "not_member", "platform_admin"}


def _redirect_uri() -> str:
    return absolute_url("auth.sso_callback")


def _begin(provider, ref: dict):
    url, pending = oidc.begin(
        client_id=provider.client_id,
        authorization_endpoint=provider.authorization_endpoint,
        redirect_uri=_redirect_uri(),
    )
    target = request.args.get("next", "")
    session[PENDING] = {
        **ref,
        "state": pending.state,
        "nonce": pending.nonce,
        "verifier": pending.code_verifier,
        "next": target if is_safe_next(target) else "",
    }
    return redirect(url)


@bp.route("/<slug>/auth/sso/<int:provider_id>")
def sso_start(provider_id: int):
    """A network's provider: public (it is a sign-in button), 404 outside the provider's network."""
    provider = db.session.get(NetworkProvider, provider_id)
    network = current_network()
    if provider is None or network is None or provider.network_id != network.id:
        abort(404)
    return _begin(provider, {"scope": "network", "provider": provider.id, "network": network.id})


@bp.route("/auth/sso/platform/<int:provider_id>")
def sso_start_platform(provider_id: int):
    provider = db.session.get(PlatformProvider, provider_id)
    if provider is None:
        abort(404)
    network = services.network_by_slug(request.args.get("network", ""))
    return _begin(
        provider,
        {"scope": "platform", "provider": provider.id, "network": network.id if network else None},
    )


@bp.route("/auth/sso/callback")
def sso_callback():
    pending = session.pop(PENDING, None)
    if not isinstance(pending, dict) or "state" not in pending:
        return _refused("no_flow", None)
    network = db.session.get(Network, pending["network"]) if pending.get("network") else None
    if network is not None and not network.is_active:
        network = None
    if network is None:
        return _finish(pending, None)
    with network_scope(network.id):
        return _finish(pending, network)


def _finish(pending: dict, network: Network | None):
    model = NetworkProvider if pending.get("scope") == "network" else PlatformProvider
    provider = db.session.get(model, pending.get("provider"))
    if provider is None or (model is NetworkProvider and network is None):
        return _refused("no_flow", None)
    try:
        claims = oidc.finish(
            query=request.args.to_dict(),
            pending=oidc.Pending(
                state=pending["state"], nonce=pending["nonce"], code_verifier=pending["verifier"]
            ),
            issuer=provider.issuer,
            client_id=provider.client_id,
            client_secret=unseal(provider.client_secret_sealed),
            redirect_uri=_redirect_uri(),
            token_endpoint=provider.token_endpoint,
            jwks_uri=provider.jwks_uri,
        )
        outcome = services.resolve(provider, claims, network)
    except SecretUnreadable:
        return _refused("secret", provider)
    except oidc.SignInRefused as exc:
        return _refused(exc.reason, provider)
    except services.NotVouched as exc:
        return _refused(exc.reason, provider, user=exc.user, email=exc.email)
    user = outcome.user
    target = pending.get("next") or ""
    target = target if is_safe_next(target) else ""
    provider_passed = oidc.passed_two_factors(claims)
    # a network's provider opens that network only (tenants.access.SIGNED_IN_FOR)
    opens = network.id if model is NetworkProvider else None
    if not provider_passed and factors.has_factors(user.id):
        # the provider showed one factor: the person's own second factor is asked next, as
        # after a password (blueprints/auth/second_factor.py); not signed in meanwhile
        second_step.begin(user, target, via="sso", opens=opens)
        return redirect(url_for("auth.second_factor"))
    accounts.start_session(user, via="sso", opens=opens, scope=provider.scope, provider=provider.id)
    forget_failures(user.email)
    if provider_passed:
        factors.mark_passed("provider")  # after start_session, which forgets any earlier one
    elif factors.needs_second_factor(user):
        flash(
            _("Before you go on, set up a second factor: it is required for your role."),
            "warning",
        )
        return redirect(url_for("auth.factors_page"))
    if target:
        return redirect(target)
    if outcome.invited and network is not None:
        return redirect(url_for("network.dashboard", slug=network.slug))
    return redirect(_landing(user))


def _landing(user) -> str:
    networks = user_networks(user.id)
    if len(networks) == 1:
        return url_for("network.dashboard", slug=networks[0][0].slug)
    return url_for("site.home")


def _refused(reason: str, provider, *, user=None, email: str | None = None):
    details = {"reason": reason}
    if provider is not None:
        details.update(scope=provider.scope, provider=provider.id)
    # an attempt: held aside and written after the request, whatever it does
    security.record(Kind.SSO_FAILED, user=user, email=email, **details)
    db.session.rollback()  # nothing the attempt did is kept (the answer is >= 400 as well)
    status = 403 if reason in NOT_VOUCHED else 400
    return render_template(
        "auth/sso_refused.html", message=REFUSALS[reason], provider=provider
    ), status
