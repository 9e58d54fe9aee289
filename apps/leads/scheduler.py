"""The lead reminder scheduler: `python -m apps.leads.scheduler [--http-port P] [--batch-size N]`.

Each pass marks `reminded` every lead still open LEAD_REMINDER_DELAY seconds after it was
opened (apps/leads/settings.py, read at every pass), each with its LeadReminderDue in the sales
outbox in the same transaction (service/reminders.py); the notifications consumer sends the
e-mail from that event. Any number of instances may run: each locks the leads it takes with SKIP
LOCKED, and a reminded lead is no longer due, so each lead is reminded once, also across a
restart. A pass reads the partial index of open leads only: it costs what is due.

It passes again at once while a batch came back full, else when the oldest open lead falls
due, and at least every `--max-sleep` seconds. SIGTERM or SIGINT stops it between two passes.
Serves /health/live, /health/ready and /metrics (outbox/health.py) on LEADS_SCHEDULER_HTTP_PORT
(9112).
"""
import argparse
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone

from prometheus_client import CollectorRegistry, Counter
from sqlalchemy import create_engine

from apps import periodic
from apps.leads import settings
from apps.leads.service.reminders import remind_due_leads
from apps.leads.service.uow import LeadsUnitOfWork
from apps.settings import database_url

log = logging.getLogger("leads-scheduler")

NAME = "leads-scheduler"
SETTING = "LEADS_SCHEDULER"  # LEADS_SCHEDULER_HTTP_PORT, LEADS_SCHEDULER_HTTP_HOST
HTTP_PORT = 9112  # beside the billing scheduler's 9111
ERROR_PAUSE_S = 5.0  # the database is away
MIN_WAIT_S = 1.0  # a due lead another instance holds: look again soon, never spin


class SchedulerMetrics:
    def __init__(self):
        self.registry = CollectorRegistry()
        self.reminded = Counter("leads_scheduler_reminded", "Leads this scheduler reminded",
                                registry=self.registry)
        self.errors = Counter("leads_scheduler_pass_errors", "Passes cut short, by cause",
                              ["cause"], registry=self.registry)


class Scheduler:
    def __init__(self, uow_factory: Callable[[], LeadsUnitOfWork], batch_size: int = 100,
                 max_sleep: float = 10.0,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        self.uow_factory, self.batch_size, self.max_sleep = uow_factory, batch_size, max_sleep
        self.clock = clock
        self.health = periodic.PassHealth(time.monotonic, stale_after_s=max(60.0, 10 * max_sleep))
        self.metrics = SchedulerMetrics()

    def run_once(self) -> float:
        """One pass; returns how long to wait before the next."""
        now = self.clock()
        done = remind_due_leads(self.uow_factory(), now, settings.reminder_delay(),
                                settings.shop_url(), self.batch_size)
        self.metrics.reminded.inc(done.reminded)
        if done.reminded:
            log.info("reminded %d lead(s)", done.reminded)
        if done.reminded >= self.batch_size:
            return 0.0
        if done.next_due is None:
            return self.max_sleep
        return min(self.max_sleep, max(MIN_WAIT_S, (done.next_due - now).total_seconds()))

    def run(self, stop: threading.Event) -> None:
        periodic.run_passes(self.run_once, stop, self.health, self.database_away, ERROR_PAUSE_S)

    def database_away(self, error) -> None:
        self.metrics.errors.labels("database").inc()
        log.warning("reminder pass failed: %s", str(error).splitlines()[0])


def parse(argv: list[str] | None) -> argparse.Namespace:
    return periodic.argument_parser(
        "python -m apps.leads.scheduler", __doc__, SETTING, HTTP_PORT, batch_size=100,
        batch_help="most leads reminded in one transaction", max_sleep=10.0,
        sleep_help="longest wait between passes, in seconds").parse_args(argv)


def http_port() -> int:
    return periodic.http_port(SETTING, HTTP_PORT)


def main(argv: list[str] | None = None) -> int:
    periodic.log_to_stderr()
    args = parse(argv)
    delay = settings.reminder_delay()  # a bad value stops start-up, naming the setting
    url = database_url("sales")
    engine = create_engine(url, pool_pre_ping=True, pool_size=2)
    scheduler = Scheduler(lambda: LeadsUnitOfWork(engine.connect), args.batch_size,
                          args.max_sleep)
    return periodic.serve_and_run(
        NAME, scheduler, url, args, SETTING, HTTP_PORT, log,
        f"reminding leads open for {delay} (batches of up to {args.batch_size})")


if __name__ == "__main__":
    raise SystemExit(main())
