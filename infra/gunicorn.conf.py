"""gunicorn settings for Dorp's web processes (stateless: scale by adding processes or hosts)."""

import multiprocessing
import os
import tempfile
from pathlib import Path

bind = f"0.0.0.0:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("WEB_THREADS", "2"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
# Paths only, and even those masked: reset, invitation, sign-up and calendar-feed links carry
# their key in the path (saas.logmask; the logger masks every atom, whatever the format).
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
logger_class = "saas.gunicorn_logger.MaskingLogger"

# DORP_LOG_FORMAT=json (production's default): the app writes one JSON line per request, with its
# request id, endpoint, status and duration (saas.operations.logs), so gunicorn's access line
# would only repeat it as text and is dropped; gunicorn's own messages (start, stop, worker
# timeouts) are JSON. The root logger is left to the app, which gives it its one handler.
_default_format = "json" if os.environ.get("DORP_ENV") == "production" else "text"
if (os.environ.get("DORP_LOG_FORMAT") or _default_format).strip().lower() == "json":
    accesslog = None
    logconfig_dict = {
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["null"], "propagate": False},
        },
        "formatters": {"json": {"()": "saas.operations.logs.MaskedJsonFormatter"}},
        "handlers": {
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
            "null": {"class": "logging.NullHandler"},
        },
    }

# Prometheus (saas.operations.metrics): each worker process counts its requests in files under
# PROMETHEUS_MULTIPROC_DIR, and /metrics adds them up. The folder is made when not given, emptied
# when gunicorn starts (figures of an earlier run would count twice), and a finished worker's
# gauges are dropped. Set in the master before any worker starts (and imports prometheus_client).


def on_starting(server):
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="dorp-metrics-"))
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
