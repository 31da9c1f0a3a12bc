"""Settings: embedded defaults on a laptop, a clear refusal of an unsafe production set-up."""

from __future__ import annotations

import pytest

from saas.config import ConfigError, load_settings

PRODUCTION = {
    "DORP_ENV": "production",
    "SECRET_KEY": "x" * 40,
    "DATABASE_URL": "postgresql://dorp_app@db/dorp",
    "REDIS_URL": "redis://redis:6379/0",
    "MAIL_URL": "smtp://mail:25",
    "BASE_URL": "https://dorp.example",
}


def test_laptop_defaults_need_nothing(tmp_path):
    settings = load_settings({"DORP_INSTANCE_PATH": str(tmp_path)})
    assert settings.database_url.startswith("sqlite:///")
    assert settings.redis_embedded and settings.redis_url.startswith("redis://127.0.0.1:")
    assert settings.mail_url.startswith("file://")
    assert not settings.billing_enabled
    assert (tmp_path / "secret_key").exists()
    assert load_settings({"DORP_INSTANCE_PATH": str(tmp_path)}).secret_key == settings.secret_key


def test_production_lists_every_missing_setting():
    with pytest.raises(ConfigError) as caught:
        load_settings({"DORP_ENV": "production"})
    message = str(caught.value)
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "MAIL_URL", "BASE_URL"):
        assert name in message


def test_production_refuses_sqlite_and_short_secrets():
    with pytest.raises(ConfigError, match="PostgreSQL"):
        load_settings({**PRODUCTION, "DATABASE_URL": "sqlite:///x.db"})
    with pytest.raises(ConfigError, match="32"):
        load_settings({**PRODUCTION, "SECRET_KEY": "short"})
    with pytest.raises(ConfigError, match="STRIPE_WEBHOOK_SECRET"):
        load_settings({**PRODUCTION, "STRIPE_SECRET_KEY": "sk_test_x"})


def test_a_complete_production_set_up_loads():
    settings = load_settings(PRODUCTION)
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.force_https
    config = settings.as_flask_config()
    assert config["SESSION_COOKIE_SECURE"] and not config["DEV_INBOX"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DORP_ENV", "staging"),
        ("PORT", "eighty"),
        ("REDIS_URL", "http://x"),
        ("MAIL_URL", "pigeon://x"),
    ],
)
def test_bad_values_are_named(name, value, tmp_path):
    with pytest.raises(ConfigError, match=name.split("_")[0]):
        load_settings({"DORP_INSTANCE_PATH": str(tmp_path), name: value})


def test_health_cache_seconds(tmp_path):
    base = {"DORP_INSTANCE_PATH": str(tmp_path)}
    assert load_settings(base).as_flask_config()["HEALTH_CACHE_SECONDS"] == 600
    assert load_settings({**base, "HEALTH_CACHE_SECONDS": "0"}).health_cache_seconds == 0
    assert load_settings({**base, "HEALTH_CACHE_SECONDS": "-5"}).health_cache_seconds == 0
    config = load_settings({**base, "HEALTH_CACHE_SECONDS": "60"}).as_flask_config()
    assert config["HEALTH_CACHE_SECONDS"] == 60 and config["CACHE_DEFAULT_TIMEOUT"] > 0
    with pytest.raises(ConfigError, match="HEALTH_CACHE_SECONDS"):
        load_settings({**base, "HEALTH_CACHE_SECONDS": "ten"})
