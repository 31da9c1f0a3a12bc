"""Which network the current unit of work belongs to.

A request sets it once from the URL; a worker job sets it from the ids it was given. Code that
must read across networks (platform admin, the network switcher, the outbox relay) says so with
`all_networks()`, the only way around the scoping mechanism.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_network_id: ContextVar[int | None] = ContextVar("dorp_network_id", default=None)
_all_networks: ContextVar[bool] = ContextVar("dorp_all_networks", default=False)

# Listeners (the PostgreSQL row-level-security hook) that must hear about every change.
_on_change: list = []
# Hooks run before a scope is left normally: the session flushes what was done inside it, so a
# row created under a network is written under that network.
_before_leave: list = []


def current_network_id() -> int | None:
    return _network_id.get()


def reading_all_networks() -> bool:
    return _all_networks.get()


def on_change(listener) -> None:
    _on_change.append(listener)


def before_leave(hook) -> None:
    _before_leave.append(hook)


def _leaving() -> None:
    for hook in _before_leave:
        hook()


def _changed() -> None:
    for listener in _on_change:
        listener()


def set_network(network_id: int | None) -> None:
    """Set the network for the rest of this context (a request); cleared by `clear()`."""
    _network_id.set(network_id)
    _changed()


def clear() -> None:
    _network_id.set(None)
    _all_networks.set(False)
    _changed()


@contextmanager
def network_scope(network_id: int) -> Iterator[None]:
    token = _network_id.set(network_id)
    all_token = _all_networks.set(False)
    _changed()
    try:
        yield
        _leaving()
    finally:
        _network_id.reset(token)
        _all_networks.reset(all_token)
        _changed()


@contextmanager
def all_networks() -> Iterator[None]:
    """Explicit cross-network access, for the few code paths that are tested for it."""
    token = _all_networks.set(True)
    _changed()
    try:
        yield
        _leaving()
    finally:
        _all_networks.reset(token)
        _changed()
