"""Health checks and metrics of a consumer process over HTTP, from a daemon thread.

    GET /health/live    200 while the poll loop runs and polled within max.poll.interval.ms
                        (past that Kafka has put the consumer out of its group anyway)
    GET /health/ready   200 when also its database answers SELECT 1 within a few seconds and
                        it is a member of its group (assigned partitions, or none when the
                        group has more members than the topic has partitions)
    GET /metrics        Prometheus text format (outbox/metrics.py)

A failed check answers 503 with the APIs' error shape, `{code, status, message, errors}`,
where `errors` names each failed check. The poll thread writes LoopHealth; the HTTP threads
only read it (single attribute reads and writes, atomic in CPython).
"""
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

DATABASE_TIMEOUT_S = 2  # libpq's connect_timeout counts whole seconds, 2 at least


class LoopHealth:
    def __init__(self, clock: Callable[[], float], stale_after_s: float):
        self.clock = clock
        self.stale_after_s = stale_after_s
        self.running = False
        self.polled_at = 0.0
        self.in_group = False
        self.partitions: frozenset = frozenset()

    def started(self) -> None:
        self.polled_at, self.running = self.clock(), True

    def polled(self) -> None:
        self.polled_at = self.clock()

    def stopped(self) -> None:
        self.running = False

    def assigned(self, partitions) -> None:
        self.partitions = self.partitions | {(p.topic, p.partition) for p in partitions}
        self.in_group = True

    def revoked(self, partitions, lost: bool = False) -> None:
        """A revocation is part of a rebalance, still in the group; a loss is not."""
        self.partitions = self.partitions - {(p.topic, p.partition) for p in partitions}
        self.in_group = self.in_group and not lost

    def liveness_errors(self) -> dict[str, list[str]]:
        if not self.running:
            return {"loop": ["the poll loop is not running"]}
        silent = self.clock() - self.polled_at
        if silent > self.stale_after_s:
            return {"loop": [f"no poll for {silent:.0f}s (max.poll.interval {self.stale_after_s:.0f}s)"]}
        return {}

    def group_errors(self) -> dict[str, list[str]]:
        return {} if self.in_group else {"kafka": ["not a member of its consumer group yet"]}


def database_check(url: str, timeout_s: int = DATABASE_TIMEOUT_S) -> Callable[[], str | None]:
    """SELECT 1 on a new connection each time (NullPool): a pooled one could hang in a cut
    network for the TCP timeout, while connect_timeout and statement_timeout bound a new one."""
    engine = create_engine(url, poolclass=NullPool, connect_args={
        "connect_timeout": timeout_s, "options": f"-c statement_timeout={timeout_s * 1000}"})

    def check() -> str | None:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return None
        except Exception as error:  # any failure means "not ready"; the reason goes in the body
            return str(error).splitlines()[0][:200]
    return check


def problem(status: int, message: str, errors: dict) -> dict:
    phrase = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
    return {"code": status, "status": phrase, "message": message, "errors": errors}


class HealthServer:
    def __init__(self, name: str, health: LoopHealth, registry, database: Callable[[], str | None],
                 host: str = "127.0.0.1", port: int = 0):
        self.name, self.health, self.registry, self.database = name, health, registry, database
        self.httpd = ThreadingHTTPServer((host, port), self.handler_class())
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]  # the real one when asked for port 0

    def start(self) -> "HealthServer":
        # Checks for shutdown() every 0.1 s (stop() returns that fast); a negligible idle cost.
        threading.Thread(target=self.httpd.serve_forever, args=(0.1,), name=f"{self.name}-http",
                         daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def live(self) -> tuple[int, dict]:
        errors = self.health.liveness_errors()
        if errors:
            return 503, problem(503, f"{self.name}: not live", errors)
        return 200, {"status": "live"}

    def ready(self) -> tuple[int, dict]:
        errors = {**self.health.liveness_errors(), **self.health.group_errors()}
        database = self.database()
        if database is not None:
            errors["database"] = [database]
        if errors:
            return 503, problem(503, f"{self.name}: not ready", errors)
        return 200, {"status": "ready", "partitions": len(self.health.partitions)}

    def handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                path = self.path.split("?")[0]
                if path == "/metrics":
                    return self.send(200, generate_latest(server.registry), CONTENT_TYPE_LATEST)
                route = {"/health/live": server.live, "/health/ready": server.ready}.get(path)
                status, body = route() if route else (404, problem(404, f"no route {path}", {}))
                self.send(status, json.dumps(body).encode(), "application/json")

            def send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):  # probes every few seconds: keep the log calm
                log.debug("%s: %s", server.name, format % args)

        return Handler
