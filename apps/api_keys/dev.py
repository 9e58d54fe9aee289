"""Development keys, each in a 0600 file under the stack folder: the operator's (every scope) and
the storefront's (only what the shop needs: placing and reading orders, recording leads,
reading roles).

The stack calls `ensure_dev_keys` after the migrations of `up` and prints `dev_key_hint`. With
APP_ENV=production nothing is created: production keys are made one by one with the command.
"""
import os
from pathlib import Path

from apps.api_keys import keys, services
from apps.api_keys.scopes import SCOPES
from apps.settings import ACCESS_API_URL, production

NAME = "development"
KEY_FILE = "dev-api-key"  # its name under the stack folder: .stack/dev-api-key
STOREFRONT_NAME = "storefront"
STOREFRONT_KEY_FILE = "storefront-api-key"  # read by apps/storefront/settings.py
STOREFRONT_SCOPES = ("orders:read", "orders:write", "users:read", "leads:write")


def ensure_dev_key(path: Path) -> str | None:
    """The operator's development key, with every scope."""
    return ensure_key(path, NAME, SCOPES)


def ensure_storefront_key(path: Path) -> str | None:
    return ensure_key(path, STOREFRONT_NAME, STOREFRONT_SCOPES)


def ensure_key(path: Path, name: str, scopes: tuple[str, ...]) -> str | None:
    """The key in `path` if it is live with `scopes` in every service, else a new one written
    there (the old one revoked wherever it is still live). None with APP_ENV=production."""
    if production():
        return None
    path = Path(path)
    old = path.read_text().strip() if path.exists() else ""
    if old and all(live is not None and set(scopes) <= set(live)
                   for live in services.scopes_everywhere(services.SERVICES, old).values()):
        return old
    if keys.key_id(old):
        services.revoke(services.SERVICES, keys.key_id(old))
    key = services.create(services.SERVICES, name, scopes).key
    write_private(path, key)
    return key


def write_private(path: Path, text: str) -> None:
    """Writes `text` readable by this user only, replacing the file in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text + "\n")
    os.chmod(temporary, 0o600)  # O_CREAT's mode does not apply to a file left by a crash
    os.replace(temporary, path)


def dev_key_hint(key: str) -> str:
    """The line the stack prints: the key and a request that uses it."""
    return (f"development API key (every scope): {key}  e.g. curl -H 'Authorization: Bearer {key}' "
            f"{ACCESS_API_URL}/api/users/any@email.com/roles")
