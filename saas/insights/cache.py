"""The health figures, computed once and kept in Redis until the network's data changes.

A dashboard, its CSV files and its PDF report read the same `Health` (already suppressed) for a
(network, period, language). Computing it takes about twenty aggregate queries (under a second for
a network with 50,000 sessions and 100,000 referrals on PostgreSQL); reading it back takes one
Redis round trip. The key carries the network's *data version*:

- every committed change to a row the figures read (sessions, headcounts, offers, places, types,
  partners, referrals, rosters) bumps the version of that row's network, so a new headcount or
  referral shows on the next page view. The bump comes from the ORM's flush, whatever code path
  made the change, and is sent only after the commit succeeds;
- entries also expire after `HEALTH_CACHE_SECONDS` (ten minutes by default): what counts as
  *held* moves with the clock, and a bump lost while Redis was down must not last.

After a change, the first request works the figures out (it holds a short Redis lock for them)
and requests that come while it does are shown the figures from just before the change, kept
under a `latest` key, instead of each working them out too: a busy network's dashboard no
longer ties up every web worker for a second after each new referral. Nobody is ever shown
figures older than that, and without them (a first view) a request works them out itself.

The network id is part of every key and is taken from the tenancy context, so one network's
figures are never served to another. Without Redis the figures are computed for each request
(slower, never wrong); `HEALTH_CACHE_SECONDS=0` does the same on purpose.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, has_app_context
from flask_babel import get_locale
from markupsafe import Markup
from redis.exceptions import RedisError

from saas.after_commit import after_commit
from saas.catalogue.models import (
    ActivitySession,
    Headcount,
    Location,
    Offer,
    OfferPartner,
    OfferType,
)
from saas.extensions import cache
from saas.insights import figures
from saas.insights.period import Period
from saas.partners.models import Partner
from saas.referrals.models import Referral
from saas.workforce.models import Assignment, Roster, RosterRetirement
from tenants import context

log = logging.getLogger(__name__)
T = TypeVar("T")


def _watched() -> tuple[type, ...]:

    return (
        ActivitySession,
        Headcount,
        Location,
        Offer,
        OfferPartner,
        OfferType,
        Partner,
        Referral,
        Assignment,
        Roster,
        RosterRetirement,
    )


def _version_key(network_id: int) -> str:
    return f"health-version:{network_id}"


def health(period: Period) -> figures.Health:
    """The current network's health for `period`, from the cache when it is still true."""
    return _cached("health", period, lambda: figures.health(period), figures.Health)


def page(period: Period, render: Callable[[], str]) -> Markup:
    """The dashboard's figures as HTML (`render()` makes them), kept like the figures: the same
    for everyone who may open the dashboard of the network, so nothing about the viewer in it."""
    # Our own autoescaped template output, read back from our own cache.
    return Markup(_cached("page", period, render, str))  # noqa: S704


WORKING_SECONDS = 60  # how long a request may take to work figures out before others do too


def _cached(kind: str, period: Period, compute: Callable[[], T], expected: type) -> T:
    seconds = current_app.config["HEALTH_CACHE_SECONDS"]
    network_id = context.current_network_id()
    if not seconds or network_id is None:
        return compute()
    where = f"{kind}:{network_id}:{{}}:{period.code}:{get_locale()}"
    try:
        version = cache.get(_version_key(network_id)) or 0
        key, latest = where.format(version), where.format("latest")
        found, before = cache.get_many(key, latest)
        if isinstance(found, expected):
            return found
        working = f"{key}:working"
        mine = cache.add(working, 1, timeout=min(WORKING_SECONDS, seconds))
    except RedisError as error:
        log.warning("health cache unavailable (%s): computing the figures", type(error).__name__)
        return compute()
    if not mine and isinstance(before, expected):
        return before  # another request is working out the new figures
    try:
        computed = compute()
    finally:
        if mine:
            _quietly(lambda: cache.delete(working))
    kept = str(computed) if expected is str else computed
    _quietly(lambda: cache.set_many({key: kept, latest: kept}, timeout=seconds))
    return computed


def _quietly(write: Callable[[], object]) -> None:
    try:
        write()
    except RedisError as error:
        log.warning("health cache unavailable (%s): not kept", type(error).__name__)


def forget(network_id: int) -> None:
    """Make the network's cached figures stale (a new version; old entries expire unread)."""
    if not has_app_context() or not current_app.config.get("HEALTH_CACHE_SECONDS"):
        return
    try:
        cache.cache.inc(_version_key(network_id))
    except RedisError as error:
        log.warning("health cache version not bumped (%s)", type(error).__name__)


def install() -> None:
    """Bump, once its transaction has committed, the data version of every network whose
    figures a flush changed (a rollback bumps nothing)."""
    watched = _watched()
    after_commit(
        "dorp_health_networks",
        lambda session: (
            obj.network_id
            for obj in (*session.new, *session.dirty, *session.deleted)
            if isinstance(obj, watched) and getattr(obj, "network_id", None) is not None
        ),
        _forget_all,
    )


def _forget_all(network_ids: list[int]) -> None:
    for network_id in set(network_ids):
        forget(network_id)
