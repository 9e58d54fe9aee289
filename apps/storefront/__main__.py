"""`python -m apps.storefront [--host 127.0.0.1] [--port 8002] [--workers 2]`: the storefront
under gunicorn, with the APIs' gunicorn settings (apps/gunicorn_conf.py).

gunicorn replaces this process (exec), so a supervisor's signals reach its master directly.
The default address comes from STOREFRONT_URL (http://127.0.0.1:8002).
"""
import argparse
import os
import sys
from urllib.parse import urlparse

from apps.settings import MissingSetting, env
from apps.storefront.settings import DEFAULT_URL, REPO_DIR, Settings


def gunicorn_argv(host: str, port: int, workers: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "-c", str(REPO_DIR / "apps" / "gunicorn_conf.py"),
            "--workers", str(workers), "--bind", f"{host}:{port}",
            "apps.storefront.app:create_app()"]


def main(argv: list[str] | None = None) -> None:
    address = urlparse(env("STOREFRONT_URL", DEFAULT_URL))
    parser = argparse.ArgumentParser(prog="python -m apps.storefront", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default=address.hostname)
    parser.add_argument("--port", type=int, default=address.port)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    try:
        Settings.from_env()  # a missing key stops here with its name, not in every worker
    except MissingSetting as error:
        parser.exit(2, f"storefront: {error}\n")
    command = gunicorn_argv(args.host, args.port, args.workers)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
