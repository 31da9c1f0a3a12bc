"""The steward's sign-in providers of their network (saas.sso; the views are shared with the
platform admin's in blueprints.sso_providers)."""

from __future__ import annotations

from flask_babel import gettext as _

from blueprints import sso_providers
from blueprints.loading import load_or_404
from blueprints.network.blueprint import bp
from saas.sso import services
from saas.sso.models import NetworkProvider
from tenants.access import roles_required
from tenants.models import Role

ENDPOINTS = {
    "list": "network.sso_providers_list",
    "edit": "network.sso_provider",
    "remove": "network.sso_provider_remove",
}


@bp.route("/network/sign-in-providers", methods=["GET", "POST"])
@roles_required(Role.STEWARD)
def sso_providers_list():
    return sso_providers.list_page(
        providers=services.network_providers(),
        model=NetworkProvider,
        endpoints=ENDPOINTS,
        heading=_("Sign-in providers of this network"),
    )


@bp.route("/network/sign-in-providers/<int:provider_id>", methods=["GET", "POST"])
@roles_required(Role.STEWARD)
def sso_provider(provider_id: int):
    return sso_providers.edit_page(load_or_404(NetworkProvider, provider_id), endpoints=ENDPOINTS)


@bp.route("/network/sign-in-providers/<int:provider_id>/remove", methods=["GET", "POST"])
@roles_required(Role.STEWARD)
def sso_provider_remove(provider_id: int):
    return sso_providers.remove_page(load_or_404(NetworkProvider, provider_id), endpoints=ENDPOINTS)
