"""Leads settings from the environment, with development defaults.

LEAD_REMINDER_DELAY: whole seconds a lead stays open before its one reminder (default 3600, an
hour; tests use a few seconds). The scheduler reads it at every pass, and once at start-up so a
bad value stops it with the setting's name.
STOREFRONT_URL: the shop's address, the link back that a reminder carries (default
http://127.0.0.1:8002, where the local stack serves the storefront).
"""
from datetime import timedelta

from apps.settings import env

DEFAULT_REMINDER_DELAY_S = 3600
DEFAULT_SHOP_URL = "http://127.0.0.1:8002"


def reminder_delay() -> timedelta:
    value = env("LEAD_REMINDER_DELAY", str(DEFAULT_REMINDER_DELAY_S)).strip()
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"LEAD_REMINDER_DELAY must be a whole number of seconds >= 1, "
                         f"not {value!r}")
    return timedelta(seconds=int(value))


def shop_url() -> str:
    return env("STOREFRONT_URL", DEFAULT_SHOP_URL).rstrip("/")
