"""Charging a subscription for a period: the API's request, the scheduler's renewals and the
plan change's proration all go through `claim` and `send`.

1. `claim` (one transaction): the charge on record under the request id is the answer (a
   request id is never charged twice); otherwise a pending row is inserted. The table's two
   unique rules make a concurrent claim of the same request id, or of the same subscription,
   period and kind under another id, find the other's row instead (also never charged twice).
2. `send` (no transaction open): under the charge's advisory lock, the platform is asked with
   the charge's request id, which it dedupes, so sending a pending charge again (after a timeout,
   a 5xx, a crash) never charges twice. Timeouts and 5xx are retried with backoff; each attempt
   is recorded on its own connection.
3. The outcome is written in a second transaction: approved with the platform's charge id, or
   declined with the reason. The platform still away leaves the charge pending (PlatformAway).

A charge never changes the subscription: the platform's webhooks do.
"""
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from apps.billing.adapters.charges import ChargeAttempts, ChargeLocks
from apps.billing.domain.charges import (Charge, ChargeKind, ChargeStatus, RequestIdTaken,
                                         conflicts, period_of, proration, renewal,
                                         scheduled_request_id)
from apps.billing.domain.model import BillingError, Subscription
from apps.billing.service.subscriptions import locked
from apps.billing.service.uow import BillingUnitOfWork
from apps.payments.platform import PlatformRejected, PlatformUnavailable, with_backoff

RETRY_AFTER_S = 10  # how long a caller waits before sending a charge the platform left pending


class UnknownCharge(BillingError):
    def __init__(self, subscription_id: str, request_id: str):
        super().__init__(f"subscription {subscription_id!r} has no charge {request_id!r}")


class ChargeInFlight(BillingError):
    """This request id's charge is being sent by another call right now."""
    field = "request_id"

    def __init__(self, request_id: str):
        super().__init__(f"charge {request_id!r} is being sent by another request; retry "
                         "with the same request id when it has finished")


class PlatformAway(Exception):
    """The platform did not answer (timeouts, 5xx) after the retries: the charge stays pending;
    send the same request id again later."""

    def __init__(self, charge: Charge, reason: str):
        super().__init__(reason)
        self.charge = charge


class PlatformRefused(Exception):
    """The platform refused the request (a 4xx other than a decline: credentials, a request id
    used with another body): the charge stays pending, nothing was charged."""

    def __init__(self, charge: Charge, reason: str):
        super().__init__(reason)
        self.charge = charge


@dataclass(frozen=True)
class Ask:
    """What a caller asks for: its kind, its request id (None: derived from the subscription and
    the period, as the scheduler and the plan change do) and a proration's amount."""
    kind: ChargeKind
    request_id: str | None = None
    amount: Decimal | None = None

    def request_id_for(self, subscription: Subscription) -> str:
        return self.request_id or scheduled_request_id(
            subscription.id, period_of(subscription, self.kind), self.kind)

    def charge_for(self, subscription: Subscription, request_id: str) -> Charge:
        if self.kind is ChargeKind.PRORATION:
            return proration(subscription, request_id, self.amount)
        return renewal(subscription, request_id)


@dataclass(frozen=True)
class Claimed:
    charge: Charge
    customer_email: str


@dataclass(frozen=True)
class Answer:
    charge: Charge
    new: bool  # this call settled a charge of its own request id (else: one on record)


@dataclass
class Charger:
    """What charging needs beyond a unit of work: one per thread (the platform client is)."""
    uow: Callable[[], BillingUnitOfWork]
    platform: object  # apps.payments.platform.PaymentPlatform or a fake of it
    attempts: ChargeAttempts
    locks: ChargeLocks
    tries: int = 3  # within one call; a later call with the same request id tries again
    sleep: Callable[[float], None] = time.sleep


# Use cases -------------------------------------------------------------------------------
def charge_period(charger: Charger, subscription_id: str, request_id: str) -> Answer:
    """POST /api/subscriptions/{id}/charges/{request_id}: the current period's charge."""
    claimed = claim(charger.uow(), subscription_id, Ask(ChargeKind.RENEWAL, request_id))
    return send(charger, claimed, request_id)


