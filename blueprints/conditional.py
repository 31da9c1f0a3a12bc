"""Public answers that are cheap to serve again: ETag, Last-Modified, 304 and a kept body.

    @bp.route("/agenda.ics")
    @public_cache
    def agenda_feed(): ...

For a request that carries no session (no sign-in, no flashed message: a family, a calendar
client, an open-data reader), the answer's tag is made of the network's public data version
(`saas.caching`), a time step, the path, the query string and the language. Its body is kept in
Redis under that tag, so a repeat costs a Redis read, and a client that sends the tag back
(`If-None-Match`, compared weakly as RFC 9110 asks, lists and `*` included) or a date not older
than `Last-Modified` (`If-Modified-Since`, read only without `If-None-Match`) gets
`304 Not Modified` without a body. A tag sent back is answered before the body is read (only a
200 of this very answer gave it out); `*` and a date only once the answer is known to be a 200. Everyone may keep the answer for a minute
(`Cache-Control: public, max-age=60`, `Vary: Accept-Language, Cookie`).

The time step: what a public page shows also moves with the clock (a session that has ended
leaves the activity page, a feed's window slides), so an answer is kept for one step at most
(STEP_SECONDS) and its `Last-Modified` is the later of the data's last change and the step's start.
At a step's start one request claims the new answer and works it out; the requests that arrive
meanwhile get the previous step's answer of the same data version (never an older version's).

A signed-in person's page has their name and menu in it: it is rendered for them every time and
marked `private, no-cache`. Only a 200 is kept; an error is answered as the route answers it.
Headers that cannot be read (a malformed date, a tag list without quotes) count as absent.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Response, current_app, g, make_response, request, session
from flask_babel import get_locale

from saas import caching

STEP_SECONDS = 300  # a public answer may lag the clock (not the data) by this much at most
RENDER_SECONDS = 30  # how long one request may hold the right to work out an answer
MAX_AGE = 60
VARY = ("Accept-Language", "Cookie")
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Access-Control-Allow-Origin")


def _shareable() -> bool:
    """No session and no remembered sign-in: the answer is the same for everyone who asks."""
    cookies = request.cookies
    return (
        current_app.config["SESSION_COOKIE_NAME"] not in cookies
        and current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") not in cookies
    )


def _tag(network_id: int, version: int, step: int) -> str:
    query = "&".join(f"{k}={v}" for k, v in sorted(request.args.items(multi=True)))
    parts = (network_id, version, step, str(get_locale()), request.path, query)
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]


def not_modified(tag: str, last_modified: datetime) -> bool:
    """RFC 9110 13.2.2: If-None-Match (weak comparison) decides when it is sent; else
    If-Modified-Since, for GET and HEAD. Unreadable headers do not match."""
    if "If-None-Match" in request.headers:
        wanted = request.if_none_match  # werkzeug: lists, W/ tags and * (empty when unreadable)
        return bool(wanted) and wanted.contains_weak(tag)
    if request.method not in ("GET", "HEAD"):
        return False
    since = request.if_modified_since  # None when malformed
    return since is not None and last_modified <= since


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.update(VARY)
    return response


def public_cache(view: Callable) -> Callable:
    @functools.wraps(view)
    def answered(*args, **kwargs):
        if not _shareable():
            return _private(make_response(view(*args, **kwargs)))
        network_id = g.network.id
        version = caching.version(network_id)
        if version is None:  # no Redis: render, and say nothing that could not be kept
            response = make_response(view(*args, **kwargs))
            response.vary.update(VARY)
            return response
        now = time.time()
        step = int(now // STEP_SECONDS)
        tag = _tag(network_id, version, step)
        last_modified = _last_modified(version, step, now)
        if _sent_back(tag):  # only a 200 of this very answer gave the tag out: no body needed
            return _validated(Response(status=304), tag, last_modified)
        response = _kept_answer(network_id, tag)
        if response is None:
            rendering = f"public-rendering:{network_id}:{tag}"
            if not caching.claim(rendering, RENDER_SECONDS):
                earlier = _while_rendered(network_id, version, step, now)
                if earlier is not None:
                    return earlier
            try:
                response, shared = _rendered(view, args, kwargs, f"public:{network_id}:{tag}")
            finally:
                caching.release(rendering)
            if not shared:  # an error, or private after all: answered as the route answered
                return response
        if not_modified(tag, last_modified):  # `*` and dates: now that the answer is a 200
            response = Response(status=304)
        return _validated(response, tag, last_modified)

    return answered


def _last_modified(version: int, step: int, now: float) -> datetime:
    return min(
        max(caching.version_time(version), datetime.fromtimestamp(step * STEP_SECONDS, UTC)),
        datetime.fromtimestamp(int(now), UTC),
    )


def _rendered(view: Callable, args, kwargs, key: str) -> tuple[Response, bool]:
    """The view's answer and whether it is the same for everyone: a 200 whose body is then kept
    under `key`. An answer that touched the session is marked private."""
    response = make_response(view(*args, **kwargs))
    if response.status_code != 200 or response.is_streamed or session.modified:
        if session.modified:
            _private(response)
        return response, False
    headers = [(h, response.headers[h]) for h in KEPT_HEADERS if h in response.headers]
    caching.keep(key, (response.get_data(), headers))
    return response, True


def _while_rendered(network_id: int, version: int, step: int, now: float) -> Response | None:
    """While another request works out this step's answer, the previous step's answer of the
    same data version, if it was kept: at a step's start every public answer is worked out again
    (a network's whole agenda feed takes seconds at scale), and without this every request that
    arrives meanwhile would work it out too and hold a worker as long. It lags the clock by one
    step more; the data it shows is the current data."""
    earlier_tag = _tag(network_id, version, step - 1)
    response = _kept_answer(network_id, earlier_tag)
    if response is None:
        return None
    last_modified = _last_modified(version, step - 1, now)
    if not_modified(earlier_tag, last_modified):
        response = Response(status=304)
    return _validated(response, earlier_tag, last_modified)


def _kept_answer(network_id: int, tag: str) -> Response | None:
    """The 200 kept under this tag, if there is one."""
    kept = caching.read(f"public:{network_id}:{tag}")
    if isinstance(kept, tuple) and len(kept) == 2:
        return Response(kept[0], status=200, headers=kept[1])
    return None


def _sent_back(tag: str) -> bool:
    """The client sent this tag itself (not just `*`) in If-None-Match."""
    if "If-None-Match" not in request.headers:
        return False
    wanted = request.if_none_match
    return not wanted.star_tag and wanted.contains_weak(tag)


def _validated(response: Response, tag: str, last_modified: datetime) -> Response:
    response.set_etag(tag)
    response.last_modified = last_modified
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response.vary.update(VARY)
    return response
