"""The notifications' settings, from the environment with development defaults.

SMTP_URL is the relay: `smtp://host:port` (plain, upgraded with STARTTLS when SMTP_STARTTLS=1)
or `smtps://host:port` (TLS from the first byte). SMTP_USERNAME and SMTP_PASSWORD log in when
set. In development SMTP_URL defaults to the local server (`python -m
apps.notifications.smtp_server`, 127.0.0.1:8025); with APP_ENV=production it has no default,
STARTTLS is on unless SMTP_STARTTLS=0, and credentials are never sent over a plain connection:
either stops start-up with a message naming the setting.
"""
import os
from dataclasses import dataclass, field
from datetime import timedelta
from email.headerregistry import Address
from email.utils import parseaddr
from urllib.parse import urlparse

from apps.settings import MissingSetting, env, production

DEV_SMTP_URL = "smtp://127.0.0.1:8025"
DEFAULT_SHOP_URL = "http://127.0.0.1:8002"  # the storefront's (STOREFRONT_URL)


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    implicit_tls: bool  # smtps://
    starttls: bool
    username: str | None
    password: str | None = field(repr=False)
    timeout_s: float


@dataclass(frozen=True)
class Settings:
    smtp: Smtp
    sender: Address  # From
    shop_url: str  # the storefront: retry links, the subscription notices
    platform_url: str  # where a customer finds the courses an order opened
    max_age: timedelta  # an older cause is not e-mailed any more (see domain/emails.py)

    @property
    def domain(self) -> str:
        """The right-hand side of every Message-ID: the sender's domain."""
        return self.sender.domain


def smtp_settings() -> Smtp:
    url = os.environ.get("SMTP_URL")
    if not url and production():
        raise MissingSetting("SMTP_URL is not set (APP_ENV=production has no development "
                             "defaults: give the relay, e.g. smtp://relay.example.com:587)")
    parsed = urlparse(url or DEV_SMTP_URL)
    if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
        raise MissingSetting(f"SMTP_URL must be smtp://host:port or smtps://host:port, "
                             f"not {url!r}")
    implicit_tls = parsed.scheme == "smtps"
    starttls = env("SMTP_STARTTLS", "1" if production() else "0") == "1" and not implicit_tls
    username = os.environ.get("SMTP_USERNAME") or None
    if username and production() and not (implicit_tls or starttls):
        raise MissingSetting("SMTP_USERNAME is set but the connection is plain: use smtps:// "
                             "or SMTP_STARTTLS=1 (credentials never travel unencrypted)")
    return Smtp(parsed.hostname, parsed.port or (465 if implicit_tls else 25), implicit_tls,
                starttls, username, os.environ.get("SMTP_PASSWORD"),
                float(env("SMTP_TIMEOUT", "10")))


def sender() -> Address:
    name, address = parseaddr(env("MAIL_FROM", "Lumen Academy <no-reply@shop.local>"))
    if "@" not in address:
        raise MissingSetting("MAIL_FROM must hold an address, e.g. Shop <no-reply@shop.example>")
    return Address(display_name=name, addr_spec=address)


def from_env() -> Settings:
    shop = env("SHOP_URL", env("STOREFRONT_URL", DEFAULT_SHOP_URL)).rstrip("/")
    return Settings(smtp=smtp_settings(), sender=sender(), shop_url=shop,
                    platform_url=env("PLATFORM_URL", f"{shop}/orders"),
                    max_age=timedelta(hours=float(env("NOTIFICATIONS_MAX_AGE_HOURS", "72"))))
