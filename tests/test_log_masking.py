"""No live key in the logs: reset, invitation, sign-up and calendar-feed links carry their key in
the URL, and neither gunicorn's access log nor the development server's request log may keep it."""

from __future__ import annotations

import logging
import runpy
import threading
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
import requests
from gunicorn.config import Config
from werkzeug.serving import make_server

from saas.app.devserver import MaskingRequestHandler
from saas.gunicorn_logger import MaskingLogger
from saas.logmask import HIDDEN, mask
from tenants.models import Role
from tests import factories as f
from tests.mail import links_in_mailbox
from tests.world import build_network

ROOT = Path(__file__).resolve().parent.parent
SECRET = "Sec4et-key_0123456789.abcdefXYZ"


def _gunicorn_logger(log_file: Path, access_log_format: str | None = None) -> MaskingLogger:
    """The logger gunicorn would build from infra/gunicorn.conf.py, writing to a file."""
    settings = runpy.run_path(str(ROOT / "infra" / "gunicorn.conf.py"))
    cfg = Config()
    cfg.set("logger_class", settings["logger_class"])
    cfg.set("access_log_format", access_log_format or settings["access_log_format"])
    cfg.set("accesslog", str(log_file))
    assert cfg.logger_class is MaskingLogger
    return cfg.logger_class(cfg)


def _close(logger: MaskingLogger) -> None:
    for handler in list(logger.access_log.handlers):
        handler.close()
        logger.access_log.removeHandler(handler)


# --- the masking itself --------------------------------------------------------------------------


def test_every_route_with_a_key_in_its_url_is_masked(app):
    adapter = app.url_map.bind("localhost")

    def is_key(argument: str) -> bool:
        return argument == "token" or argument.endswith("_token")

    keyed = [rule for rule in app.url_map.iter_rules() if any(map(is_key, rule.arguments))]
    assert {rule.endpoint for rule in keyed} >= {
        "auth.reset_password",
        "auth.accept_invitation",
        "billing.confirm_signup",
        "social_economy.roster_feed",
    }
    for rule in keyed:
        values = {arg: SECRET if is_key(arg) else "genk" for arg in rule.arguments}
        url = adapter.build(rule.endpoint, values)
        assert SECRET in url
        for logged in (url, f"/auth/login?next={quote(url, safe='')}", f"/auth/login?next={url}"):
            assert SECRET not in mask(logged), (rule.endpoint, logged)
            assert HIDDEN in mask(logged)


def test_secret_query_parameters_are_masked_and_ordinary_ones_kept():
    assert mask(f"/x?token={SECRET}&page=2") == f"/x?token={HIDDEN}&page=2"
    assert mask(f"/x?page=2&Key={SECRET}") == f"/x?page=2&Key={HIDDEN}"
    assert mask("/genk/catalogue/?age=3&day=mo") == "/genk/catalogue/?age=3&day=mo"
    assert mask("/genk/referrals/12") == "/genk/referrals/12"


def test_the_gunicorn_logger_masks_every_atom_whatever_the_format(tmp_path):
    log_file = tmp_path / "access.log"
    logger = _gunicorn_logger(
        log_file, '%(h)s "%(r)s" %(U)s %(q)s "%(f)s" "%({referer}i)s" %({raw_uri}e)s %(s)s'
    )
    try:
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": f"/auth/reset/{SECRET}?token={SECRET}",
            "PATH_INFO": f"/auth/reset/{SECRET}",
            "QUERY_STRING": f"token={SECRET}",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "192.0.2.7",
            "HTTP_REFERER": f"https://dorp.example/genk/invitation/{SECRET}",
        }
        response = SimpleNamespace(status="200 OK", headers=[("Content-Type", "text/html")], sent=9)
        request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
        logger.access(response, request, environ, timedelta(milliseconds=4))
    finally:
        _close(logger)
    line = log_file.read_text()
    assert "192.0.2.7" in line and "/auth/reset/" in line and "/genk/invitation/" in line
    assert SECRET not in line
    assert line.count(HIDDEN) >= 6


