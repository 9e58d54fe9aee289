"""Where the payment platform is and the credentials we send it, from the environment.

Development defaults match the local fake (apps/payment_platform); with APP_ENV=production each
of PAYMENT_PLATFORM_URL, PAYMENT_PLATFORM_KEY and PAYMENT_PLATFORM_SECRET must be set, and a
missing one stops start-up with its name.
"""
import os

from apps.settings import MissingSetting, production

DEFAULT_URL = "http://127.0.0.1:8090"
DEV_KEY = "dev-payment-platform-key"
DEV_SECRET = "dev-payment-platform-secret"
DEFAULT_TIMEOUT_S = 10.0  # per request; a slower answer is treated as the platform unavailable


def required(name: str, development_default: str) -> str:
    value = os.environ.get(name)
    if value:
        return value
    if production():
        raise MissingSetting(f"{name} is not set (APP_ENV=production has no development defaults)")
    return development_default


def platform_url() -> str:
    return required("PAYMENT_PLATFORM_URL", DEFAULT_URL).rstrip("/")


def platform_key() -> str:
    return required("PAYMENT_PLATFORM_KEY", DEV_KEY)


def platform_secret() -> str:
    return required("PAYMENT_PLATFORM_SECRET", DEV_SECRET)


def platform_timeout() -> float:
    value = os.environ.get("PAYMENT_PLATFORM_TIMEOUT", str(DEFAULT_TIMEOUT_S))
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 120:
        raise ValueError(f"PAYMENT_PLATFORM_TIMEOUT must be seconds between 0 and 120, not {value!r}")
    return seconds
