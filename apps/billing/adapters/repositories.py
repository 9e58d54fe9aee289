"""Plans and subscriptions on one connection (Core statements, like the sales repositories)."""
from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection

from apps.billing.adapters.tables import plans, subscriptions
from apps.billing.domain.cycles import BillingCycle
from apps.billing.domain.model import Plan, PlanStatus, Status, Subscription


def plan_from_row(row) -> Plan:
    return Plan(row.id, row.name, row.price, row.currency, BillingCycle(row.billing_cycle),
                tuple(row.roles), PlanStatus(row.status))


def plan_columns(plan: Plan) -> dict:
    return {"id": plan.id, "name": plan.name, "price": plan.price, "currency": plan.currency,
            "billing_cycle": plan.cycle.value, "roles": list(plan.roles),
            "status": plan.status.value}


class PlanRepository:
    def __init__(self, session: Connection):
        self.session = session

    def get(self, plan_id: str, lock: bool = False) -> Plan | None:
        query = select(plans).where(plans.c.id == plan_id)
        row = self.session.execute(query.with_for_update() if lock else query).first()
        return None if row is None else plan_from_row(row)

    def all(self) -> list[Plan]:
        rows = self.session.execute(select(plans).order_by(plans.c.created_at, plans.c.id))
        return [plan_from_row(row) for row in rows]

    def add(self, plan: Plan) -> bool:
        """False if the id is taken (nothing written)."""
        added = self.session.execute(pg_insert(plans).values(**plan_columns(plan))
                                     .on_conflict_do_nothing(index_elements=["id"])
                                     .returning(plans.c.id)).first()
        return added is not None

    def save(self, plan: Plan) -> None:
        self.session.execute(update(plans).where(plans.c.id == plan.id)
                             .values(**plan_columns(plan)))


class SubscriptionRepository:
    """Every subscription it adds or loads is tracked, so the unit of work publishes its events."""

    def __init__(self, session: Connection, track, plans: PlanRepository):
        self.session, self.track, self.plans = session, track, plans

    def add(self, subscription: Subscription) -> None:
        self.track(subscription)
        self.session.execute(insert(subscriptions).values(
            id=subscription.id, created_at=subscription.created_at, **columns(subscription)))

    def get(self, subscription_id: str, lock: bool = False) -> Subscription | None:
        query = select(subscriptions).where(subscriptions.c.id == subscription_id)
        # FOR NO KEY UPDATE: rows that reference the subscription (its charges) may be written
        # on other connections meanwhile.
        row = self.session.execute(query.with_for_update(key_share=True) if lock else query).first()
        if row is None:
            return None
        plan = self.plans.get(row.plan_id)
        next_plan = self.plans.get(row.next_plan_id) if row.next_plan_id else None
        return self.track(Subscription(
            row.id, plan, row.customer_email, Status(row.status), row.anchor, row.periods_paid,
            row.failures, row.past_due_since, next_plan, row.created_at, row.cancelled_at))

    def live_of(self, customer_email: str, plan_id: str) -> str | None:
        return self.session.scalar(select(subscriptions.c.id).where(
            subscriptions.c.customer_email == customer_email, subscriptions.c.plan_id == plan_id,
            subscriptions.c.status != Status.CANCELLED.value))

    def save(self, subscription: Subscription) -> None:
        self.session.execute(update(subscriptions)
                             .where(subscriptions.c.id == subscription.id)
                             .values(updated_at=func.now(), **columns(subscription)))

    def eligible_ids(self, after: str, limit: int) -> list[str]:
        """Active subscriptions of chargeable plans, by id after `after`: an index-only scan of
        `active_subscriptions` joined to the few plans."""
        chargeable = select(plans.c.id).where(plans.c.status != PlanStatus.INACTIVE.value)
        return list(self.session.scalars(
            select(subscriptions.c.id)
            .where(subscriptions.c.status == Status.ACTIVE.value, subscriptions.c.id > after,
                   subscriptions.c.plan_id.in_(chargeable.scalar_subquery()))
            .order_by(subscriptions.c.id).limit(limit)))


def columns(subscription: Subscription) -> dict:
    return {"plan_id": subscription.plan.id,
            "next_plan_id": subscription.next_plan.id if subscription.next_plan else None,
            "customer_email": subscription.customer_email, "status": subscription.status.value,
            "anchor": subscription.anchor, "periods_paid": subscription.periods_paid,
            "next_billing_date": subscription.next_billing_date,
            "failures": subscription.failures, "past_due_since": subscription.past_due_since,
            "cancelled_at": subscription.cancelled_at}