# --- a whole journey through real servers --------------------------------------------------------


class GunicornAccessLog:
    """WSGI middleware that logs each request as a gunicorn worker does: the logger's `access`
    with the request's environ once the response is sent."""

    def __init__(self, app, logger: MaskingLogger):
        self.app, self.logger = app, logger

    def __call__(self, environ, start_response):
        started = time.monotonic()
        sent = {}

        def start(status, headers, exc_info=None):
            sent.update(status=status, headers=headers)
            return start_response(status, headers, exc_info)

        body = b"".join(self.app(environ, start))
        headers = [(k[5:].replace("_", "-"), v) for k, v in environ.items() if k[:5] == "HTTP_"]
        self.logger.access(
            SimpleNamespace(status=sent["status"], headers=sent["headers"], sent=len(body)),
            SimpleNamespace(headers=headers),
            environ,  # the development server sets RAW_URI as gunicorn does
            timedelta(seconds=time.monotonic() - started),
        )
        return [body]


@pytest.fixture
def served(app, tmp_path, caplog):
    """The app behind the development server's handler and a gunicorn access log."""
    caplog.set_level(logging.INFO, logger="werkzeug")
    logger = _gunicorn_logger(tmp_path / "access.log")
    server = make_server(
        "127.0.0.1",
        0,
        GunicornAccessLog(app.wsgi_app, logger),
        threaded=True,
        request_handler=MaskingRequestHandler,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", tmp_path / "access.log"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        _close(logger)


def test_a_reset_an_invitation_a_sign_up_and_a_feed_leave_no_key_in_any_log(
    app, served, caplog, run_jobs, environ
):
    url, access_log = served
    beringen = build_network(app, "beringen")
    steward = f.user(app, "regie@beringen.example", (beringen.network, Role.STEWARD))
    http = requests.Session()

    def go(method: str, path: str, **kwargs) -> requests.Response:
        return http.request(method, url + path, allow_redirects=False, timeout=30, **kwargs)

    assert go("POST", "/auth/forgot", data={"email": steward.email}).status_code == 302
    assert go("POST", "/start", data=SIGN_UP).status_code == 302
    run_jobs()
    [reset] = links_in_mailbox(environ, steward.email, "/auth/reset/")
    [confirm] = links_in_mailbox(environ, SIGN_UP["email"], "/start/confirm/")
    reset, confirm = (link.replace("http://localhost", "") for link in (reset, confirm))
    invitation = f"/beringen/invitation/{beringen.invitation_token}"
    feed = f"/beringen/team/feed/{beringen.feed_token}.ics"

    assert go("GET", reset).status_code == 200
    new_password = {"password": "a new password 1", "confirm": "a new password 1"}
    assert go("POST", reset, data=new_password).status_code == 302
    assert go("GET", f"/auth/login?next={invitation}", headers={"Referer": url + reset})
    assert go("GET", invitation).status_code == 200
    joined = go("POST", invitation, data={"name": "Nieuw", "language": "nl", **new_password})
    assert joined.status_code == 302
    assert go("GET", feed).status_code == 200
    assert go("GET", confirm).status_code == 200

    keys = [
        reset.rsplit("/", 1)[1],
        beringen.invitation_token,
        beringen.feed_token,
        confirm.rsplit("/", 1)[1],
    ]
    logs = {"development server": caplog.text, "gunicorn access log": access_log.read_text()}
    for name, text in logs.items():
        assert f"/auth/reset/{HIDDEN}" in text, name  # the requests were logged, masked
        assert f"/beringen/team/feed/{HIDDEN}" in text, name
        for key in keys:
            assert key not in text, (name, key)


SIGN_UP = {
    "network_name": "Huis van het Kind Genk",
    "slug": "genk",
    "municipality": "Genk",
    "contact_name": "An Peeters",
    "email": "an.peeters@genk.example",
    "language": "nl",
}
