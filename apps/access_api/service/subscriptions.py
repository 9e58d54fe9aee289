"""A plan's roles while its subscription is paid up: what each subscription change does.

Every subscription event states the subscription's whole new state, so the effect follows from
its status alone, whatever the event type (an upgrade's SubscriptionPlanChanged of an active
subscription sets the new plan's roles; the same event of a paused one changes nothing):

- active (activated, renewed, resumed, plan changed): the plan's roles until the end of the paid
  period (the end of the `paid_until` day, UTC: the renewal is charged that day); a renewal
  moves that end on (RoleExtended).
- paused, suspended: the roles end now.
- cancelled: the roles last to the end of the paid period, then expire; never longer.
- past_due: nothing changes. The roles still end with the paid period, through the expiry
  scheduler, unless a payment arrives first: past-due grace keeps access to the end of the
  paid period, not beyond.
- pending (created): nothing yet.

Runs inside the unit of work the consumer runner opened, under the customer's row lock (the
ledger), like the purchase grants (service/grants.py). Applying a state twice changes nothing
the second time, so no role event either.
"""
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from apps.access_api.domain.events import Reason
from apps.access_api.domain.ledger import Ledger
from apps.access_api.service.grants import utc_now
from apps.emails import normalise_email

log = logging.getLogger(__name__)

REASON = Reason.SUBSCRIPTION_CHANGE


@dataclass(frozen=True)
class SubscriptionState:
    """What a subscription change means to the access service."""
    subscription_id: str
    customer_email: str
    status: str
    roles: tuple[str, ...]
    paid_until: date | None  # the end of the paid periods; None before the first payment


# The billing scheduler charges a renewal on the billing date itself (`paid_until`), and its
# payment webhook arrives some time that day; access runs to the end of that day (midnight UTC
# after it), so a renewal paid on time moves the end on (RoleExtended) with no gap in between.
RENEWAL_DAY = timedelta(days=1)


def paid_end(paid_until: date | None) -> datetime | None:
    """The end of access for a paid period: the end (midnight UTC) of the billing day
    `paid_until`, the day the next period is charged."""
    if paid_until is None:
        return None
    return datetime.combine(paid_until, time.min, timezone.utc) + RENEWAL_DAY


def hold(ledger: Ledger, state: SubscriptionState, now: datetime) -> None:
    until = paid_end(state.paid_until) or now  # active but never paid: nothing to hold
    ledger.subscribe(state.subscription_id, list(state.roles), until, REASON, now)


def end(ledger: Ledger, state: SubscriptionState, now: datetime) -> None:
    ledger.end_subscription(state.subscription_id, now, REASON)


def keep_to_paid_end(ledger: Ledger, state: SubscriptionState, now: datetime) -> None:
    ledger.keep_subscription_until(state.subscription_id, paid_end(state.paid_until), now, REASON)


RULES = {"active": hold, "paused": end, "suspended": end, "cancelled": keep_to_paid_end}
UNCHANGED = {"pending", "past_due"}


def apply_subscription_state(uow, state: SubscriptionState, now: datetime | None = None) -> None:
    rule = RULES.get(state.status)
    if rule is None:
        if state.status not in UNCHANGED:
            log.warning("subscription %s: status %r unknown here; roles left as they are",
                        state.subscription_id, state.status)
        return
    now = now or utc_now()
    email = normalise_email(state.customer_email)
    # Only holding roles needs a user: ending those of a customer never granted is nothing.
    ledger = uow.ledgers.lock([email], now, create=rule is hold).get(email)
    if ledger is None:
        return
    rule(ledger, state, now)
    uow.ledgers.save([ledger])
