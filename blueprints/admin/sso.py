"""The platform's sign-in providers (offered on every sign-in page), kept by the platform admin."""

from __future__ import annotations

from flask_babel import gettext as _

from blueprints import sso_providers
from blueprints.admin.blueprint import bp
from blueprints.loading import found_or_404
from saas.extensions import db
from saas.sso import services
from saas.sso.models import PlatformProvider

ENDPOINTS = {
    "list": "admin.sso_providers_list",
    "edit": "admin.sso_provider",
    "remove": "admin.sso_provider_remove",
}


@bp.route("/sign-in-providers", methods=["GET", "POST"])
def sso_providers_list():
    return sso_providers.list_page(
        providers=services.platform_providers(),
        model=PlatformProvider,
        endpoints=ENDPOINTS,
        heading=_("Sign-in providers of the platform"),
    )


@bp.route("/sign-in-providers/<int:provider_id>", methods=["GET", "POST"])
def sso_provider(provider_id: int):
    return sso_providers.edit_page(
        found_or_404(db.session.get(PlatformProvider, provider_id)), endpoints=ENDPOINTS
    )


@bp.route("/sign-in-providers/<int:provider_id>/remove", methods=["GET", "POST"])
def sso_provider_remove(provider_id: int):
    return sso_providers.remove_page(
        found_or_404(db.session.get(PlatformProvider, provider_id)), endpoints=ENDPOINTS
    )
