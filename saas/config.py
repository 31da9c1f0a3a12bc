"""Settings from the environment: typed, with embedded defaults for a laptop, failing fast in production.

Every setting has one source: an environment variable of the same name. `load_settings()` turns
them into a flat mapping for `app.config`; `validate()` refuses to start a production app whose
settings are missing or unsafe, listing every problem at once.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from limits import parse_many

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = ROOT / "instance"
EMBEDDED_REDIS_PORT = 6380
# Plans by network size and billing intervals; each pair has a Stripe price id
# (STRIPE_PRICE_<PLAN>_<INTERVAL>, e.g. STRIPE_PRICE_SMALL_MONTHLY).
STRIPE_PLANS = ("small", "medium", "unlimited")
STRIPE_INTERVALS = ("monthly", "yearly")
# Rate limits (the `limits` notation, e.g. "5 per 15 minutes"; several with ";") and defaults.
RATE_LIMITS = {
    "LOGIN_RATE_LIMIT": "10 per minute",
    "LOGIN_ACCOUNT_RATE_LIMIT": "5 per 15 minutes",
    "LOGIN_ADDRESS_RATE_LIMIT": "50 per 15 minutes",
    "SIGNUP_RECIPIENT_RATE_LIMIT": "3 per day",
    "API_RATE_LIMIT": "300 per minute",
}
LOG_FORMATS = ("json", "text")  # DORP_LOG_FORMAT: one JSON object a line, or readable text


class ConfigError(RuntimeError):
    """Raised when the environment does not describe a runnable Dorp."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, value: str | None, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from exc


def _rate_limit(name: str, value: str, problems: list[str]) -> str:
    try:
        parse_many(value)
    except ValueError:
        problems.append(f"{name} must be a rate limit such as '5 per 15 minutes', got {value!r}")
    return value


def _float(name: str, value: str | None, default: float) -> float:
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {value!r}") from exc
    if not number > 0 or number == float("inf"):
        raise ConfigError(f"{name} must be a positive number, got {value!r}")
    return number


