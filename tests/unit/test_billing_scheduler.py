"""The billing scheduler's passes on the in-memory unit of work, a fake platform and a fake
clock: due renewals charged once with the derived request id, overdue subscriptions made past
due and then suspended with their events, the platform away stopping the pass, and the waits."""
import threading
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy.exc import OperationalError

from apps.billing.domain.charges import ChargeStatus
from apps.billing.domain.cycles import BillingCycle
from apps.billing.domain.model import GRACE_DAYS, Plan, PlanStatus, Status, Subscription
from apps.billing.scheduler import ERROR_PAUSE_S, Scheduler
from apps.payments.platform import PlatformUnavailable
from tests.unit.charge_fakes import FakeChargesUnitOfWork, FakePlatform, charger

BASIC = Plan("plan_12345", "Basic Plan", Decimal("29.99"), "BRL", BillingCycle.MONTHLY,
             ("PREMIUM_USER",))
GONE = Plan("plan_gone", "Gone", Decimal("9.90"), "BRL", BillingCycle.MONTHLY, ("X",),
            PlanStatus.INACTIVE)
ANCHOR = date(2026, 1, 15)  # paid once: the next billing date is 2026-02-15
DUE = datetime(2026, 2, 15, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def active(sub_id, plan=BASIC, paid=1, status=Status.ACTIVE, **fields) -> Subscription:
    return Subscription(sub_id, plan, f"{sub_id}@example.com", status, ANCHOR,
                        periods_paid=paid, created_at=DUE, **fields)


def scheduler(*subscriptions, platform=None, now=DUE, batch_size=100):
    uow = FakeChargesUnitOfWork([BASIC, GONE], subscriptions)
    return uow, Scheduler(charger(uow, platform), batch_size=batch_size, max_sleep=30,
                          clock=Clock(now))


def test_due_subscriptions_are_charged_once_with_the_derived_request_id():
    uow, billing = scheduler(active("sub_a"), active("sub_b"), active("sub_later", paid=2),
                             active("sub_pending", paid=0, status=Status.PENDING),
                             active("sub_gone", plan=GONE))
    assert billing.run_once() == 30
    assert sorted(uow.charges_committed) == ["sub_a-p2", "sub_b-p2"]
    assert {c.status for c in uow.charges_committed.values()} == {ChargeStatus.APPROVED}
    assert billing.run_once() == 30  # the webhook has not come yet: nothing charged again
    assert len(billing.charger.platform.calls) == 2
    assert billing.metrics.registry.get_sample_value(
        "billing_scheduler_charges_total", {"status": "approved"}) == 2


def test_a_renewal_changes_nothing_and_the_unpaid_date_makes_it_past_due_the_next_day():
    uow, billing = scheduler(active("sub_a"))
    billing.run_once()
    assert uow.published == []  # the charge alone: the webhook, not the charge, renews
    billing.clock.now = DUE + timedelta(days=1)
    billing.run_once()
    assert [e.type for e in uow.published] == ["SubscriptionPastDue"]
    assert uow.published[0].payload["status"] == "past_due"
    with uow:
        assert uow.subscriptions.get("sub_a").past_due_since == DUE.date()


def test_past_due_beyond_the_grace_period_is_suspended_once():
    uow, billing = scheduler(active("sub_a", status=Status.PAST_DUE, past_due_since=DUE.date()),
                             now=DUE + timedelta(days=GRACE_DAYS))
    billing.run_once()
    assert uow.published == []  # within the grace period
    billing.clock.now = DUE + timedelta(days=GRACE_DAYS + 1)
    billing.run_once()
    billing.run_once()
    assert [e.type for e in uow.published] == ["SubscriptionSuspended"]
    assert billing.metrics.registry.get_sample_value(
        "billing_scheduler_overdue_total", {"status": "suspended"}) == 1


def test_the_platform_away_stops_the_pass_and_a_later_pass_sends_the_pending_charges():
    away = FakePlatform(*[PlatformUnavailable("503")] * 3)
    uow, billing = scheduler(active("sub_a"), active("sub_b"), platform=away)
    assert billing.run_once() == ERROR_PAUSE_S
    assert {c.status for c in uow.charges_committed.values()} == {ChargeStatus.PENDING}
    assert len(away.calls) == 3  # the first charge's tries; the second was not sent
    billing.run_once()
    assert {c.status for c in uow.charges_committed.values()} == {ChargeStatus.APPROVED}
    assert sorted({call[0] for call in away.calls}) == ["sub_a-p2", "sub_b-p2"]


def test_a_full_batch_passes_again_at_once_and_charges_held_by_others_are_waited_on():
    uow, billing = scheduler(active("sub_a"), active("sub_b"), active("sub_c"), batch_size=2)
    assert billing.run_once() == 0.0
    assert billing.run_once() == 30
    assert len(uow.charges_committed) == 3
    uow2, busy = scheduler(active("sub_a"), active("sub_b"), batch_size=2)
    busy.charger.locks.held |= {"sub_a-p2", "sub_b-p2"}
    assert busy.run_once() == 30  # both being sent by another scheduler: no spinning
    assert busy.charger.platform.calls == []


def test_a_database_error_is_counted_and_retried_and_a_stop_request_ends_the_loop():
    down = OperationalError("SELECT 1", {}, Exception("connection refused"))
    uow, billing = scheduler(active("sub_a"))
    stop = threading.Event()

    def failing():
        stop.set()  # asked to stop while the pass fails: the loop ends after it, not before
        raise down
    billing.run_once = failing
    billing.run(stop)
    assert billing.metrics.registry.get_sample_value(
        "billing_scheduler_pass_errors_total", {"cause": "database"}) == 1
    assert not billing.health.running
