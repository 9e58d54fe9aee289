"""Use cases of plans and subscriptions requested over the API.

Each commits the rows and the events of the change in one transaction (the unit of work
publishes the events of every subscription it loaded or added).
"""
from dataclasses import replace
from datetime import datetime, timezone

from apps import money
from apps.billing.domain.model import BillingError, Plan, Subscription
from apps.emails import normalise_email


class UnknownPlan(BillingError):
    field = "plan_id"

    def __init__(self, plan_id: str):
        super().__init__(f"plan {plan_id!r} does not exist")


class PlanExists(BillingError):
    field = "id"

    def __init__(self, plan_id: str):
        super().__init__(f"a plan with id {plan_id!r} exists")


class InvalidPrice(BillingError):
    field = "price"


class UnknownSubscription(BillingError):
    def __init__(self, subscription_id: str):
        super().__init__(f"subscription {subscription_id!r} does not exist")


class AlreadySubscribed(BillingError):
    field = "plan_id"

    def __init__(self, email: str, plan_id: str, subscription_id: str):
        super().__init__(f"{email} already has a live subscription to {plan_id}: "
                         f"{subscription_id}")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


# Plans ------------------------------------------------------------------------------------
def list_plans(uow) -> list[Plan]:
    with uow:
        return uow.plans.all()


def get_plan(uow, plan_id: str) -> Plan:
    with uow:
        plan = uow.plans.get(plan_id)
    if plan is None:
        raise UnknownPlan(plan_id)
    return plan


def create_plan(uow, plan: Plan) -> Plan:
    with uow:
        if not uow.plans.add(plan):
            raise PlanExists(plan.id)
        uow.commit()
    return plan


def update_plan(uow, plan_id: str, changes: dict) -> Plan:
    """Name, price, roles or status; the price and roles apply from the next payment on."""
    with uow:
        plan = uow.plans.get(plan_id, lock=True)
        if plan is None:
            raise UnknownPlan(plan_id)
        plan = replace(plan, **changes)
        if error := price_error(plan):  # a new price, or a new currency under the old one
            raise InvalidPrice(error)
        uow.plans.save(plan)
        uow.commit()
    return plan


def price_error(plan: Plan) -> str | None:
    """The rule the schema checks at creation, for the plan a change leaves: a price in its
    currency and above 0 (the column would refuse 0, or more than 10 integer digits)."""
    return money.amount_error(plan.price, plan.currency) or (
        "must be above 0" if plan.price <= 0 else None)


# Subscriptions ----------------------------------------------------------------------------
def subscribe(uow, plan_id: str, customer_email: str, clock=utc_now) -> Subscription:
    email = normalise_email(customer_email)
    with uow:
        plan = uow.plans.get(plan_id, lock=True)  # serialises two subscribes of one plan
        if plan is None:
            raise UnknownPlan(plan_id)
        live = uow.subscriptions.live_of(email, plan_id)
        if live is not None:
            raise AlreadySubscribed(email, plan_id, live)
        subscription = Subscription.create(plan, email, clock())
        uow.subscriptions.add(subscription)
        uow.commit()
        return subscription


def get_subscription(uow, subscription_id: str) -> Subscription:
    with uow:
        subscription = uow.subscriptions.get(subscription_id)
    if subscription is None:
        raise UnknownSubscription(subscription_id)
    return subscription


def change_status(uow, subscription_id: str, wanted: str, clock=utc_now) -> Subscription:
    with uow:
        subscription = locked(uow, subscription_id)
        subscription.request(wanted, clock())
        uow.subscriptions.save(subscription)
        uow.commit()
        return subscription


def change_plan(uow, subscription_id: str, plan_id: str, clock=utc_now):
    """Returns the subscription and the prorated amount due now (charged by the caller through
    the idempotent charge, kind `proration`)."""
    now = clock()
    with uow:
        subscription = locked(uow, subscription_id)
        plan = uow.plans.get(plan_id)
        if plan is None:
            raise UnknownPlan(plan_id)
        amount = subscription.change_plan(plan, now.date(), now)
        uow.subscriptions.save(subscription)
        uow.commit()
        return subscription, amount


def eligible(uow, after: str = "", limit: int = 1000) -> list[str]:
    with uow:
        return uow.subscriptions.eligible_ids(after, limit)


def locked(uow, subscription_id: str) -> Subscription:
    subscription = uow.subscriptions.get(subscription_id, lock=True)
    if subscription is None:
        raise UnknownSubscription(subscription_id)
    return subscription
