"""Helpers for the browser tests: Debian's Chromium, a live server, axe-core, the mail folder.

No internet here: Playwright must never download a browser, so every launch points at
/usr/bin/chromium. The app is served from a background thread on a free loopback port.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from email import policy
from email.parser import BytesParser
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The interface is Dutch first; a Flemish browser asks for nl-BE.
BROWSER_LOCALE = "nl-BE"
SERIOUS = {"serious", "critical"}


def chromium_missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"playwright / axe-playwright-python are not installed: {exc}"
    return None


def require_chromium() -> None:
    """Called at the top of a browser test module: skip it when Chromium cannot run here, or
    fail at once when DORP_REQUIRE_BROWSER=1 (CI must run the journeys, not skip them)."""
    import pytest

    missing = chromium_missing_reason()
    if missing is None:
        return
    if os.environ.get("DORP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"DORP_REQUIRE_BROWSER=1 but {missing}", pytrace=False)
    pytest.skip(missing, allow_module_level=True)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):  # keep pytest's output readable
        pass


class LiveServer:
    """`with LiveServer(app) as url:` serves the app on http://127.0.0.1:<free port>.

    127.0.0.1 is a "potentially trustworthy" origin, so Chromium keeps the app's Secure
    session cookie over plain http: no cookie overrides are needed.
    """

    def __init__(self, app, host: str = "127.0.0.1"):
        self.server = make_server(host, 0, app, threaded=True, request_handler=_QuietHandler)
        self.url = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return self.url

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def translator(app, locale: str = "nl") -> Callable[..., str]:
    """The text the interface shows for a msgid, whether or not a catalogue is compiled."""
    from flask_babel import force_locale, gettext

    def t(msgid: str, **variables) -> str:
        with app.test_request_context(), force_locale(locale):
            return gettext(msgid, **variables)

    return t


def invitation_link(mail_dir: Path, to: str, base_url: str, live_url: str) -> str:
    """The invitation link in the newest e-mail to `to`, pointed at the live server."""
    files = sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else []
    for path in reversed(files):
        with path.open("rb") as fh:
            message = BytesParser(policy=policy.default).parse(fh)
        if to.lower() not in str(message["To"]).lower():
            continue
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body else ""
        match = re.search(re.escape(base_url) + r"(/\S+/invitation/\S+)", text)
        assert match, f"no invitation link in {path.name}:\n{text}"
        return live_url + match.group(1)
    raise AssertionError(
        f"no e-mail to {to} in {mail_dir}: {[p.name for p in files]} (did run_jobs() run?)"
    )


class AxeAudit:
    """Runs axe-core on each page it is shown and keeps the serious and critical findings."""

    def __init__(self):
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.pages: list[str] = []
        self.problems: list[str] = []
        self.lesser: list[str] = []  # moderate and minor findings: reported, not failed

    def check(self, page, name: str) -> None:
        results = self.axe.run(page)
        assert results.response.get("passes"), f"axe-core checked nothing on {page.url}"
        self.pages.append(name)
        for violation in results.response.get("violations", []):
            targets = "; ".join(
                " ".join(map(str, node.get("target", []))) for node in violation.get("nodes", [])
            )
            finding = (
                f"[{name}] {page.url}\n    {violation['id']} ({violation.get('impact')}):"
                f" {violation.get('help', '')}\n    nodes: {targets}"
            )
            (self.problems if violation.get("impact") in SERIOUS else self.lesser).append(finding)

    def report(self) -> str:
        return (
            f"axe-core found serious/critical violations on {len(self.pages)} pages checked:\n  "
            + "\n  ".join(self.problems)
        )
