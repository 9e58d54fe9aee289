"""The expiry scheduler: `python -m apps.access_api.scheduler [--http-port P] [--batch-size N]`.

Ends grants at their end time without any request, and writes the role events that follow
(RoleRevoked / RoleShortened, reason EXPIRY) to the access outbox in the same transaction.
It sleeps until the next end among live grants, at most `--max-sleep` seconds (so a grant
written meanwhile by another process, however short, is seen within that bound), and never
polls a busy loop. Any number of instances may run: each locks the users it works on with
SKIP LOCKED, so a grant is ended exactly once (service/expiry.py). SIGTERM or SIGINT stops it
between two passes. Serves /health/live, /health/ready and /metrics (outbox/health.py).
"""
import argparse
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone

from prometheus_client import CollectorRegistry, Counter, Histogram
from sqlalchemy import create_engine

from apps import periodic
from apps.access_api.service.expiry import end_due_grants, next_due_end
from apps.access_api.service.uow import AccessUnitOfWork
from apps.settings import database_url

log = logging.getLogger("access-expiry")

NAME = "access-expiry"
SETTING = "ACCESS_EXPIRY"  # ACCESS_EXPIRY_HTTP_PORT, ACCESS_EXPIRY_HTTP_HOST
HTTP_PORT = 9110  # clear of the APIs (8000, 8001), the consumers (91xx) and the stack (5xxxx)
BUSY_PAUSE_S = 0.05  # something is due but another transaction holds its user
ERROR_PAUSE_S = 1.0


class SchedulerMetrics:
    def __init__(self):
        self.registry = CollectorRegistry()
        self.ended = Counter("access_expiry_grants_ended", "Grants ended at their end time",
                             registry=self.registry)
        self.events = Counter("access_expiry_role_events", "Role events written by expiry",
                              registry=self.registry)
        self.errors = Counter("access_expiry_pass_errors", "Passes that failed (database)",
                              registry=self.registry)
        self.delay = Histogram("access_expiry_delay_seconds",
                               "From a grant's end time to the commit that ended it",
                               buckets=(0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 5, 10, 60),
                               registry=self.registry)


def pause(next_due: datetime | None, now: datetime, ended_some: bool, max_sleep: float) -> float:
    """Seconds to wait before the next pass."""
    if next_due is None:
        return max_sleep
    delay = (next_due - now).total_seconds()
    if delay <= 0:
        return 0.0 if ended_some else BUSY_PAUSE_S
    return min(delay, max_sleep)


class Scheduler:
    def __init__(self, uow: Callable[[], AccessUnitOfWork], batch_size: int = 500,
                 max_sleep: float = 1.0, clock=lambda: datetime.now(timezone.utc)):
        self.uow, self.batch_size, self.max_sleep, self.clock = uow, batch_size, max_sleep, clock
        self.health = periodic.PassHealth(time.monotonic, stale_after_s=max(30.0, 10 * max_sleep))
        self.metrics = SchedulerMetrics()

    def run_once(self) -> float:
        """One pass: end what is due; returns how long to wait before the next."""
        now = self.clock()
        done = end_due_grants(self.uow(), now, self.batch_size)
        committed = self.clock()
        self.metrics.ended.inc(len(done.ended))
        self.metrics.events.inc(done.events)
        for grant in done.ended:
            self.metrics.delay.observe(max(0.0, (committed - grant.ends_at).total_seconds()))
        if done.ended:
            log.info("ended %d grant(s), %d role event(s)", len(done.ended), done.events)
        return pause(next_due_end(self.uow()), self.clock(), bool(done.ended), self.max_sleep)

    def run(self, stop: threading.Event) -> None:
        periodic.run_passes(self.run_once, stop, self.health, self.database_away, ERROR_PAUSE_S)

    def database_away(self, error) -> None:
        self.metrics.errors.inc()
        log.warning("expiry pass failed: %s", str(error).splitlines()[0])


def parse(argv: list[str] | None) -> argparse.Namespace:
    return periodic.argument_parser(
        "python -m apps.access_api.scheduler", __doc__, SETTING, HTTP_PORT, batch_size=500,
        batch_help="most due grants picked in one transaction", max_sleep=1.0,
        sleep_help="longest wait between passes, in seconds").parse_args(argv)


def http_port() -> int:
    return periodic.http_port(SETTING, HTTP_PORT)


def main(argv: list[str] | None = None) -> int:
    periodic.log_to_stderr()
    args = parse(argv)
    url = database_url("access")
    engine = create_engine(url, pool_pre_ping=True, pool_size=2)
    scheduler = Scheduler(lambda: AccessUnitOfWork(engine.connect), args.batch_size, args.max_sleep)
    return periodic.serve_and_run(
        NAME, scheduler, url, args, SETTING, HTTP_PORT, log,
        f"ending grants at their end time (batches of up to {args.batch_size}, sleeping at most "
        f"{args.max_sleep:.1f}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
