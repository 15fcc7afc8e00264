"""config.py: development defaults and a production configuration that insists on a secret."""
from __future__ import annotations

import importlib

import pytest

import config


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config.ProductionConfig()
    monkeypatch.setenv("SECRET_KEY", config.DEV_SECRET_KEY)
    with pytest.raises(RuntimeError):
        config.ProductionConfig()


def test_production_takes_the_secret_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a real secret")
    monkeypatch.setenv("APP_CONFIG", "production")
    reloaded = importlib.reload(config)  # the environment is read at import, as in gunicorn
    try:
        assert reloaded.config_from_env().SECRET_KEY == "a real secret"
    finally:
        monkeypatch.delenv("SECRET_KEY")
        importlib.reload(config)


def test_default_database_is_sqlite_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert config._default_sqlite_url().endswith("/instance/erp.sqlite3")
    assert config.Config.COMPANY_CURRENCY in ("CNY", config.Config.COMPANY_CURRENCY)


def test_trusted_proxy_hops_come_from_the_environment_and_default_to_none(monkeypatch):
    monkeypatch.delenv("TRUSTED_PROXY_HOPS", raising=False)
    try:
        assert importlib.reload(config).Config.TRUSTED_PROXY_HOPS == 0
        monkeypatch.setenv("TRUSTED_PROXY_HOPS", "2")
        assert importlib.reload(config).Config.TRUSTED_PROXY_HOPS == 2
    finally:
        monkeypatch.delenv("TRUSTED_PROXY_HOPS", raising=False)
        importlib.reload(config)