def _dev_secret_key(instance: Path) -> str:
    """A per-laptop secret, kept under instance/ so sessions survive restarts."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@dataclass(frozen=True)
class Settings:
    env: str
    instance_path: Path
    secret_key: str
    database_url: str
    database_admin_url: str
    database_app_role: str
    redis_url: str
    redis_embedded: bool
    mail_url: str
    mail_from: str
    base_url: str
    port: int
    stripe_secret_key: str = ""
    stripe_publishable_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_api_base: str = ""
    stripe_prices: dict[str, str] = field(default_factory=dict)
    force_https: bool = False
    # requests per address on "forgot password" and "start a network"
    login_rate_limit: str = "10 per minute"
    # FAILED sign-ins only: per account (a keyed hash of the address), and per client address
    # (a school or office behind one address holds tens of people who sign in every day)
    login_account_rate_limit: str = "5 per 15 minutes"
    login_address_rate_limit: str = "50 per 15 minutes"
    security_event_days: int = 400
    # offboarding: days between closing a network and deleting its rows; an export link's life
    network_deletion_grace_days: int = 30
    export_link_days: int = 7
    signup_recipient_rate_limit: str = "3 per day"
    api_rate_limit: str = "300 per minute"
    health_cache_seconds: int = 600
    # Measured with bench/roster.py on a 2-core machine: 8 CP-SAT search workers prove the S and
    # M instances optimal far sooner than the default on 2 cores (README, Roster benchmark).
    roster_search_workers: int = 8
    roster_time_limit: float = 30.0
    log_format: str = "text"
    metrics_token: str = ""
    # the platform admin needs a second factor; only a laptop's demo may turn it off
    two_factor_for_admin: bool = True
    # WebAuthn: the relying party's id (a domain) and the origin browsers report
    webauthn_rp_id: str = "127.0.0.1"
    webauthn_origin: str = "http://127.0.0.1:5000"
    problems: list[str] = field(default_factory=list)

    @property
    def debug(self) -> bool:
        return self.env == "development"

    @property
    def billing_enabled(self) -> bool:
        return bool(self.stripe_secret_key)

    def as_flask_config(self) -> dict:
        secure = self.env != "development"
        return {
            "DORP_ENV": self.env,
            "DEBUG": self.debug,
            "TESTING": self.env == "testing",
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            # hide_parameters: a database error's text (in a log, a job's failure) never quotes the
            # values, which may be a family's details
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
            "DATABASE_ADMIN_URL": self.database_admin_url,
            "DATABASE_APP_ROLE": self.database_app_role,
            "REDIS_URL": self.redis_url,
            "REDIS_EMBEDDED": self.redis_embedded,
            "RATELIMIT_STORAGE_URI": self.redis_url,
            "RATELIMIT_KEY_PREFIX": "dorp-limits",
            "RATELIMIT_HEADERS_ENABLED": True,
            "LOGIN_RATE_LIMIT": self.login_rate_limit,
            "LOGIN_ACCOUNT_RATE_LIMIT": self.login_account_rate_limit,
            "LOGIN_ADDRESS_RATE_LIMIT": self.login_address_rate_limit,
            "SECURITY_EVENT_DAYS": self.security_event_days,
            "NETWORK_DELETION_GRACE_DAYS": self.network_deletion_grace_days,
            "EXPORT_LINK_DAYS": self.export_link_days,
            "SIGNUP_RECIPIENT_RATE_LIMIT": self.signup_recipient_rate_limit,
            "API_RATE_LIMIT": self.api_rate_limit,
            # Flask-Caching on the same Redis: the network health figures (saas.insights.cache).
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": self.redis_url,
            "CACHE_KEY_PREFIX": "dorp-cache:",
            "CACHE_DEFAULT_TIMEOUT": 300,  # each use sets its own; 0 would mean "never expires"
            "CACHE_OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
            "HEALTH_CACHE_SECONDS": self.health_cache_seconds,
            "DORP_ROSTER_SEARCH_WORKERS": self.roster_search_workers,
            "DORP_ROSTER_TIME_LIMIT": self.roster_time_limit,
            "DORP_LOG_FORMAT": self.log_format,
            "METRICS_TOKEN": self.metrics_token,
            "TWO_FACTOR_FOR_ADMIN": self.two_factor_for_admin,
            # the password step waits this long for the second one
            "TWO_FACTOR_STEP_SECONDS": 300,
            "WEBAUTHN_RP_ID": self.webauthn_rp_id,
            "WEBAUTHN_ORIGIN": self.webauthn_origin,
            "MAIL_URL": self.mail_url,
            "MAIL_FROM": self.mail_from,
            "BASE_URL": self.base_url.rstrip("/"),
            "PORT": self.port,
            "STRIPE_SECRET_KEY": self.stripe_secret_key,
            "STRIPE_PUBLISHABLE_KEY": self.stripe_publishable_key,
            "STRIPE_WEBHOOK_SECRET": self.stripe_webhook_secret,
            "STRIPE_API_BASE": self.stripe_api_base,
            "STRIPE_PRICES": dict(self.stripe_prices),
            "BILLING_TRIAL_DAYS": 30,
            "BILLING_ENABLED": self.billing_enabled,
            "FORCE_HTTPS": self.force_https,
            "SESSION_COOKIE_SECURE": secure,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_NAME": "dorp_session",
            "REMEMBER_COOKIE_SECURE": secure,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
            "INVITATION_MAX_AGE": 7 * 24 * 3600,
            "PASSWORD_RESET_MAX_AGE": 2 * 3600,
            "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
            "WTF_CSRF_TIME_LIMIT": None,
            "BABEL_DEFAULT_LOCALE": "nl",
            "BABEL_DEFAULT_TIMEZONE": "Europe/Brussels",
            "BOOTSTRAP_SERVE_LOCAL": True,
            "LANGUAGES": ["nl", "en"],  # the staff interface
            "PUBLIC_LANGUAGES": ["nl", "en", "fr", "tr", "ar"],  # the families' pages
            # Argon2id; RFC 9106's second recommended option, lowered only under tests.
            "ARGON2_TIME_COST": 3,
            "ARGON2_MEMORY_COST": 64 * 1024,
            "DEV_INBOX": self.mail_url.startswith("file://") and self.env != "production",
        }


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    mode = env.get("DORP_ENV", "development").strip().lower()
    if mode not in {"development", "production", "testing"}:
        raise ConfigError(f"DORP_ENV must be development, production or testing, not {mode!r}")
    instance = Path(env.get("DORP_INSTANCE_PATH") or DEFAULT_INSTANCE).resolve()
    port = _int("PORT", env.get("PORT"), 5000)

    problems: list[str] = []
    secret = env.get("SECRET_KEY", "")
    if not secret:
        if mode == "production":
            problems.append("SECRET_KEY is required (at least 32 random characters)")
        else:
            secret = _dev_secret_key(instance)
    elif mode == "production" and len(secret) < 32:
        problems.append("SECRET_KEY must be at least 32 characters long")

    database_url = env.get("DATABASE_URL", "")
    if not database_url:
        if mode == "production":
            problems.append("DATABASE_URL is required (postgresql+psycopg://user@host/db)")
        database_url = f"sqlite:///{instance / 'dorp.sqlite3'}"
    database_url = normalise_database_url(database_url)
    if mode == "production" and not database_url.startswith("postgresql"):
        problems.append("DATABASE_URL must point at PostgreSQL in production")
    admin_url = normalise_database_url(env.get("DATABASE_ADMIN_URL") or database_url)

    redis_url = env.get("REDIS_URL", "")
    embedded = not redis_url
    if embedded:
        if mode == "production":
            problems.append("REDIS_URL is required (redis://host:6379/0)")
        redis_url = f"redis://127.0.0.1:{_int('EMBEDDED_REDIS_PORT', env.get('EMBEDDED_REDIS_PORT'), EMBEDDED_REDIS_PORT)}/0"
    elif urlparse(redis_url).scheme not in {"redis", "rediss", "unix"}:
        problems.append("REDIS_URL must start with redis://, rediss:// or unix://")

    mail_url = env.get("MAIL_URL") or f"file://{instance / 'mail'}"
    scheme = urlparse(mail_url).scheme
    if scheme not in {"file", "smtp", "smtps"}:
        problems.append("MAIL_URL must start with file://, smtp:// or smtps://")
    if mode == "production" and scheme == "file":
        problems.append("MAIL_URL must be smtp:// or smtps:// in production")

    base_url = env.get("BASE_URL") or f"http://127.0.0.1:{port}"
    if mode == "production" and not env.get("BASE_URL"):
        problems.append(
            "BASE_URL is required (the public https:// address, used in e-mailed links)"
        )

    stripe_key = env.get("STRIPE_SECRET_KEY", "")
    stripe_webhook = env.get("STRIPE_WEBHOOK_SECRET", "")
    if stripe_key and not stripe_webhook:
        problems.append("STRIPE_WEBHOOK_SECRET is required when STRIPE_SECRET_KEY is set")
    stripe_prices = {
        f"{plan}_{interval}": env.get(f"STRIPE_PRICE_{plan.upper()}_{interval.upper()}", "").strip()
        for plan in STRIPE_PLANS
        for interval in STRIPE_INTERVALS
    }
    missing = [k for k, v in stripe_prices.items() if not v]
    if stripe_key and missing:
        problems.append(
            "with STRIPE_SECRET_KEY every plan needs its price ids: "
            + ", ".join(f"STRIPE_PRICE_{k.upper()}" for k in missing)
        )
    stripe_base = env.get("STRIPE_API_BASE", "").strip()
    if stripe_base and urlparse(stripe_base).scheme not in {"http", "https"}:
        problems.append("STRIPE_API_BASE must be an http:// or https:// address")

    limits = {
        name.lower(): _rate_limit(name, env.get(name, default), problems)
        for name, default in RATE_LIMITS.items()
    }
    log_format = env.get("DORP_LOG_FORMAT") or ("json" if mode == "production" else "text")
    log_format = log_format.strip().lower()
    if log_format not in LOG_FORMATS:
        problems.append(f"DORP_LOG_FORMAT must be json or text, not {log_format!r}")
    metrics_token = env.get("METRICS_TOKEN", "").strip()
    if metrics_token and len(metrics_token) < 32:
        problems.append("METRICS_TOKEN must be at least 32 characters long (or unset: no /metrics)")

    two_factor_for_admin = _bool(env.get("TWO_FACTOR_FOR_ADMIN"), mode != "development")
    if mode == "production" and not two_factor_for_admin:
        problems.append("TWO_FACTOR_FOR_ADMIN cannot be off in production")
    webauthn_origin = (env.get("WEBAUTHN_ORIGIN") or base_url).rstrip("/")
    origin = urlparse(webauthn_origin)
    if origin.scheme not in {"http", "https"} or not origin.hostname or origin.path:
        problems.append("WEBAUTHN_ORIGIN must be a scheme and host, like https://dorp.example")
    webauthn_rp_id = (env.get("WEBAUTHN_RP_ID") or origin.hostname or "").strip().lower()
    host = origin.hostname or ""
    if webauthn_rp_id and not (host == webauthn_rp_id or host.endswith("." + webauthn_rp_id)):
        problems.append("WEBAUTHN_RP_ID must be WEBAUTHN_ORIGIN's host or a domain it is under")

    if problems and mode == "production":
        raise ConfigError("Dorp cannot start:\n  - " + "\n  - ".join(problems))
    if problems:
        raise ConfigError("Invalid configuration:\n  - " + "\n  - ".join(problems))

    return Settings(
        env=mode,
        instance_path=instance,
        secret_key=secret,
        database_url=database_url,
        database_admin_url=admin_url,
        database_app_role=env.get("DATABASE_APP_ROLE", "dorp_app"),
        redis_url=redis_url,
        redis_embedded=embedded,
        mail_url=mail_url,
        mail_from=env.get("MAIL_FROM", "Dorp <no-reply@dorp.localhost>"),
        base_url=base_url,
        port=port,
        stripe_secret_key=stripe_key,
        stripe_publishable_key=env.get("STRIPE_PUBLISHABLE_KEY", ""),
        stripe_webhook_secret=stripe_webhook,
        stripe_api_base=stripe_base,
        stripe_prices={k: v for k, v in stripe_prices.items() if v},
        force_https=_bool(env.get("FORCE_HTTPS"), mode == "production"),
        **limits,
        security_event_days=max(
            _int("SECURITY_EVENT_DAYS", env.get("SECURITY_EVENT_DAYS"), 400), 1
        ),
        network_deletion_grace_days=max(
            _int("NETWORK_DELETION_GRACE_DAYS", env.get("NETWORK_DELETION_GRACE_DAYS"), 30),
            1,
        ),
        export_link_days=max(_int("EXPORT_LINK_DAYS", env.get("EXPORT_LINK_DAYS"), 7), 1),
        health_cache_seconds=max(
            _int("HEALTH_CACHE_SECONDS", env.get("HEALTH_CACHE_SECONDS"), 600), 0
        ),
        roster_search_workers=max(
            _int("DORP_ROSTER_SEARCH_WORKERS", env.get("DORP_ROSTER_SEARCH_WORKERS"), 8), 1
        ),
        roster_time_limit=_float("DORP_ROSTER_TIME_LIMIT", env.get("DORP_ROSTER_TIME_LIMIT"), 30.0),
        log_format=log_format,
        metrics_token=metrics_token,
        two_factor_for_admin=two_factor_for_admin,
        webauthn_rp_id=webauthn_rp_id,
        webauthn_origin=webauthn_origin,
    )


def normalise_database_url(url: str) -> str:
    """Accept the usual postgres:// spellings and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
