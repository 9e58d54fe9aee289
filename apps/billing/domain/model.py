"""Plans and subscriptions: the lifecycle of a subscription and the events of each change.

                 payment_success                     pause              resume
    pending ─────────────────────► active ◄──────────────────► paused
       │                          │  ▲   ▲ payment_success
       │       payment_failed, or │  │   └────────────────┐
       │   the billing date passes│  │ payment_success    │
       │                          ▼  │                    │
       └──payment_failed────► past_due ── N failures or ─► suspended
                                         the grace period
    cancel: from any state but cancelled ─► cancelled (final)

- A subscription bills on its anchor day (the day it was created) every cycle. `periods_paid`
  counts the periods paid; the next billing date is the end of the last paid period, so a
  payment moves it one cycle on from the period it pays.
- Roles: held while active, from the start of the paid periods to the end of the last one;
  pausing or suspension ends them at once; cancelling keeps them to the end of the paid period.
- Plan changes keep the billing cycle. An upgrade (a higher price) takes effect at once, with a
  prorated charge for the rest of the current period when the subscription is active (any other
  status pays the new price from its next payment on); a downgrade takes effect when the current
  period ends (the next payment pays for the new plan).
"""
import enum
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from apps.billing.domain.cycles import BillingCycle, cents, period_end

MAX_FAILURES = 3  # payment failures in a row before a past-due subscription is suspended
GRACE_DAYS = 7  # days past due before suspension, however few failures were reported


class PlanStatus(str, enum.Enum):
    ACTIVE = "active"  # open to new subscriptions
    CLOSED = "closed"  # no new subscriptions; existing ones continue and are charged
    INACTIVE = "inactive"  # no new subscriptions, not chargeable


class Status(str, enum.Enum):
    PENDING = "pending"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    SUSPENDED = "suspended"
    PAUSED = "paused"
    CANCELLED = "cancelled"


LIVE = (Status.PENDING, Status.ACTIVE, Status.PAST_DUE, Status.SUSPENDED, Status.PAUSED)


class BillingError(Exception):
    field: str | None = None


class InvalidTransition(BillingError):
    field = "status"

    def __init__(self, current: Status, wanted: str):
        super().__init__(f"a {current.value} subscription cannot become {wanted}")
        self.current = current


class PlanNotOpen(BillingError):
    field = "plan_id"

    def __init__(self, plan: "Plan"):
        super().__init__(f"plan {plan.id} is {plan.status.value}: it takes no new subscriptions")


class CycleMismatch(BillingError):
    field = "plan_id"

    def __init__(self, current: "Plan", new: "Plan"):
        super().__init__(f"plan {new.id} bills {new.cycle.value}, this subscription "
                         f"{current.cycle.value}: a plan change keeps the billing cycle")


@dataclass(frozen=True)
class Plan:
    id: str
    name: str
    price: Decimal
    currency: str
    cycle: BillingCycle
    roles: tuple[str, ...]
    status: PlanStatus = PlanStatus.ACTIVE

    @property
    def chargeable(self) -> bool:
        return self.status is not PlanStatus.INACTIVE


@dataclass(frozen=True)
class State:
    """A subscription as one change left it: every event states the whole new state, so a
    consumer never needs to call back (two changes in one transaction each keep their own)."""
    subscription_id: str
    customer_email: str
    plan: Plan
    status: "Status"
    next_billing_date: date
    paid_until: date | None  # the end of the paid periods; None before the first payment
    next_plan: Plan | None = None  # a downgrade waiting for the end of the paid period


@dataclass(frozen=True)
class SubscriptionEvent:
    state: State
    at: datetime


class SubscriptionCreated(SubscriptionEvent):
    pass


class SubscriptionActivated(SubscriptionEvent):
    pass


class SubscriptionRenewed(SubscriptionEvent):
    pass


class SubscriptionPastDue(SubscriptionEvent):
    pass


class SubscriptionSuspended(SubscriptionEvent):
    pass


class SubscriptionPaused(SubscriptionEvent):
    pass


class SubscriptionResumed(SubscriptionEvent):
    pass


class SubscriptionCancelled(SubscriptionEvent):
    pass


@dataclass(frozen=True)
class SubscriptionPlanChanged(SubscriptionEvent):
    previous_plan_id: str = ""
    prorated_amount: Decimal = Decimal("0")  # charged now for an upgrade; 0 for a downgrade


