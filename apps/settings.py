"""Settings shared by the services, read from the environment with local development defaults.

The defaults point at the local stack (`python -m connectors.stack up`); every address can be
overridden, e.g. SALES_DATABASE_URL, KAFKA_BOOTSTRAP. With APP_ENV=production there are no
defaults for secrets: a missing database URL stops start-up with its name.
"""
import os
from datetime import timedelta


class MissingSetting(RuntimeError):
    pass


def production() -> bool:
    return os.environ.get("APP_ENV", "development") == "production"


def env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def database_url(service: str) -> str:
    explicit = os.environ.get(f"{service.upper()}_DATABASE_URL")
    if explicit:
        return explicit
    if production():
        raise MissingSetting(f"{service.upper()}_DATABASE_URL is not set (APP_ENV=production "
                             "has no development defaults)")
    password = env(f"{service.upper()}_DB_PASSWORD", service)
    host, port = env("PG_HOST", "127.0.0.1"), env("PG_PORT", "55432")
    return f"postgresql+psycopg://{service}:{password}@{host}:{port}/{service}"


def idempotency_key_ttl() -> timedelta:
    """How long a stored Idempotency-Key answer is kept: IDEMPOTENCY_KEY_TTL seconds, at least
    the day clients are promised (default 86400)."""
    value = env("IDEMPOTENCY_KEY_TTL", "86400")
    if not value.isdigit() or int(value) < 86400:
        raise ValueError(f"IDEMPOTENCY_KEY_TTL must be a whole number of seconds >= 86400, not {value!r}")
    return timedelta(seconds=int(value))


def kafka_bootstrap() -> str:
    return env("KAFKA_BOOTSTRAP", f"127.0.0.1:{env('KAFKA_PORT', '59092')}")


SALES_API_URL = env("SALES_API_URL", "http://127.0.0.1:8000")
ACCESS_API_URL = env("ACCESS_API_URL", "http://127.0.0.1:8001")
