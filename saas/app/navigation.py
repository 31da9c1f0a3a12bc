"""The header's navigation, by the roles the person holds in the current network, its network
switcher and its count of unread notices."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import Flask, current_app, g, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

from saas.after_commit import after_commit, note_now
from saas.extensions import cache
from saas.notifications.center import unread_count
from saas.notifications.models import Notification
from tenants.access import has_role, memberships, roles, user_networks
from tenants.context import current_network_id
from tenants.models import Membership, Network, Role

log = logging.getLogger(__name__)
HEADER_SECONDS = 600  # a lost version bump lasts this long at most
NOTIFICATIONS = "network.notifications"


@dataclass
class NavItem:
    label: str
    url: str
    active: bool


def _items() -> list[NavItem]:
    network = g.get("network")
    in_network = network is not None and bool(memberships())
    entries = _entries(
        str(get_locale()),
        network.slug if in_network else None,
        frozenset(roles()) if in_network else frozenset(),
        bool(current_app.config.get("BILLING_ENABLED")),
        bool(current_user.is_platform_admin),
        request.script_root,
    )
    endpoint = request.endpoint or ""
    unread = _header()["unread"] if in_network else 0
    return [
        NavItem(
            f"{label} ({unread})" if unread and prefix == NOTIFICATIONS else label,
            url,
            endpoint.startswith(prefix),
        )
        for label, url, prefix in entries
    ]


@lru_cache(maxsize=1024)
def _entries(
    locale: str, slug: str | None, held: frozenset, billing: bool, admin: bool, script_root: str
) -> tuple[tuple[str, str, str], ...]:
    """(label, URL, active prefix) of the header's links: the same for everyone with these roles in
    this network and language, so worked out once (each is a translation and a URL build)."""
    items: list[tuple[str, str, str]] = []
    if slug is not None:

        def holds(*wanted: Role) -> bool:
            return bool(held & set(wanted))

        items.append((_("Overview"), "network.dashboard", "network.dashboard"))
        items.append((_("Catalogue"), "catalogue.index", "catalogue."))
        if holds(Role.STEWARD):
            items.append((_("Partners"), "network.partners_list", "network.partner"))
            items.append((_("People"), "network.people", "network.people"))
        if holds(Role.PARTNER_ADMIN, Role.PARTNER_MEMBER, Role.SE_COORDINATOR, Role.SE_WORKER):
            items.append((_("Referrals"), "referrals.index", "referrals."))
        elif holds(Role.STEWARD):
            items.append((_("Referrals"), "referrals.overview", "referrals."))
        if holds(Role.PARTNER_ADMIN, Role.PARTNER_MEMBER):
            items.append((_("My organisation"), "partner.overview", "partner."))
        if holds(Role.SE_COORDINATOR, Role.SE_WORKER):
            items.append((_("Team"), "social_economy.team", "social_economy."))
        if holds(Role.MUNICIPALITY_VIEWER, Role.STEWARD):
            items.append((_("Network figures"), "municipality.overview", "municipality."))
        if holds(Role.STEWARD):
            items.append((_("Settings"), "network.settings", "network.settings"))
        if holds(Role.STEWARD) and billing:
            items.append((_("Billing"), "billing.index", "billing."))
        items.append((_("Notifications"), NOTIFICATIONS, NOTIFICATIONS))
    if admin:
        items.append((_("Platform"), "admin.networks", "admin."))
    # url_for adds the request's network (tenants.access.add_network_slug): `slug` is its slug
    return tuple((label, url_for(ep), prefix) for label, ep, prefix in items)


@dataclass(frozen=True)
class NetworkLink:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class _Kept:
    """A value kept in Redis under `key`, true while the `versions` it was worked out under
    have not moved."""

    key: str
    versions: tuple[str, ...]
    compute: Callable[[], Any]


def _read_kept(entries: list[_Kept]) -> list[Any]:
    """Every entry's value, from one MGET of the entries and their versions; an entry whose
    stamp differs is worked out again and kept. The versions are read before the work, so a
    change committed meanwhile leaves the new entry with an old stamp. Without Redis every
    value is worked out."""
    keys = [k for entry in entries for k in (*entry.versions, entry.key)]
    try:
        found = cache.get_many(*keys)
    except RedisError as error:
        log.warning("header cache unavailable (%s)", type(error).__name__)
        return [entry.compute() for entry in entries]
    values, at = [], 0
    for entry in entries:
        stamp = [v or 0 for v in found[at : at + len(entry.versions)]]
        kept = found[at + len(entry.versions)]
        at += len(entry.versions) + 1
        if isinstance(kept, dict) and kept.get("stamp") == stamp:
            values.append(kept["value"])
            continue
        value = entry.compute()
        try:
            cache.set(entry.key, {"stamp": stamp, "value": value}, timeout=HEADER_SECONDS)
        except RedisError as error:
            log.warning("header cache unavailable (%s)", type(error).__name__)
        values.append(value)
    return values


def _header() -> dict[str, Any]:
    """What every signed-in page's header shows beyond the roles: the networks of the switcher
    (a read across networks) and, inside a network, the number of unread notices. Kept in Redis
    (one MGET per page instead of four statements), each stamped with the versions that the
    commit of a change to it bumps (`_changed_versions`)."""
    if "dorp_header" in g:
        return g.dorp_header
    user_id = current_user.id
    entries = [
        _Kept(
            f"networks-of:{user_id}",
            ("networks-version", f"networks-version:{user_id}"),
            lambda: [NetworkLink(n.id, n.slug, n.name) for n, _roles in user_networks(user_id)],
        )
    ]
    network = g.get("network")
    if network is not None:
        entries.append(
            _Kept(
                f"unread:{network.id}:{user_id}",
                (f"notices-version:{network.id}", f"notices-version:{network.id}:{user_id}"),
                lambda: unread_count(user_id),
            )
        )
    values = _read_kept(entries)
    g.dorp_header = {"networks": values[0], "unread": values[1] if len(values) > 1 else 0}
    return g.dorp_header


def my_networks() -> list[NetworkLink]:
    """The switcher's networks: every active network the signed-in person holds a role in."""
    return _header()["networks"] if current_user.is_authenticated else []


