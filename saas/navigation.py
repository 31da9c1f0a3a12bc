"""The header's navigation, by the roles the person holds in the current network."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tenants.access import has_role, memberships, user_networks
from tenants.models import Role


@dataclass
class NavItem:
    label: str
    url: str
    active: bool


def _items() -> list[NavItem]:
    items: list[tuple[str, str, str]] = []
    if g.get("network") is not None and memberships():
        items.append((_("Overview"), "network.dashboard", "network.dashboard"))
        items.append((_("Catalogue"), "catalogue.index", "catalogue."))
        if has_role(Role.STEWARD):
            items.append((_("Partners"), "network.partners_list", "network.partner"))
            items.append((_("People"), "network.people", "network.people"))
        if has_role(Role.PARTNER_ADMIN, Role.PARTNER_MEMBER, Role.SE_COORDINATOR, Role.SE_WORKER):
            items.append((_("Referrals"), "referrals.index", "referrals."))
        elif has_role(Role.STEWARD):
            items.append((_("Referrals"), "referrals.overview", "referrals."))
        if has_role(Role.PARTNER_ADMIN, Role.PARTNER_MEMBER):
            items.append((_("My organisation"), "partner.overview", "partner."))
        if has_role(Role.SE_COORDINATOR, Role.SE_WORKER):
            items.append((_("Team"), "social_economy.team", "social_economy."))
        if has_role(Role.MUNICIPALITY_VIEWER, Role.STEWARD):
            items.append((_("Network figures"), "municipality.overview", "municipality."))
        if has_role(Role.STEWARD):
            items.append((_("Settings"), "network.settings", "network.settings"))
        if has_role(Role.STEWARD) and current_app.config.get("BILLING_ENABLED"):
            items.append((_("Billing"), "billing.index", "billing."))
    if g.get("network") is not None and memberships():
        from saas.notifications.center import unread_count

        unread = unread_count(current_user.id)
        label = _("Notifications") + (f" ({unread})" if unread else "")
        items.append((label, "network.notifications", "network.notifications"))
    if current_user.is_platform_admin:
        items.append((_("Platform"), "admin.networks", "admin."))
    endpoint = request.endpoint or ""
    return [NavItem(label, url_for(ep), endpoint.startswith(prefix)) for label, ep, prefix in items]


def can_publish() -> bool:
    return g.get("network") is not None and has_role(
        Role.PARTNER_ADMIN, Role.PARTNER_MEMBER, Role.SE_COORDINATOR
    )


def register(app: Flask) -> None:
    @app.context_processor
    def _nav():
        return {
            "dorp_can_publish": can_publish,
            "dorp_nav": _items,
            "dorp_my_networks": lambda: (
                user_networks(current_user.id) if current_user.is_authenticated else []
            ),
        }
