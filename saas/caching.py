"""What families and open-data readers see, kept per version of the network's public data.

Every committed change to something a public page, feed or HSDS answer shows (offers and their
partners, sessions and cancellations, places, types, closures, partners, the network itself)
bumps its network's *public data version* (an ORM flush hook, acted on after the commit; a
rollback bumps nothing). The version is a Redis key that holds microseconds since the epoch and
only ever grows: a bump sets it to the later of "now" and "one more", so a version lost with
Redis (a restart, a flush) comes back larger than any given out before, and never repeats a tag a
client still holds. Its time is the data's `Last-Modified`.

Rendered bodies are kept under a key made of the network, the version and what else tells one
answer from another (the route, the language, the query string): a change shows at once (the
next request reads a new key), a repeat costs a Redis read, and old entries expire unread.
The HTTP side (ETag, 304, Cache-Control) is `blueprints.conditional`.

Without Redis nothing is kept and every request renders its answer (slower, never wrong).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import has_app_context
from redis.exceptions import RedisError

from saas.after_commit import after_commit
from saas.catalogue.models import (
    ActivitySession,
    Closure,
    Location,
    Offer,
    OfferPartner,
    OfferType,
)
from saas.extensions import cache
from saas.partners.models import Partner
from tenants.models import Network

log = logging.getLogger(__name__)

BODY_SECONDS = 600  # a kept body lasts this long unread (a new version makes it unreachable)

# Set the version to the later of now and one more than before, atomically; return it.
_BUMP = """
local now = tonumber(ARGV[1])
local before = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if now <= before then now = before + 1 end
redis.call('SET', KEYS[1], now)
return now
"""


def _watched() -> tuple[type, ...]:
    return (ActivitySession, Closure, Location, Offer, OfferPartner, OfferType, Partner)


def _version_key(network_id: int) -> str:
    return f"public-version:{network_id}"


def _now_micro() -> int:
    return time.time_ns() // 1000


def _bump(network_id: int) -> int:
    backend = cache.cache
    client = getattr(backend, "_write_client", None)
    if client is None:  # not Redis (a test's SimpleCache): a counter is enough
        return int(backend.inc(_version_key(network_id)) or 0)
    return int(client.eval(_BUMP, 1, backend.key_prefix + _version_key(network_id), _now_micro()))


def version(network_id: int) -> int | None:
    """The network's public data version (started now when Redis has none); None without Redis."""
    try:
        found = cache.get(_version_key(network_id))
        if isinstance(found, int) and found > 0:
            return found
        return _bump(network_id)
    except RedisError as error:
        log.warning("public cache unavailable (%s)", type(error).__name__)
        return None


def version_time(value: int) -> datetime:
    """When a version was made (a counter without Redis' clock reads as the epoch)."""
    return datetime.fromtimestamp(value / 1_000_000, UTC).replace(microsecond=0)


def changed(network_ids: Iterable[int]) -> None:
    """Make the networks' public answers stale (their next request reads a new version)."""
    if not has_app_context():
        return
    for network_id in set(network_ids):
        try:
            _bump(network_id)
        except RedisError as error:  # keys carry a time step too: a lost bump lasts one step
            log.warning("public data version not bumped (%s)", type(error).__name__)


def read(key: str) -> Any:
    try:
        return cache.get(key)
    except RedisError as error:
        log.warning("public cache unavailable (%s)", type(error).__name__)
        return None


def keep(key: str, value: Any) -> None:
    try:
        cache.set(key, value, timeout=BODY_SECONDS)
    except RedisError as error:
        log.warning("public cache unavailable (%s): not kept", type(error).__name__)


def claim(key: str, seconds: int) -> bool:
    """Take `key` for `seconds` if nobody holds it (one request works an answer out while the
    others do something else); True when Redis cannot say."""
    try:
        return bool(cache.add(key, 1, timeout=seconds))  # SET NX with an expiry
    except RedisError as error:
        log.warning("public cache unavailable (%s)", type(error).__name__)
        return True


def release(key: str) -> None:
    try:
        cache.delete(key)
    except RedisError as error:  # it expires on its own
        log.warning("public cache unavailable (%s)", type(error).__name__)


T = TypeVar("T")


def kept(name: str, network_id: int, detail: Any, kind: type[T], compute: Callable[[], T]) -> T:
    """`compute()`'s answer for the network, kept per version of its public data under `name`
    and `detail` (what else tells one answer from another: the language, the filters, the page;
    any value whose repr says so, kept under its digest): a repeat costs two Redis reads, a
    change shows at once. A kept value that is not a `kind` (an older shape) is worked out
    again; without Redis every call works it out."""
    current = version(network_id)
    if current is None:
        return compute()
    digest = hashlib.sha256(repr(detail).encode()).hexdigest()[:32]
    key = f"{name}:{network_id}:{current}:{digest}"
    found = read(key)
    if isinstance(found, kind):
        return found
    value = compute()
    keep(key, value)
    return value


def _noted(session) -> Iterable[int]:
    watched = _watched()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Network) and obj.id is not None:
            yield obj.id
        elif isinstance(obj, watched) and getattr(obj, "network_id", None) is not None:
            yield obj.network_id


def install() -> None:
    """Bump, once its transaction has committed, the public data version of every network whose
    public data a flush changed."""
    after_commit("dorp_public_networks", _noted, changed)
