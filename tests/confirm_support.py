"""Going through the confirmation step of an irreversible action (blueprints/confirm.py)."""

from __future__ import annotations

import re

TOKEN = re.compile(r'name="confirm_token" value="([^"]+)"')
CARRIED = re.compile(
    r'<input type="hidden" name="(?!csrf_token|confirm_token)([^"]+)" value="([^"]*)">'
)


def token_on(page: str) -> str:
    found = TOKEN.search(page)
    assert found, "no confirmation form on the page"
    return found.group(1)


def ask(client, url: str, data: dict | None = None):
    """The first step: the action's button posted without a confirmation."""
    return client.post(url, data=data or {})


def confirmed(client, url: str, data: dict | None = None):
    """Post to the action, then confirm on the page it shows: the response of the second step."""
    first = ask(client, url, data)
    if first.status_code != 200 or b"confirm_token" not in first.data:
        return first
    page = first.get_data(as_text=True)
    carried: dict[str, list[str]] = {}
    for name, value in CARRIED.findall(page):
        carried.setdefault(name, []).append(_unescape(value))
    return client.post(url, data={**carried, "confirm_token": token_on(page)})


def _unescape(value: str) -> str:
    return (
        value.replace("&#34;", '"')
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )
