"""The health figures, computed once and kept in Redis until the network's data changes.

A dashboard, its CSV files and its PDF report read the same `Health` (already suppressed) for a
(network, period, language). Computing it takes about twenty aggregate queries (under a second for
a network with 50,000 sessions and 100,000 referrals on PostgreSQL); reading it back takes one
Redis round trip. The key carries the network's *data version*:

- every committed change to a row the figures read (sessions, headcounts, offers, places, types,
  partners, referrals, rosters) bumps the version of that row's network, so a new headcount or
  referral shows as soon as the job below has worked the figures out again. The bump comes from the ORM's flush, whatever code path
  made the change, and is sent only after the commit succeeds;
- entries also expire after `HEALTH_CACHE_SECONDS` (ten minutes by default): what counts as
  *held* moves with the clock, and a bump lost while Redis was down must not last (the next view
  plans the job).

Figures never block a request after a change. A committed change bumps the version and plans
the network's figures job (`refresh`, run by the workers): at most one run is planned per network
at a time, it starts a minute after the last run began at the soonest (a flood of changes costs one
run a minute), and runs one at a time per network (a Redis lock). It works out again the figures
viewed lately (a Redis set of period and language per network). Meanwhile, and whenever the
current version's figures are missing (expired, or a bump whose job was lost), a request is shown
the last figures, kept under a `latest` key for a week, with the time they were worked out ("as
of"), and plans the job itself if none is planned. Only the network's very first view of a period
in a language, with no figures at all to show, works them out in the request (under a short lock).
The dashboard's HTML is kept per figures (their time of working out), so it follows at once.

The network id is part of every key and is taken from the tenancy context, so one network's
figures are never served to another. Without Redis the figures are computed for each request
(slower, never wrong); `HEALTH_CACHE_SECONDS=0` does the same on purpose.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from flask import current_app, has_app_context
from flask_babel import force_locale, get_locale
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
from saas.extensions import cache, db
from saas.insights import figures
from saas.insights.period import Period
from saas.partners.models import Partner
from saas.referrals.models import Referral
from saas.workforce.models import Assignment, Roster, RosterRetirement
from tenants import context

log = logging.getLogger(__name__)


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
    """The current network's health for `period`: the newest figures there are (see above)."""
    return _cached(period)


def page(period: Period, render: Callable[[], str]) -> Markup:
    """The dashboard's figures as HTML (`render()` makes them), kept per figures (their time of
    working out): the same for everyone who may open the dashboard of the network, so nothing
    about the viewer in it. Rendering is cheap; the figures under it come from `health`."""
    seconds = current_app.config["HEALTH_CACHE_SECONDS"]
    network_id = context.current_network_id()
    if not seconds or network_id is None:
        return Markup(render())  # noqa: S704 (our own autoescaped template output)
    made = health(period).computed_at.timestamp()
    key = f"page:{network_id}:{made}:{period.code}:{get_locale()}"
    try:
        found = cache.get(key)
    except RedisError as error:
        log.warning("health cache unavailable (%s): rendering the page", type(error).__name__)
        found = None
    if isinstance(found, str):
        return Markup(found)  # noqa: S704 (read back from our own cache)
    html = str(render())
    _quietly(lambda: cache.set(key, html, timeout=seconds))
    return Markup(html)  # noqa: S704


WORKING_SECONDS = 60  # how long a request may take to work figures out before others do too
LATEST_SECONDS = 7 * 24 * 3600  # the last figures stay this long for views after a change
WANTED_SECONDS = 7 * 24 * 3600  # figures viewed within this long are worked out after a change
MIN_GAP = 60  # seconds between two runs of a network's figures job, at least


def _where(network_id: int, period: Period, language: str) -> str:
    return f"health:{network_id}:{{}}:{period.code}:{language}"


def _member(period: Period, language: str) -> str:
    return f"{period.kind}:{period.year}:{period.part}:{language}"


def _wanted_key(network_id: int) -> str:
    return f"health-wanted:{network_id}"


def _cached(period: Period) -> figures.Health:
    seconds = current_app.config["HEALTH_CACHE_SECONDS"]
    network_id = context.current_network_id()
    if not seconds or network_id is None:
        return figures.health(period)
    language = str(get_locale())
    where = _where(network_id, period, language)
    try:
        version = cache.get(_version_key(network_id)) or 0
        key, latest = where.format(version), where.format("latest")
        found, before = cache.get_many(key, latest)
        if isinstance(found, figures.Health):
            return found
        _quietly(lambda: _want(network_id, period, language))
        if isinstance(before, figures.Health):  # stale: the job works the new ones out
            _quietly(lambda: plan_refresh(network_id))
            return before
        working = f"{key}:working"
        mine = cache.add(working, 1, timeout=min(WORKING_SECONDS, seconds))
    except RedisError as error:
        log.warning("health cache unavailable (%s): computing the figures", type(error).__name__)
        return figures.health(period)
    # The network's first view of these figures: nothing to show yet, so this request waits.
    try:
        computed = figures.health(period)
    finally:
        if mine:
            _quietly(lambda: cache.delete(working))
    _keep(where, version, computed, seconds)
    return computed


