"""Operators read one JSON line per request and per job: what happened, where, to whom (by id),
how long it took, and under which request id, but never a person's e-mail address or a family's
data."""

from __future__ import annotations

import io
import json
import logging
import re
import runpy
from datetime import timedelta

import pytest

from saas.config import ConfigError, load_settings
from saas.logmask import HIDDEN
from saas.operations.logs import MaskedJsonFormatter, RequestContext
from tenants.models import Role
from tests import factories as f
from tests.test_referrals import FAMILY, cast, client_of, refer, the_referral  # noqa: F401

E_MAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


class JsonLines:
    """What the production handler writes, read back line by line."""

    def __init__(self, stream: io.StringIO):
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def of(self, logger: str) -> list[dict]:
        return [r for r in self.records() if r["logger"] == logger]


@pytest.fixture
def json_log(app):
    """The root logger at production's level with a JSON handler built like the app's."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(MaskedJsonFormatter())
    handler.addFilter(RequestContext())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield JsonLines(stream)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_a_request_has_one_line_with_its_id_and_the_response_returns_that_id(app, json_log):
    net = f.network(app, "beringen")
    steward = f.user(app, "regie@beringen.example", (net, Role.STEWARD), name="Els Regie")
    client = app.test_client()
    f.login(client, steward)

    page = client.get("/beringen/network/partners")
    request_id = page.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    [line] = [r for r in json_log.of("dorp.request") if r["request_id"] == request_id]
    assert line["level"] == "INFO"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
    assert line["network"] == "beringen"
    assert line["endpoint"] == "network.partners_list"
    assert line["status"] == page.status_code == 200
    assert line["method"] == "GET"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    with app.app_context():
        from saas.accounts.services import find_user

        assert line["user_id"] == find_user("regie@beringen.example").id
    assert "regie@beringen.example" not in json_log.text and "Els Regie" not in json_log.text


def test_a_request_id_from_the_proxy_is_kept_and_a_strange_one_replaced(app, json_log):
    given = client_get(app, "/healthz", {"X-Request-ID": "lb-7f3a:0042"})
    assert given.headers["X-Request-ID"] == "lb-7f3a:0042"
    strange = client_get(app, "/healthz", {"X-Request-ID": "x" * 65})
    assert re.fullmatch(r"[0-9a-f]{32}", strange.headers["X-Request-ID"])
    injected = client_get(app, "/healthz", {"X-Request-ID": 'a", "level": "ERROR'})
    assert re.fullmatch(r"[0-9a-f]{32}", injected.headers["X-Request-ID"])
    ids = [line["request_id"] for line in json_log.of("dorp.request")]
    assert ids == [
        "lb-7f3a:0042",
        strange.headers["X-Request-ID"],
        injected.headers["X-Request-ID"],
    ]


def test_an_unknown_network_is_logged_with_its_id_and_status(app, json_log):
    missing = client_get(app, "/nergens/catalogue/", {})
    assert missing.status_code == 404
    [line] = json_log.of("dorp.request")
    assert line["request_id"] == missing.headers["X-Request-ID"]
    assert line["status"] == 404 and "network" not in line


def test_a_key_in_a_json_line_is_masked_like_in_the_text_logs(app, json_log):
    secret = "Sec4et-key_0123456789.abcdefXYZ"
    logging.getLogger("dorp.test").warning(
        "could not open %s", f"/auth/reset/{secret}", extra={"path": f"/x?token={secret}"}
    )
    [line] = json_log.of("dorp.test")
    assert secret not in json_log.text
    assert line["message"] == f"could not open /auth/reset/{HIDDEN}"
    assert line["path"] == f"/x?token={HIDDEN}"


def test_the_referral_journey_logs_ids_never_an_e_mail_address_or_a_family_field(
    app,
    cast,  # noqa: F811
    run_jobs,
    json_log,
    caplog,
):
    caplog.set_level(logging.DEBUG)  # every record any logger makes, before any formatting
    sender = client_of(app, cast["people"]["sender"])
    receiver = client_of(app, cast["people"]["receiver"])
    assert refer(sender, cast).status_code == 302
    referral = the_referral(app, cast)
    url = f"/beringen/referrals/{referral.id}"
    assert receiver.get(url).status_code == 200
    assert receiver.post(url + "/move", data={"action": "accept"}).status_code == 302
    message = "We bellen haar maandag op 0470 12 34 56."
    assert receiver.post(url + "/message", data={"body": message}).status_code == 302
    assert receiver.post(url + "/move", data={"action": "start"}).status_code == 302
    assert receiver.post(url + "/complete", data={"outcome": "helped"}).status_code == 302
    run_jobs()

    requests = json_log.of("dorp.request")
    assert len(requests) >= 8  # the logins, the referral and each step
    steps = [r for r in requests if r.get("endpoint", "").startswith("referrals.")]
    assert {r["network"] for r in steps} == {"beringen"}
    assert all(isinstance(r["user_id"], int) for r in steps)
    jobs = json_log.of("dorp.job")
    assert jobs, "the e-mail jobs ran and logged"
    assert all(j["job_id"] and j["queue"] == "notifications" for j in jobs)
    assert {j["outcome"] for j in jobs} == {"done"}

    family = [value for value in FAMILY.values() if isinstance(value, str) and len(value) > 3]
    family += ["Amir", "slaapproblemen", message, "0470"]
    names = ["An", "Cas", "Bo"]
    every_line = json_log.text + "\n" + "\n".join(r.getMessage() for r in caplog.records)
    assert not E_MAIL.search(every_line), E_MAIL.search(every_line).group(0)
    for value in family:
        assert value not in every_line, value
    for record in json_log.records():
        assert not {"name", "email", "family_label"} & set(record), record
        assert record.get("user_id") is None or isinstance(record["user_id"], int)
        assert record["message"].split(" ")[0] not in names


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"DORP_ENV": "development"}, "text"),
        ({"DORP_ENV": "testing"}, "text"),
        ({"DORP_ENV": "development", "DORP_LOG_FORMAT": "JSON"}, "json"),
    ],
)
def test_readable_text_stays_the_default_on_a_laptop(tmp_path, environ, expected):
    settings = load_settings({**environ, "DORP_INSTANCE_PATH": str(tmp_path)})
    assert settings.as_flask_config()["DORP_LOG_FORMAT"] == expected


def test_production_logs_json_and_a_wrong_format_is_refused(tmp_path):
    production = {
        "DORP_ENV": "production",
        "SECRET_KEY": "k" * 40,
        "DATABASE_URL": "postgresql://dorp@db/dorp",
        "REDIS_URL": "redis://redis:6379/0",
        "MAIL_URL": "smtp://mail:25",
        "BASE_URL": "https://dorp.example",
        "DORP_INSTANCE_PATH": str(tmp_path),
    }
    assert load_settings(production).log_format == "json"
    with pytest.raises(ConfigError, match="DORP_LOG_FORMAT must be json or text"):
        load_settings({**production, "DORP_LOG_FORMAT": "xml"})


def client_get(app, path: str, headers: dict):
    return app.test_client().get(path, headers=headers)


@pytest.fixture
def logging_kept():
    """gunicorn configures logging for the whole process: put it back afterwards."""
    loggers = [logging.getLogger(name) for name in ("", "gunicorn.error", "gunicorn.access")]
    kept = [(lg, list(lg.handlers), lg.level, lg.propagate) for lg in loggers]
    yield
    for logger, handlers, level, propagate in kept:
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


def test_gunicorn_writes_json_and_leaves_the_request_line_to_the_app(
    monkeypatch, capsys, logging_kept
):
    from types import SimpleNamespace

    from gunicorn.config import Config

    from tests.test_log_masking import ROOT

    monkeypatch.setenv("DORP_ENV", "production")
    monkeypatch.delenv("DORP_LOG_FORMAT", raising=False)
    settings = runpy.run_path(str(ROOT / "infra" / "gunicorn.conf.py"))
    assert settings["accesslog"] is None
    cfg = Config()
    for name in ("logger_class", "logconfig_dict", "accesslog"):
        cfg.set(name, settings[name])
    logger = cfg.logger_class(cfg)
    logger.error("Worker (pid:%s) was sent SIGKILL! Perhaps out of memory?", 4242)
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["level"] == "ERROR" and line["logger"] == "gunicorn.error"
    assert "4242" in line["message"]
    response = SimpleNamespace(status="200 OK", headers=[], sent=2)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/", "SERVER_PROTOCOL": "HTTP/1.1"}
    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=3))
    assert capsys.readouterr() == ("", "")  # the app's line is the request's only line

    monkeypatch.setenv("DORP_LOG_FORMAT", "text")
    text = runpy.run_path(str(ROOT / "infra" / "gunicorn.conf.py"))
    assert text["accesslog"] == "-" and "logconfig_dict" not in text


def test_an_e_mail_address_in_a_message_or_a_traceback_is_hidden_in_both_formats(app, json_log):
    from saas.logmask import mask
    from saas.operations.logs import TEXT_FORMAT

    assert mask("refused: {'an.peeters@genk.example': (550, b'no')}") == (
        f"refused: {{'{HIDDEN}': (550, b'no')}}"
    )
    assert mask("/auth/login?email=an%40genk.example") == f"/auth/login?email={HIDDEN}"
    stream = io.StringIO()
    text = logging.StreamHandler(stream)
    text.setFormatter(logging.Formatter(TEXT_FORMAT))
    from saas.logmask import MaskSecrets

    text.addFilter(MaskSecrets())
    logging.getLogger().addHandler(text)
    try:
        try:
            raise ValueError("recipient an.peeters@genk.example refused")
        except ValueError:
            logging.getLogger("dorp.test").exception("delivery of %s failed", "bo@genk.example")
    finally:
        logging.getLogger().removeHandler(text)
    [line] = json_log.of("dorp.test")
    for written in (json_log.text, stream.getvalue()):
        assert "genk.example" not in written
        assert "ValueError: recipient [hidden] refused" in written
    assert line["message"] == f"delivery of {HIDDEN} failed"


def test_a_write_the_database_drops_is_a_503_logged_without_the_family_or_a_second_error(
    app,
    cast,  # noqa: F811
    json_log,
    caplog,
):
    """The connection dies on the referral's INSERT (as when PostgreSQL restarts). The session
    then needs a rollback before anything loads; the error handler logs first, so the log's
    context must come from what is already in memory. The database error's own text names the
    statement but never its values."""
    from sqlalchemy import event

    from saas.extensions import db

    caplog.set_level(logging.WARNING)
    sender = client_of(app, cast["people"]["sender"])
    with app.app_context():
        engine = db.engine
        dbapi = engine.dialect.loaded_dbapi

    def drop(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO REFERRALS"):
            raise dbapi.OperationalError("server closed the connection unexpectedly")

    event.listen(engine, "before_cursor_execute", drop)
    try:
        response = refer(sender, cast)
    finally:
        event.remove(engine, "before_cursor_execute", drop)

    assert response.status_code == 503
    assert response.headers["Retry-After"]
    [line] = [r for r in json_log.records() if r["message"].startswith("database unavailable")]
    assert line["user_id"] == cast["people"]["sender"].id
    assert line["network"] == "beringen"
    every_line = json_log.text + "\n".join(r.getMessage() for r in caplog.records)
    for record in caplog.records:  # the driver's error as SQLAlchemy words it
        if record.exc_info:
            every_line += str(record.exc_info[1])
    assert "INSERT INTO referrals" in db_error_text(app)
    for value in ("Amir", "slaapproblemen", "Beringen-Mijn"):
        assert value not in every_line, value


def db_error_text(app) -> str:
    """A statement that fails in the database itself: its error names the statement only."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from saas.extensions import db

    with app.app_context():
        try:
            db.session.execute(
                text("INSERT INTO referrals (network_id, family_label) VALUES (:network, :label)"),
                {"network": 2_000_000_000, "label": "Mama van Amir"},
            )
        except DBAPIError as exc:  # a foreign key, or on PostgreSQL row-level security
            db.session.rollback()
            assert "Amir" not in str(exc)
            return str(exc)
    raise AssertionError("the insert should have failed")
