"""In-memory charges for the billing unit of work, and fakes of the platform, the attempt log and
the in-flight locks: the charge and the scheduler's use cases without servers.

The due queries here are the rules of adapters/due.py in Python; the SQL itself is tested on
the real database (tests/integration/test_subscription_charges.py).
"""
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone

from apps.billing.domain.charges import Charge, ChargeKind, period_plan
from apps.billing.domain.model import GRACE_DAYS, Status
from apps.billing.service.charges import Charger
from apps.payments.platform import ChargeResult
from tests.unit.billing_fakes import FakeBillingUnitOfWork

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


class FakeCharges:
    def __init__(self, rows: dict):
        self.rows = rows  # request id -> Charge

    def claim(self, charge: Charge) -> Charge | None:
        if charge.request_id in self.rows or self.of_period(
                charge.subscription_id, charge.period, charge.kind):
            return None
        self.rows[charge.request_id] = replace(charge, created_at=T0, updated_at=T0)
        return self.rows[charge.request_id]

    def get(self, request_id: str) -> Charge | None:
        return self.rows.get(request_id)

    def of_period(self, subscription_id, period, kind) -> Charge | None:
        return next((c for c in self.rows.values() if (c.subscription_id, c.period, c.kind)
                     == (subscription_id, period, kind)), None)

    def settle(self, request_id, status, charge_id, detail) -> Charge | None:
        charge = self.rows[request_id]
        if charge.settled:
            return None
        self.rows[request_id] = replace(charge, status=status, charge_id=charge_id, detail=detail)
        return self.rows[request_id]


class FakeDue:
    def __init__(self, subscriptions: dict, charges: FakeCharges):
        self.subscriptions, self.charges = subscriptions, charges

    def lock_due_renewals(self, today, limit, plan_ids=()) -> list[str]:
        def due(s):
            charge = self.charges.of_period(s.id, s.periods_paid + 1, ChargeKind.RENEWAL)
            return (s.status is Status.ACTIVE and s.next_billing_date <= today
                    and period_plan(s).chargeable and not (charge and charge.settled))
        return self.page(due, limit, plan_ids)

    def lock_overdue(self, today, limit, plan_ids=()) -> list[str]:
        def overdue(s):
            return s.next_billing_date < today and (
                s.status is Status.ACTIVE or s.status is Status.PAST_DUE
                and (today - s.past_due_since).days > GRACE_DAYS)
        return self.page(overdue, limit, plan_ids)

    def page(self, wanted, limit, plan_ids) -> list[str]:
        rows = sorted(self.subscriptions.values(), key=lambda s: (s.next_billing_date, s.id))
        return [s.id for s in rows if wanted(s) and (not plan_ids or s.plan.id in plan_ids)][:limit]


class FakeChargesUnitOfWork(FakeBillingUnitOfWork):
    """The billing fake with charges (committed and rolled back with the other rows)."""

    def __init__(self, plans=(), subscriptions=()):
        self.charges_committed: dict = {}
        super().__init__(plans, subscriptions)

    def _commit(self, events) -> None:
        super()._commit(events)
        self.charges_committed = dict(self.charges.rows)

    def rollback(self) -> None:
        super().rollback()
        self.charges = FakeCharges(dict(self.charges_committed))
        self.due = FakeDue(self.working.subscriptions, self.charges)

    def __call__(self):  # a factory of itself, as the Charger takes one
        return self


class FakePlatform:
    """Answers by script (`approve`, `decline`, or an exception to raise), approving once the
    script is spent; the same request id gets the first decision again, as the platform does."""

    def __init__(self, *script):
        self.script, self.calls, self.decided = list(script), [], {}

    def subscription_charge(self, request_id, customer_id, sku_id, *, subscription_id=None,
                            amount=None) -> ChargeResult:
        self.calls.append((request_id, customer_id, sku_id, subscription_id, amount))
        step = self.script.pop(0) if self.script else "approve"
        if isinstance(step, Exception):
            raise step
        if request_id not in self.decided:
            self.decided[request_id] = ChargeResult(True, f"ch_{len(self.decided) + 1}") \
                if step == "approve" else ChargeResult(False, f"ch_{len(self.decided) + 1}",
                                                       "card_declined", "The card was declined.")
        return self.decided[request_id]


class FakeAttempts:
    def __init__(self):
        self.log = []

    def record(self, request_id, outcome, detail=None) -> None:
        self.log.append((request_id, outcome))


class FakeLocks:
    def __init__(self):
        self.held = set()  # request ids someone else is sending

    @contextmanager
    def sending(self, request_id):
        yield request_id not in self.held


def charger(uow, platform=None, tries=3) -> Charger:
    return Charger(uow, platform or FakePlatform(), FakeAttempts(), FakeLocks(), tries,
                   sleep=lambda seconds: None)
