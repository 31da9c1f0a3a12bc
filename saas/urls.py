"""Links: absolute ones for e-mails, and one link per row of a long list at the cost of one."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, url_for

MAX_ID = 2**31 - 1  # ids fit a 32-bit column: the largest a route accepts (saas.BoundedInt)
_STAND_IN = MAX_ID  # in url_for_each, the id the real ones replace


def absolute_url(endpoint: str, **values) -> str:
    adapter = current_app.url_map.bind("dorp.invalid", url_scheme="https")
    path = adapter.build(endpoint, values, force_external=False)
    return current_app.config["BASE_URL"] + path


def url_for_each(endpoint: str, key: str, **values) -> Callable[[int], str]:
    """`url_for(endpoint, key=n, **values)` as a function of the integer n, built once.

    A list page links each of its rows to the same route with another id; building the URL
    through the router for every row costs more than the rest of the row. The URL is built once
    with a stand-in id, and each call puts the row's id in its place. Where the stand-in's
    digits would be ambiguous (they appear twice), every call goes through `url_for`.
    """
    url = url_for(endpoint, **{key: _STAND_IN}, **values)
    marker = str(_STAND_IN)
    if url.count(marker) != 1:
        return lambda n: url_for(endpoint, **{key: n}, **values)
    head, _, tail = url.partition(marker)

    def link(n: int) -> str:
        return f"{head}{int(n)}{tail}"

    return link