def _keep(where: str, version: int, computed: figures.Health, seconds: int) -> None:
    def write():
        cache.set(where.format(version), computed, timeout=seconds)
        cache.set(where.format("latest"), computed, timeout=max(seconds, LATEST_SECONDS))

    _quietly(write)


def _want(network_id: int, period: Period, language: str) -> None:
    """Note that these figures are viewed: the job works them out again after a change."""
    client = _client()
    if client is not None:
        key = cache.cache.key_prefix + _wanted_key(network_id)
        pipe = client.pipeline()
        pipe.sadd(key, _member(period, language))
        pipe.expire(key, WANTED_SECONDS)
        pipe.execute()


def _client():
    return getattr(cache.cache, "_write_client", None)


# ---- the figures job: debounced, one at a time per network ---------------------------------

_enqueue: Callable[[int, float], object] | None = None  # set by the composition root (workers)


def plan_refresh(network_id: int) -> bool:
    """Plan the network's figures job, unless one is planned already: it runs at once, or a
    minute after the last run began, whichever is later. Whether this call planned it."""
    if _enqueue is None or not current_app.config.get("HEALTH_CACHE_SECONDS"):
        return False
    planned = f"health-planned:{network_id}"
    if not cache.add(planned, 1, timeout=10 * MIN_GAP):
        return False  # planned already: that run will read the newest data
    last = cache.get(f"health-ran:{network_id}") or 0
    delay = max(0.0, float(last) + MIN_GAP - time.time())
    try:
        _enqueue(network_id, delay)
    except RedisError:
        cache.delete(planned)
        raise
    return True


def refresh(network_id: int) -> int:
    """The job: work out again every figures of the network viewed lately whose current version
    is missing, and keep them (the `latest` too). How many it worked out."""
    seconds = current_app.config.get("HEALTH_CACHE_SECONDS")
    if not seconds:
        return 0
    running = f"health-running:{network_id}"
    if not cache.add(running, 1, timeout=10 * MIN_GAP):
        if _enqueue is not None:  # another run is at work: try again in a minute
            _enqueue(network_id, MIN_GAP)
        return 0
    try:
        # From here on a change plans another run (which reads what this one may not have seen).
        cache.delete(f"health-planned:{network_id}")
        cache.set(f"health-ran:{network_id}", time.time(), timeout=10 * MIN_GAP)
        version = cache.get(_version_key(network_id)) or 0
        client = _client()
        members = (
            client.smembers(cache.cache.key_prefix + _wanted_key(network_id)) if client else ()
        )
        done = 0
        for member in sorted(m.decode() if isinstance(m, bytes) else m for m in members):
            kind, year, part, language = member.split(":")
            period = Period(kind, int(year), int(part))
            where = _where(network_id, period, language)
            if isinstance(cache.get(where.format(version)), figures.Health):
                continue
            with context.network_scope(network_id), force_locale(language):
                computed = figures.health(period)
                db.session.rollback()  # read only
            _keep(where, version, computed, seconds)
            done += 1
        return done
    finally:
        _quietly(lambda: cache.delete(running))


def _quietly(write: Callable[[], object]) -> None:
    try:
        write()
    except RedisError as error:
        log.warning("health cache unavailable (%s)", type(error).__name__)


def forget(network_id: int) -> None:
    """Make the network's cached figures stale (a new version; old entries expire unread)."""
    if not has_app_context() or not current_app.config.get("HEALTH_CACHE_SECONDS"):
        return
    try:
        cache.cache.inc(_version_key(network_id))
    except RedisError as error:
        log.warning("health cache version not bumped (%s)", type(error).__name__)


def install(enqueue: Callable[[int, float], object] | None = None) -> None:
    """`enqueue(network_id, delay_seconds)` queues the figures job (the workers give it). Bump, once its transaction has committed, the data version of every network whose
    figures a flush changed (a rollback bumps nothing)."""
    global _enqueue
    if enqueue is not None:
        _enqueue = enqueue
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
        _plan_if_viewed(network_id)


def _plan_if_viewed(network_id: int) -> None:
    """After a committed change, plan the job for a network whose figures someone views."""
    if not has_app_context() or not current_app.config.get("HEALTH_CACHE_SECONDS"):
        return
    try:
        client = _client()
        if client is not None and client.exists(cache.cache.key_prefix + _wanted_key(network_id)):
            plan_refresh(network_id)
    except RedisError as error:  # a view of the stale figures plans it later
        log.warning("health figures job not planned (%s)", type(error).__name__)
