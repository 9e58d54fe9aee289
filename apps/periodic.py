"""What the scheduler processes share (access expiry, billing, lead reminders): a loop
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


def argument_parser(prog: str, doc: str, setting: str, default_port: int, *, batch_size: int,
                    batch_help: str, max_sleep: float, sleep_help: str) -> argparse.ArgumentParser:
    """The options every scheduler has: its batch, its longest sleep, its health port and host."""
    parser = argparse.ArgumentParser(prog=prog, description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-size", type=int, default=batch_size, help=batch_help)
    parser.add_argument("--max-sleep", type=float, default=max_sleep, help=sleep_help)
    http_arguments(parser, setting, default_port)
    return parser


def log_to_stderr() -> None:
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")


def serve_and_run(name: str, scheduler, database_url: str, args: argparse.Namespace,
                  setting: str, default_port: int, log: logging.Logger, doing: str) -> int:
    """Serves the scheduler's health and metrics, runs its passes until SIGTERM or SIGINT.
    `scheduler` has `health`, `metrics.registry` and `run(stop)`."""
    stop = stop_on_signals()
    serve_health(name, scheduler.health, scheduler.metrics.registry, database_url, args, setting,
                 default_port, log)
    log.info("%s", doing)
    scheduler.run(stop)
    log.info("stopped")
    return 0