def charge_proration(charger: Charger, subscription_id: str, amount: Decimal) -> Answer | None:
    """The plan change's charge for an upgrade (None when there is nothing to charge): request
    id `{subscription}-p{period}-proration`, so one proration per paid period. A second upgrade
    in the same period gets the first one's charge back."""
    if amount <= 0:  # a downgrade, or an upgrade before the first payment
        return None
    claimed = claim(charger.uow(), subscription_id, Ask(ChargeKind.PRORATION, amount=amount))
    return send(charger, claimed, claimed.charge.request_id)


def get_charge(uow, subscription_id: str, request_id: str) -> Charge:
    with uow:
        charge = uow.charges.get(request_id)
    if charge is None or charge.subscription_id != subscription_id:
        raise UnknownCharge(subscription_id, request_id)
    return charge


# The two steps ----------------------------------------------------------------------------
def claim(uow: BillingUnitOfWork, subscription_id: str, ask: Ask) -> Claimed:
    with uow:
        subscription = locked(uow, subscription_id)
        claimed = claim_in(uow, subscription, ask)
        uow.commit()
        return claimed


def claim_in(uow: BillingUnitOfWork, subscription: Subscription, ask: Ask) -> Claimed:
    """The charge to answer with or to send, in the caller's open transaction: the one on record
    under the request id, a new pending one, or the one a concurrent claim made."""
    request_id = ask.request_id_for(subscription)
    charge = uow.charges.get(request_id)
    if charge is None:
        wanted = ask.charge_for(subscription, request_id)  # NotChargeable: 409
        charge = (uow.charges.claim(wanted) or uow.charges.get(request_id)
                  or uow.charges.of_period(subscription.id, wanted.period, wanted.kind))
    if charge.request_id == request_id and conflicts(charge, subscription.id, ask.kind):
        raise RequestIdTaken(request_id, charge)
    return Claimed(charge, subscription.customer_email)


def send(charger: Charger, claimed: Claimed, request_id: str) -> Answer:
    """Sends a pending charge (never one on record as settled) and records the outcome. A charge
    someone else is sending now is answered as it stands, unless it is the caller's own request
    id (ChargeInFlight)."""
    charge = claimed.charge
    if charge.settled:
        return Answer(charge, new=False)
    with charger.locks.sending(charge.request_id) as mine:
        if not mine:
            if charge.request_id == request_id:
                raise ChargeInFlight(request_id)
            return Answer(charge, new=False)
        with charger.uow() as uow:  # settled by whoever held the lock just before us?
            charge = uow.charges.get(charge.request_id)
        if charge.settled:
            return Answer(charge, new=False)
        result = ask_platform(charger, charge, claimed.customer_email)
        status = ChargeStatus.APPROVED if result.approved else ChargeStatus.DECLINED
        detail = None if result.approved else \
            f"{result.decline_code or 'declined'}: {result.decline_message or 'declined'}"
        with charger.uow() as uow:
            settled = uow.charges.settle(charge.request_id, status, result.charge_id, detail)
            uow.commit()
    return Answer(settled or charge, new=settled is not None and settled.request_id == request_id)


def ask_platform(charger: Charger, charge: Charge, customer_email: str):
    def attempt():
        try:
            result = charger.platform.subscription_charge(
                charge.request_id, customer_email, charge.plan_id,
                subscription_id=charge.subscription_id, amount=charge.amount)
        except PlatformUnavailable as error:
            charger.attempts.record(charge.request_id, "unavailable", str(error))
            raise
        except PlatformRejected as error:
            charger.attempts.record(charge.request_id, "rejected", str(error))
            raise
        charger.attempts.record(charge.request_id, "approved" if result.approved else "declined",
                                result.charge_id)
        return result
    try:
        return with_backoff(attempt, attempts=charger.tries, sleep=charger.sleep)
    except PlatformUnavailable as error:
        raise PlatformAway(charge, str(error)) from None
    except PlatformRejected as error:
        raise PlatformRefused(charge, str(error)) from None
