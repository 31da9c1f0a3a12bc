"""Absolute links for e-mails, built the same way in a request, a CLI command or a worker."""

from __future__ import annotations

from flask import current_app


def absolute_url(endpoint: str, **values) -> str:
    adapter = current_app.url_map.bind("dorp.invalid", url_scheme="https")
    path = adapter.build(endpoint, values, force_external=False)
    return current_app.config["BASE_URL"] + path
