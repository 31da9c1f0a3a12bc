"""Resolving the network from the URL, the current user's roles in it, and role checks."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable
from functools import cache, wraps

from flask import abort, current_app, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, bindparam, inspect, select
from sqlalchemy.orm import Session, joinedload, lazyload, make_transient_to_detached
from sqlalchemy.orm.base import NO_VALUE
from werkzeug.exceptions import Forbidden

from saas.after_commit import after_commit
from saas.extensions import db
from tenants import context, rls
from tenants.models import Membership, Network, Role

# The signed session's note of the one network a sign-in opens: a network's own sign-in provider
# vouches for that network's people only, so it must not open their roles in another network
# (that network's steward did not choose that provider). Set by saas.accounts.services.
SIGNED_IN_FOR = "signed_in_for"


class SignedInElsewhere(Forbidden):
    """The person has a role here, but signed in through another network's provider."""

    def __init__(self, opened: str, here: str) -> None:
        super().__init__()
        self.opened, self.here = opened, here

    @property
    def explanation(self) -> str:
        return _(
            "You signed in through the sign-in provider of %(opened)s, which opens %(opened)s "
            "only. To open %(here)s, sign out and sign in again with your password or with "
            "the sign-in button of %(here)s.",
            opened=self.opened,
            here=self.here,
        )


# How long a process trusts what it remembers of a slug's network (a change committed by this
# process is seen at once; one committed by another process within this many seconds).
NETWORK_MEMORY_SECONDS = 5.0
# Reads only: a write always finds its network in the database (closed is read-only at once).
_REMEMBERING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@cache
def role_loading() -> tuple:
    """How a person's memberships load, here and with the login session (saas.security): with
    their partner (is it suspended?), without loading the person again. Built at first use,
    once every model is mapped."""
    return (joinedload(Membership.partner), lazyload(Membership.user))


@cache
def _network_query(on_postgres: bool) -> Select:
    """The active network of a slug; on PostgreSQL the row also sets the transaction's network
    for row-level security (one round trip instead of two). Built once."""
    query = select(Network).where(Network.slug == bindparam("slug"), Network.is_active.is_(True))
    if on_postgres:
        query = query.add_columns(rls.network_setting(Network.id))
    return query


def resolve_network(endpoint: str | None, values: dict | None) -> None:
    """url_value_preprocessor: `/<slug>/...` names the network; unknown or inactive is 404.

    A read finds the network in this process's memory when it is there (`_remembered`): a
    calendar client's conditional GET then answers without touching the database."""
    if not values or "slug" not in values:
        return
    slug = values.pop("slug")
    found = _memory.find(slug) if request.method in _REMEMBERING_METHODS else None
    if found is None:
        network = _load_network(slug)
        context.set_network(network.id)
    else:
        # the network first, while no transaction is open (none is opened for it): the first
        # statement of the request, if any, sets it for row-level security as it begins
        context.set_network(found[0])
        network = _remembered(*found, slug)
        if network is None:
            context.set_network(None)
            network = _load_network(slug)
            context.set_network(network.id)
    g.network = network
    g.network_slug = slug  # the logs read it: they must not load anything


def _load_network(slug: str) -> Network:
    on_postgres = db.session.get_bind().dialect.name == "postgresql"
    generation = _memory.generation
    row = db.session.execute(_network_query(on_postgres), {"slug": slug}).first()
    if row is None:
        abort(404)
    network = row[0]
    if on_postgres:
        rls.network_was_set(db.session.connection(), network.id)
    _memory.keep(slug, network, generation)
    return network


class _NetworkMemory:
    """Slug → the active network's row, per process, for NETWORK_MEMORY_SECONDS.

    Kept as the row's column values, copied for each hit (no request shares an instance or its
    `settings` with another), which joins the request's session without a query. Every commit
    in this process that writes a network forgets everything (`forget`), and a row read before
    that commit is not kept after it (`generation`). Unknown slugs are never remembered: a new
    network is found at its first request."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[float, int, dict]] = {}
        self.generation = 0

    def keep(self, slug: str, network: Network, generation: int) -> None:
        if generation != self.generation or inspect(network).modified:
            return
        expires = time.monotonic() + NETWORK_MEMORY_SECONDS
        columns = {attr.key: getattr(network, attr.key) for attr in _columns()}
        self.rows[slug] = (expires, network.id, copy.deepcopy(columns))  # nothing shared

    def find(self, slug: str) -> tuple[int, dict] | None:
        row = self.rows.get(slug)
        if row is None:
            return None
        if row[0] <= time.monotonic():
            self.rows.pop(slug, None)
            return None
        return row[1], row[2]

    def forget(self, _changed: Iterable[int] = ()) -> None:
        self.generation += 1
        self.rows.clear()


_memory = _NetworkMemory()
forget_networks = _memory.forget


def _remembered(network_id: int, columns: dict, slug: str) -> Network | None:
    """The remembered row in the request's session (None: ask the database)."""
    session = db.session()
    here = session.identity_map.get(session.identity_key(Network, network_id))
    if here is not None:  # this session holds the row already (and perhaps changes to it)
        return here if here.slug == slug and here.is_active else None
    # built as a query's row is (no constructor, no change events), then made detached as if
    # just loaded: persistent once added, without a query
    network = inspect(Network).class_manager.new_instance()
    network.__dict__.update(columns, settings=copy.deepcopy(columns["settings"]))
    make_transient_to_detached(network)
    session.add(network)
    return network


@cache
def _columns() -> tuple:
    return tuple(inspect(Network).column_attrs)


def _written_networks(session: Session) -> Iterable[int]:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Network):
            yield obj.id


def install_memory() -> None:
    """Forget the remembered networks once a transaction that wrote one has committed."""
    after_commit("dorp_networks_remembered", _written_networks, forget_networks)


def add_network_slug(endpoint: str, values: dict) -> None:
    """url_defaults: links inside a network page stay in that network."""
    network = g.get("network")
    if network is None or "slug" in values:
        return
    if endpoint in _slugged_endpoints():
        values["slug"] = network.slug


def _slugged_endpoints() -> frozenset[str]:
    """The endpoints whose URL holds a network's slug, worked out once per app at its first
    network link (asking the URL map walks the endpoint's rules on every link). Flask takes no
    new routes once the app has served a request."""
    known = current_app.extensions.get("dorp_slugged")
    if known is None:
        rules = current_app.url_map.iter_rules()
        known = frozenset(rule.endpoint for rule in rules if "slug" in rule.arguments)
        current_app.extensions["dorp_slugged"] = known
    return known


def current_network() -> Network | None:
    """The request's network, or (in a job or command) the one of the current scope."""
    network = g.get("network")
    if network is None and context.current_network_id() is not None:
        network = db.session.get(Network, context.current_network_id())
    return network


def memberships() -> list[Membership]:
    """The current user's memberships in the current network, without suspended partners'."""
    if "memberships" in g:
        return g.memberships
    found: list[Membership] = []
    network = current_network()
    if current_user.is_authenticated and network is not None:
        user = current_user._get_current_object()
        loaded = inspect(user).attrs.network_memberships.loaded_value
        if user.memberships_network == network.id and loaded is not NO_VALUE:
            rows = loaded  # loaded with the login session, in this network (load_user)
        else:
            rows = db.session.execute(
                select(Membership)
                .where(Membership.user_id == current_user.id)
                .options(*role_loading())
                .order_by(Membership.id)
            ).scalars()
        found = [m for m in rows if m.partner is None or not m.partner.is_suspended]
        opened = session.get(SIGNED_IN_FOR)
        if found and opened is not None and opened != network.id:
            g.signed_in_for = opened
            found = []
    g.memberships = found
    return found


def roles() -> set[Role]:
    return {Role(m.role) for m in memberships()}


def has_role(*wanted: Role) -> bool:
    return bool(roles() & set(wanted))


def current_partner_membership() -> Membership | None:
    for m in memberships():
        if m.partner_id is not None:
            return m
    return None


def roles_required(*wanted: Role) -> Callable:
    """Guard a network view: anonymous → login, no role in this network → 404, wrong role → 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not memberships():
                if g.get("signed_in_for") is not None:
                    raise _elsewhere(g.signed_in_for)
                abort(404)
            if wanted and not has_role(*wanted):
                abort(403)
            return view(*args, **kwargs)

        wrapper.dorp_roles = wanted  # read by the cross-network test matrix
        return wrapper

    return decorator


def _elsewhere(opened_id: int) -> SignedInElsewhere:
    opened = db.session.get(Network, opened_id)
    return SignedInElsewhere(opened.name if opened else "?", current_network().name)


def user_networks(user_id: int) -> list[tuple[Network, list[Role]]]:
    """Every network the user holds a role in: the network switcher (explicitly cross-network)."""
    with context.all_networks():
        rows = db.session.execute(
            select(Network, Membership.role)
            .join(Membership, Membership.network_id == Network.id)
            .where(Membership.user_id == user_id, Network.is_active.is_(True))
            .order_by(Network.name)
        ).all()
    grouped: dict[int, tuple[Network, list[Role]]] = {}
    for network, role in rows:
        grouped.setdefault(network.id, (network, []))[1].append(Role(role))
    return list(grouped.values())
