"""What the scheduler processes share (the access expiry scheduler, the billing scheduler): a loop
of passes that outlives its database being away, SIGTERM or SIGINT ending it between two passes,
and its health and metrics over HTTP (outbox/health.py).

Each scheduler keeps its own work, metrics and port; `setting` names its environment variables
(`ACCESS_EXPIRY` reads ACCESS_EXPIRY_HTTP_PORT and ACCESS_EXPIRY_HTTP_HOST).
"""
import argparse
import logging
import signal
import threading
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError

from outbox.health import HealthServer, LoopHealth, database_check

from apps.settings import env


class PassHealth(LoopHealth):
    """A loop without a consumer group: live while it passes, ready when its database is."""

    def group_errors(self) -> dict[str, list[str]]:
        return {}


def run_passes(run_once: Callable[[], float], stop: threading.Event, health: LoopHealth,
               database_away: Callable[[DBAPIError], None], error_pause: float) -> None:
    """`run_once()` again after the wait it returns, until `stop`; a database error is reported
    to `database_away` and tried again after `error_pause`, the process staying alive."""
    health.started()
    try:
        while not stop.is_set():
            health.polled()
            try:
                wait = run_once()
            except DBAPIError as error:
                database_away(error)
                wait = error_pause
            stop.wait(wait)
    finally:
        health.stopped()


def http_arguments(parser: argparse.ArgumentParser, setting: str, default_port: int) -> None:
    parser.add_argument("--http-port", type=int, help=(
        f"health and metrics; 0 = none ({setting}_HTTP_PORT, {default_port})"))
    parser.add_argument("--http-host", help=f"address to serve on ({setting}_HTTP_HOST, 127.0.0.1)")


def http_port(setting: str, default_port: int) -> int:
    return int(env(f"{setting}_HTTP_PORT", str(default_port)))


def stop_on_signals() -> threading.Event:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    return stop


def serve_health(name: str, health: LoopHealth, registry, database_url: str,
                 args: argparse.Namespace, setting: str, default_port: int,
                 log: logging.Logger) -> None:
    """Serves /health/live, /health/ready and /metrics unless the port is 0."""
    port = http_port(setting, default_port) if args.http_port is None else args.http_port
    if port:
        host = args.http_host or env(f"{setting}_HTTP_HOST", "127.0.0.1")
        server = HealthServer(name, health, registry, database_check(database_url), host,
                              port).start()
        log.info("health and metrics on http://%s:%d", *server.httpd.server_address[:2])
