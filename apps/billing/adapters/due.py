"""The billing scheduler's queries: subscriptions due for a charge, and those overdue.

Both read the partial index `subscriptions_due` (next_billing_date of active and past-due
subscriptions, sales migration 0009), so a pass costs what is due, not the table's size, and
both lock what they return with SKIP LOCKED: two schedulers share the work instead of waiting
for each other, and never take the same subscription in the same moment.
"""
from datetime import date, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.engine import Connection

from apps.billing.adapters.tables import plans, subscription_charges as charges, subscriptions
from apps.billing.domain.charges import ChargeKind, ChargeStatus
from apps.billing.domain.model import GRACE_DAYS, PlanStatus, Status


class DueSubscriptions:
    def __init__(self, session: Connection):
        self.session = session

    def lock_due_renewals(self, today: date, limit: int, plan_ids=()) -> list[str]:
        return list(self.session.scalars(locked_page(renewals_due(today, plan_ids), limit)))

    def lock_overdue(self, today: date, limit: int, plan_ids=()) -> list[str]:
        return list(self.session.scalars(locked_page(overdue(today, plan_ids), limit)))


def renewals_due(today: date, plan_ids=()):
    """Active subscriptions of chargeable plans whose billing date has come and whose next
    period has no settled charge (none yet, or a pending one to send again)."""
    s = subscriptions
    settled = exists().where(
        charges.c.subscription_id == s.c.id, charges.c.period == s.c.periods_paid + 1,
        charges.c.kind == ChargeKind.RENEWAL.value,
        charges.c.status != ChargeStatus.PENDING.value)
    chargeable = select(plans.c.id).where(plans.c.status != PlanStatus.INACTIVE.value)
    period_plan = func.coalesce(s.c.next_plan_id, s.c.plan_id)  # a waiting downgrade's
    return of_plans(select(s.c.id).where(
        s.c.status == Status.ACTIVE.value, s.c.next_billing_date <= today,
        period_plan.in_(chargeable.scalar_subquery()), ~settled), plan_ids)


def overdue(today: date, plan_ids=()):
    """Active subscriptions whose billing date passed unpaid, and past-due ones longer past due
    than the grace period (Subscription.overdue's two cases)."""
    s = subscriptions
    return of_plans(select(s.c.id).where(
        s.c.status.in_([Status.ACTIVE.value, Status.PAST_DUE.value]),
        s.c.next_billing_date < today,
        (s.c.status == Status.ACTIVE.value)
        | (s.c.past_due_since < today - timedelta(days=GRACE_DAYS))), plan_ids)


def of_plans(query, plan_ids):
    """Only these plans' subscriptions (one instance per group of plans, or a test's plan)."""
    return query.where(subscriptions.c.plan_id.in_(list(plan_ids))) if plan_ids else query


def locked_page(query, limit: int):
    """The first `limit` by billing date, locked, skipping rows another transaction holds.
    FOR NO KEY UPDATE: the charges claimed meanwhile reference these rows (KEY SHARE)."""
    s = subscriptions
    return (query.order_by(s.c.next_billing_date, s.c.id).limit(limit)
            .with_for_update(skip_locked=True, key_share=True))
