"""The billing scheduler: `python -m apps.billing.scheduler [--http-port P] [--batch-size N]`.

Each pass, with no request: (a) charges every active subscription of a chargeable plan whose
next billing date has come, through the idempotent charge (service/charges.py; request id
`{subscription}-p{period}`); (b) makes past due each active one whose billing date passed unpaid
and suspends those past due beyond the grace period, each change with its event in the outbox
(service/recurring.py). The webhooks, not the charge, then activate or renew a subscription.

Any number of instances may run: each locks the subscriptions it takes with SKIP LOCKED and the
charge's two unique rules hold each period to one charge, so a period is charged once, also
across a restart. Dates are UTC days. It passes again at once while a batch came back full,
else after `--max-sleep` seconds. SIGTERM or SIGINT stops it between two passes.
Serves /health/live, /health/ready and /metrics (outbox/health.py) on BILLING_SCHEDULER_HTTP_PORT
(9111).
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
from apps.billing.adapters.charges import ChargeAttempts, ChargeLocks
from apps.billing.service.charges import Charger
from apps.billing.service.uow import BillingUnitOfWork
from apps.billing.service.recurring import charge_due_renewals, mark_overdue
from apps.payments.platform import PaymentPlatform
from apps.settings import database_url

log = logging.getLogger("billing-scheduler")

NAME = "billing-scheduler"
SETTING = "BILLING_SCHEDULER"  # BILLING_SCHEDULER_HTTP_PORT, BILLING_SCHEDULER_HTTP_HOST
HTTP_PORT = 9111  # beside the expiry scheduler's 9110
ERROR_PAUSE_S = 5.0  # the database or the platform is away


class SchedulerMetrics:
    def __init__(self):
        self.registry = CollectorRegistry()
        self.charges = Counter("billing_scheduler_charges", "Renewals this scheduler sent and "
                               "settled, by status", ["status"], registry=self.registry)
        self.changes = Counter("billing_scheduler_overdue", "Subscriptions made past due or "
                               "suspended by time", ["status"], registry=self.registry)
        self.errors = Counter("billing_scheduler_pass_errors", "Passes cut short, by cause",
                              ["cause"], registry=self.registry)


class Scheduler:
    def __init__(self, charger: Charger, batch_size: int = 100, max_sleep: float = 30.0,
                 plan_ids: tuple[str, ...] = (),
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        self.charger, self.batch_size, self.max_sleep = charger, batch_size, max_sleep
        self.plan_ids, self.clock = plan_ids, clock
        self.health = periodic.PassHealth(time.monotonic, stale_after_s=max(60.0, 10 * max_sleep))
        self.metrics = SchedulerMetrics()

    def run_once(self) -> float:
        """One pass of both kinds of work; returns how long to wait before the next."""
        now = self.clock()
        renewals = charge_due_renewals(self.charger, now.date(), self.batch_size, self.plan_ids)
        settled_here = [a.charge for a in renewals.answers if a.new]  # not those found settled
        for charge in settled_here:
            self.metrics.charges.labels(charge.status.value).inc()
        overdue = mark_overdue(self.charger.uow(), now.date(), now, self.batch_size,
                               self.plan_ids)
        self.metrics.changes.labels("past_due").inc(overdue.past_due)
        self.metrics.changes.labels("suspended").inc(overdue.suspended)
        if settled_here or overdue.taken:
            log.info("charged %d renewal(s); %d past due, %d suspended", len(settled_here),
                     overdue.past_due, overdue.suspended)
        if renewals.platform_away:
            self.metrics.errors.labels("platform").inc()
            log.warning("payment platform away, renewals left pending: %s", renewals.platform_away)
            return ERROR_PAUSE_S
        # Again at once while a full batch made progress; a batch of charges others are sending,
        # or the platform refuses, is waited on, never spun on.
        more_renewals = renewals.taken >= self.batch_size and renewals.answers
        return 0.0 if more_renewals or overdue.taken >= self.batch_size else self.max_sleep

    def run(self, stop: threading.Event) -> None:
        periodic.run_passes(self.run_once, stop, self.health, self.database_away,
                            ERROR_PAUSE_S)

    def database_away(self, error) -> None:
        self.metrics.errors.labels("database").inc()
        log.warning("billing pass failed: %s", str(error).splitlines()[0])


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = periodic.argument_parser(
        "python -m apps.billing.scheduler", __doc__, SETTING, HTTP_PORT, batch_size=100,
        batch_help="most subscriptions taken in one transaction", max_sleep=30.0,
        sleep_help="wait between passes when nothing more is due, in seconds")
    parser.add_argument("--plan", action="append", default=[], dest="plans",
                        help="only subscriptions of this plan (repeatable; default: all)")
    return parser.parse_args(argv)


def http_port() -> int:
    return periodic.http_port(SETTING, HTTP_PORT)


def main(argv: list[str] | None = None) -> int:
    periodic.log_to_stderr()
    args = parse(argv)
    url = database_url("sales")
    engine = create_engine(url, pool_pre_ping=True, pool_size=3)  # claim, lock, attempts
    charger = Charger(lambda: BillingUnitOfWork(engine.connect), PaymentPlatform.from_settings(),
                      ChargeAttempts(engine), ChargeLocks(engine))
    scheduler = Scheduler(charger, args.batch_size, args.max_sleep, tuple(args.plans))
    return periodic.serve_and_run(
        NAME, scheduler, url, args, SETTING, HTTP_PORT, log,
        f"charging due subscriptions and marking overdue ones (batches of up to {args.batch_size})")


if __name__ == "__main__":
    raise SystemExit(main())
