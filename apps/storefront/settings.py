"""The storefront's settings, from the environment with development defaults.

STOREFRONT_API_KEY: the shop's own key (apps.api_keys.dev.STOREFRONT_SCOPES); in development
read from `$STACK_DIR/storefront-api-key`, which the stack writes. STOREFRONT_SECRET_KEY signs
the session, the CSRF tokens and the customer cookie; in development it is generated once into
`$STACK_DIR/storefront-secret-key` (every gunicorn worker must sign with the same key). With
APP_ENV=production neither has a default: a missing one stops start-up with its name.
"""
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from apps.settings import ACCESS_API_URL, SALES_API_URL, MissingSetting, env, production

REPO_DIR = Path(__file__).resolve().parents[2]
API_KEY_FILE = "storefront-api-key"
SECRET_KEY_FILE = "storefront-secret-key"
DEFAULT_URL = "http://127.0.0.1:8002"


@dataclass(frozen=True)
class Settings:
    sales_api_url: str
    access_api_url: str
    api_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    api_timeout: float = 5.0
    secure_cookies: bool = False  # production serves over HTTPS: cookies only travel there

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(sales_api_url=SALES_API_URL.rstrip("/"),
                   access_api_url=ACCESS_API_URL.rstrip("/"),
                   api_key=api_key(), secret_key=secret_key(),
                   api_timeout=float(env("STOREFRONT_API_TIMEOUT", "5")),
                   secure_cookies=production())


def stack_dir() -> Path:
    """The stack's folder, found as connectors/stack finds it."""
    return Path(env("STACK_DIR", str(REPO_DIR / ".stack"))).resolve()


def api_key() -> str:
    if os.environ.get("STOREFRONT_API_KEY"):
        return os.environ["STOREFRONT_API_KEY"]
    path = stack_dir() / API_KEY_FILE
    if production() or not path.exists():
        raise MissingSetting(f"STOREFRONT_API_KEY is not set and {path} does not exist "
                             "(`python -m connectors.stack up` writes it in development)")
    return path.read_text().strip()


def secret_key() -> str:
    if os.environ.get("STOREFRONT_SECRET_KEY"):
        return os.environ["STOREFRONT_SECRET_KEY"]
    if production():
        raise MissingSetting("STOREFRONT_SECRET_KEY is not set (APP_ENV=production has no "
                             "development defaults)")
    return shared_secret(stack_dir() / SECRET_KEY_FILE)


def shared_secret(path: Path) -> str:
    """The secret in `path`, created there first if absent. Workers starting together may race:
    each writes a private temporary file and links it into place, which succeeds for one of
    them only, so all read the same complete secret."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(32) + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another worker won the race; its secret is the one
        finally:
            temporary.unlink()
    return path.read_text().strip()
