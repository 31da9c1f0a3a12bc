"""Links: absolute ones for e-mails, and one link per row of a long list at the cost of one."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from flask import current_app, request, url_for
from markupsafe import Markup

MAX_ID = 2**31 - 1  # ids fit a 32-bit column: the largest a route accepts (saas.BoundedInt)
_STAND_IN = MAX_ID  # in url_for_each, the id the real ones replace


def absolute_url(endpoint: str, **values) -> str:
    adapter = current_app.url_map.bind("dorp.invalid", url_scheme="https")
    path = adapter.build(endpoint, values, force_external=False)
    return current_app.config["BASE_URL"] + path


def url_for_each(endpoint: str, key: str, **values) -> Callable[[int | str], str]:
    """`url_for(endpoint, key=v, **values)` as a function of v, built once.

    A list page links each of its rows (or each of its filters) to the same route with another
    id or value; building the URL through the router every time costs more than the rest of
    the row. The URL is built once with a stand-in, and each call puts the real one in its
    place: an int as its digits (a path's `<int:...>` or a query value), anything else as a
    query value, percent-encoded. Where the stand-in's digits would be ambiguous (they appear
    twice), every call goes through `url_for`.
    """
    url = url_for(endpoint, **values, **{key: _STAND_IN})
    marker = str(_STAND_IN)
    if url.count(marker) != 1:
        return lambda v: url_for(endpoint, **values, **{key: v})
    head, _, tail = url.partition(marker)

    def link(v: int | str) -> str:
        text = str(int(v)) if isinstance(v, int) else quote(str(v), safe="")
        return f"{head}{text}{tail}"

    return link


def stylesheets() -> Markup:
    """The layout's stylesheet links, Bootstrap's (Bootstrap-Flask's `load_css`) and ours: the
    same on every page the app serves under one script root, so built once for it rather than
    on every page (each is a URL build, and Bootstrap-Flask's also an integrity lookup)."""
    built = current_app.extensions.setdefault("dorp_stylesheets", {})
    links = built.get(request.script_root)
    if links is None:
        bootstrap = current_app.extensions["bootstrap"]
        ours = url_for("static", filename="dorp.css")
        links = built[request.script_root] = Markup(
            '{}\n  <link rel="stylesheet" href="{}">'
        ).format(bootstrap.load_css(), ours)
    return links
