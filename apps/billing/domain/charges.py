"""Charges of a subscription: what a period costs, who may be charged, and what a second request
for a charge already on record gets.

A charge pays one period of one subscription: a `renewal` pays period `periods_paid + 1` (the
first payment of a pending subscription is period 1), at the price of the plan that period runs
on (a waiting downgrade's); a `proration` pays the rest of the current paid period after an
upgrade. Two rules keep it to one charge (the table enforces both): one charge per request id,
and one per subscription, period and kind. A charge never changes the subscription: the payment
platform's webhooks do (service/webhooks.py), whatever asked for the charge.
"""
import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from apps.billing.domain.model import BillingError, InvalidTransition, Plan, Status, Subscription

# A payment activates pending, past-due and suspended subscriptions and renews active ones;
# paused and cancelled ones are not charged (a payment would change nothing for them).
CHARGEABLE = (Status.PENDING, Status.ACTIVE, Status.PAST_DUE, Status.SUSPENDED)


class ChargeKind(str, enum.Enum):
    RENEWAL = "renewal"
    PRORATION = "proration"


class ChargeStatus(str, enum.Enum):
    PENDING = "pending"  # claimed; the platform has not answered (yet)
    APPROVED = "approved"
    DECLINED = "declined"


class NotChargeable(InvalidTransition):
    """Answered like a refused transition: 409 naming the current status (or the plan's)."""

    def __init__(self, subscription: Subscription):
        BillingError.__init__(self, not_chargeable_reason(subscription))
        self.current = subscription.status


class RequestIdTaken(BillingError):
    field = "request_id"

    def __init__(self, request_id: str, charge: "Charge"):
        super().__init__(f"request id {request_id!r} names a {charge.kind.value} charge of "
                         f"subscription {charge.subscription_id}: use a new request id")


@dataclass(frozen=True)
class Charge:
    request_id: str
    subscription_id: str
    period: int
    kind: ChargeKind
    plan_id: str  # the platform's sku: the plan the period is paid at
    amount: Decimal
    currency: str
    status: ChargeStatus = ChargeStatus.PENDING
    charge_id: str | None = None  # the platform's id, once it answered
    detail: str | None = None  # why it was declined
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def settled(self) -> bool:
        return self.status is not ChargeStatus.PENDING


def conflicts(existing: Charge, subscription_id: str, kind: ChargeKind) -> bool:
    """Whether the charge on record under a request id is another subscription's, or another
    kind: the request id was used for another charge (answered 409, never that charge)."""
    return (existing.subscription_id, existing.kind) != (subscription_id, kind)


def not_chargeable_reason(subscription: Subscription) -> str | None:
    if subscription.status not in CHARGEABLE:
        return (f"a {subscription.status.value} subscription is not charged (charged: "
                f"{', '.join(s.value for s in CHARGEABLE)})")
    plan = period_plan(subscription)
    if not plan.chargeable:
        return f"plan {plan.id} is {plan.status.value}: its subscriptions are not charged"
    return None


def period_plan(subscription: Subscription) -> Plan:
    """The plan the next period runs on: a waiting downgrade's, else the current one."""
    return subscription.next_plan or subscription.plan


def period_of(subscription: Subscription, kind: ChargeKind) -> int:
    """The period a charge of `kind` pays: the next unpaid one for a renewal, the current paid
    one for a proration."""
    return subscription.periods_paid + (1 if kind is ChargeKind.RENEWAL else 0)


def renewal(subscription: Subscription, request_id: str) -> Charge:
    """The charge for the subscription's next unpaid period, at the plan price."""
    if not_chargeable_reason(subscription):
        raise NotChargeable(subscription)
    plan = period_plan(subscription)
    return Charge(request_id, subscription.id, period_of(subscription, ChargeKind.RENEWAL),
                  ChargeKind.RENEWAL, plan.id, plan.price, plan.currency)


def proration(subscription: Subscription, request_id: str, amount: Decimal) -> Charge:
    """The charge for an upgrade's rest of the current paid period (period `periods_paid`)."""
    if not_chargeable_reason(subscription):
        raise NotChargeable(subscription)
    if amount <= 0 or subscription.periods_paid == 0:
        raise ValueError("a proration charges a positive amount for a paid period")
    plan = subscription.plan
    return Charge(request_id, subscription.id, period_of(subscription, ChargeKind.PRORATION),
                  ChargeKind.PRORATION, plan.id, amount, plan.currency)


def scheduled_request_id(subscription_id: str, period: int,
                         kind: ChargeKind = ChargeKind.RENEWAL) -> str:
    """The request id the scheduler (or the plan change) uses: derived from the subscription and
    the period, so every scheduler instance, and a restart, asks for the same charge."""
    suffix = "" if kind is ChargeKind.RENEWAL else f"-{kind.value}"
    return f"{subscription_id}-p{period}{suffix}"