def _changed_versions(session) -> list[str]:
    """The versions a flush makes stale: everyone's networks for a network, a person's for
    their membership, a person's unread count in a network for their notice."""

    changed = []
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Membership) and obj.user_id is not None:
            changed.append(f"networks-version:{obj.user_id}")
        elif isinstance(obj, Network):
            changed.append("networks-version")
        elif isinstance(obj, Notification) and obj.user_id is not None:
            changed.append(f"notices-version:{obj.network_id}:{obj.user_id}")
    return changed


def _bulk_notices(state) -> None:
    """A bulk UPDATE or DELETE of notices (mark all read) names no rows: every unread count of
    the network is stale once it commits."""
    if not (state.is_update or state.is_delete):  # every ORM statement passes here
        return

    if any(m.class_ is Notification for m in state.all_mappers):
        note_now(state.session, _VERSIONS, [f"notices-version:{current_network_id()}"])


def _bump(keys: list[str]) -> None:
    for key in sorted(set(keys)):
        try:
            cache.cache.inc(key)
        except RedisError as error:  # entries expire: a lost bump lasts HEADER_SECONDS at most
            log.warning("header version not bumped (%s)", type(error).__name__)


_VERSIONS = "dorp_header_versions"


def install() -> None:
    if getattr(install, "_done", False):
        return
    after_commit(_VERSIONS, _changed_versions, _bump)
    event.listen(Session, "do_orm_execute", _bulk_notices)
    install._done = True


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
            "dorp_my_networks": my_networks,
        }
