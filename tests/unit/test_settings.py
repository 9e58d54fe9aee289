"""Development defaults point at the local stack; production refuses to guess secrets."""
import pytest

from apps.settings import MissingSetting, database_url


def test_development_defaults_point_at_the_local_stack(monkeypatch):
    for name in ("APP_ENV", "SALES_DATABASE_URL", "PG_HOST", "PG_PORT", "SALES_DB_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    assert database_url("sales") == "postgresql+psycopg://sales:sales@127.0.0.1:55432/sales"
    monkeypatch.setenv("PG_PORT", "6000")
    assert database_url("sales").endswith("@127.0.0.1:6000/sales")


def test_production_without_a_database_url_names_the_missing_variable(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("ACCESS_DATABASE_URL", raising=False)
    with pytest.raises(MissingSetting, match="ACCESS_DATABASE_URL"):
        database_url("access")
    monkeypatch.setenv("ACCESS_DATABASE_URL", "postgresql+psycopg://u:p@db/access")
    assert database_url("access") == "postgresql+psycopg://u:p@db/access"