@dataclass
class Subscription:
    id: str
    plan: Plan
    customer_email: str
    status: Status
    anchor: date  # the first billing day; every billing date is counted from it
    periods_paid: int = 0
    failures: int = 0  # payment failures since the last success
    past_due_since: date | None = None
    next_plan: Plan | None = None  # a downgrade waiting for the end of the paid period
    created_at: datetime | None = None
    cancelled_at: datetime | None = None
    events: list = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def create(cls, plan: Plan, customer_email: str, now: datetime) -> "Subscription":
        if plan.status is not PlanStatus.ACTIVE:
            raise PlanNotOpen(plan)
        subscription = cls(new_id(), plan, customer_email, Status.PENDING, now.date(),
                           created_at=now)
        subscription.emit(SubscriptionCreated, now)
        return subscription

    # Dates ------------------------------------------------------------------------------
    @property
    def next_billing_date(self) -> date:
        """The day the next period is due: the end of the last paid one (the anchor if none)."""
        return period_end(self.anchor, self.plan.cycle, self.periods_paid)

    @property
    def paid_until(self) -> date | None:
        return self.next_billing_date if self.periods_paid else None

    @property
    def period_start(self) -> date:
        return period_end(self.anchor, self.plan.cycle, max(self.periods_paid - 1, 0))

    # Payments ---------------------------------------------------------------------------
    def payment_succeeded(self, now: datetime) -> None:
        """One more period paid: pending/past_due/suspended become active; active renews.
        A payment for a paused or cancelled subscription changes nothing here (refunds are the
        platform's business)."""
        if self.status in (Status.PAUSED, Status.CANCELLED):
            return
        was = self.status
        if self.next_plan is not None:  # the downgrade starts with the period this pays
            self.plan, self.next_plan = self.next_plan, None
        self.periods_paid += 1
        self.status, self.failures, self.past_due_since = Status.ACTIVE, 0, None
        self.emit(SubscriptionRenewed if was is Status.ACTIVE else SubscriptionActivated, now)

    def payment_failed(self, now: datetime) -> None:
        if self.status not in (Status.PENDING, Status.ACTIVE, Status.PAST_DUE):
            return
        self.failures += 1
        self.fall_due(now)
        if self.failures >= MAX_FAILURES:
            self.suspend(now)

    def overdue(self, today: date, now: datetime) -> None:
        """The scheduler's daily look: an active subscription whose billing date passed unpaid
        is past due; one past due longer than the grace period is suspended."""
        if self.status is Status.ACTIVE and self.next_billing_date < today:
            self.fall_due(now, since=self.next_billing_date)
        if self.status is Status.PAST_DUE and self.past_due_since is not None \
                and (today - self.past_due_since).days > GRACE_DAYS:
            self.suspend(now)

    def fall_due(self, now: datetime, since: date | None = None) -> None:
        if self.status in (Status.ACTIVE, Status.PENDING):
            self.status, self.past_due_since = Status.PAST_DUE, since or now.date()
            self.emit(SubscriptionPastDue, now)

    def suspend(self, now: datetime) -> None:
        if self.status is Status.PAST_DUE:
            self.status = Status.SUSPENDED
            self.emit(SubscriptionSuspended, now)

    # Requests ---------------------------------------------------------------------------
    def request(self, wanted: str, now: datetime) -> None:
        """POST /status: paused (from active), active (from paused), cancelled (from any live)."""
        if wanted == Status.PAUSED.value and self.status is Status.ACTIVE:
            self.status = Status.PAUSED
            self.emit(SubscriptionPaused, now)
        elif wanted == Status.ACTIVE.value and self.status is Status.PAUSED:
            self.status = Status.ACTIVE
            self.emit(SubscriptionResumed, now)
        elif wanted == Status.CANCELLED.value and self.status in LIVE:
            self.status, self.cancelled_at = Status.CANCELLED, now
            self.emit(SubscriptionCancelled, now)
        else:
            raise InvalidTransition(self.status, wanted)

    def change_plan(self, new: Plan, today: date, now: datetime) -> Decimal:
        """Returns the prorated amount to charge now (0 for a downgrade or an unpaid period)."""
        if self.status not in LIVE:
            raise InvalidTransition(self.status, f"on plan {new.id}")
        if new.status is not PlanStatus.ACTIVE:
            raise PlanNotOpen(new)
        if new.cycle is not self.plan.cycle:
            raise CycleMismatch(self.plan, new)
        previous = self.plan
        if new.price > previous.price:
            # Only an active subscription uses its paid period now; a paused, past-due or
            # suspended one pays the new price from its next payment on.
            amount = prorated(previous, new, self.period_start, self.next_billing_date, today) \
                if self.periods_paid and self.status is Status.ACTIVE else Decimal("0")
            self.plan, self.next_plan = new, None
        else:
            amount = Decimal("0")
            self.next_plan = new
        self.events.append(SubscriptionPlanChanged(self.state(), now, previous.id, amount))
        return amount

    def state(self) -> State:
        return State(self.id, self.customer_email, self.plan, self.status,
                     self.next_billing_date, self.paid_until, self.next_plan)

    def emit(self, event_class, now: datetime) -> None:
        self.events.append(event_class(self.state(), now))


def prorated(old: Plan, new: Plan, start: date, end: date, today: date) -> Decimal:
    """The price difference for the days left of the paid period [start, end), by whole days:
    (new - old) * days left / days in the period, rounded to the cent."""
    days = (end - start).days
    left = min(max((end - today).days, 0), days)
    return cents((new.price - old.price) * left / days) if days else Decimal("0")


def new_id() -> str:
    return "sub_" + secrets.token_hex(8)
