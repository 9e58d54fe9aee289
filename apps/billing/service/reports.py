"""The subscriptions report: counts by plan and status, and monthly recurring revenue.

One aggregate statement over the `subscriptions_by_plan_and_status` index (plan, status): it
reads index entries, never subscription rows, and the plans (a handful) are joined after. MRR
counts active subscriptions only, each at its plan's monthly amount (annual plans one twelfth);
revenue in different currencies is never added up, so the overall figure is one per currency.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from apps import money
from apps.billing.adapters.tables import subscriptions
from apps.billing.domain.cycles import monthly_amount
from apps.billing.domain.model import Plan, Status


@dataclass
class PlanLine:
    plan: Plan
    counts: dict[str, int] = field(default_factory=dict)  # status -> subscriptions

    @property
    def active(self) -> int:
        return self.counts.get(Status.ACTIVE.value, 0)

    @property
    def mrr(self) -> Decimal:
        return monthly_amount(self.plan.price, self.plan.cycle) * self.active


COUNTS = (select(subscriptions.c.plan_id, subscriptions.c.status, func.count())
          .group_by(subscriptions.c.plan_id, subscriptions.c.status))


def subscriptions_report(uow) -> dict:
    with uow:
        plans = {plan.id: PlanLine(plan) for plan in uow.plans.all()}
        for plan_id, status, count in uow.session.execute(COUNTS):
            plans[plan_id].counts[status] = count
    totals: dict[str, int] = defaultdict(int)
    mrr: dict[str, Decimal] = defaultdict(Decimal)
    for line in plans.values():
        for status, count in line.counts.items():
            totals[status] += count
        mrr[line.plan.currency] += line.mrr
    return {
        "total_active": totals[Status.ACTIVE.value],
        "total_cancelled": totals[Status.CANCELLED.value],
        "totals_by_status": {status.value: totals[status.value] for status in Status},
        "plans": [{"plan_id": line.plan.id, "name": line.plan.name,
                   "active_subscriptions": line.active, "currency": line.plan.currency,
                   "billing_cycle": line.plan.cycle.value,
                   "subscriptions_by_status": dict(sorted(line.counts.items())),
                   "mrr": money.formatted(line.mrr, line.plan.currency)}
                  for line in plans.values()],
        "mrr": [{"currency": currency, "amount": money.formatted(amount, currency)}
                for currency, amount in sorted(mrr.items())],
    }
