"""Fixtures shared by the browser journeys: import them after the module's Chromium skip check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.browser_support import BROWSER_LOCALE, CHROMIUM, LAUNCH_ARGS, LiveServer, translator

TIMEOUT_MS = 10_000
PHONE = {"width": 390, "height": 844}


@dataclass
class Live:
    app: object
    url: str
    t: Callable[..., str]


@pytest.fixture(scope="session")
def browser():
    """One Chromium per test process; every page gets a fresh context (its own cookies)."""
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live(app, make_app):
    """The app with CSRF on, served on a free loopback port (same database and Redis)."""
    web = make_app({"WTF_CSRF_ENABLED": True})
    with LiveServer(web) as url:
        yield Live(app=web, url=url, t=translator(web))


@pytest.fixture
def new_page(browser):
    """new_page(**context_options): a page in a fresh Flemish context (its own cookies).

    Every stylesheet, script or image that fails to load fails the test afterwards.
    """
    contexts, broken = [], []

    def on_response(response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            broken.append(f"{response.status} {response.url}")

    def on_failed(request) -> None:
        # A request the page itself abandoned (it navigated on while a stylesheet was still
        # loading) is not a broken resource: a missing file answers 4xx, caught above.
        if "ERR_ABORTED" not in (request.failure or ""):
            broken.append(f"failed {request.url} ({request.failure})")

    def open_page(**options) -> Page:
        context = browser.new_context(locale=BROWSER_LOCALE, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("response", on_response)
        context.on("requestfailed", on_failed)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    assert not broken, f"resources that did not load: {broken}"
