"""The billing scheduler's use cases: charge what is due, and mark what is overdue.

Both lock the subscriptions they take with SKIP LOCKED (adapters/due.py), so two schedulers share
the work. A renewal goes through the same idempotent charge as the API (service/charges.py)
with the request id `{subscription}-p{period}`: two schedulers, or one restarted mid-pass, ask
for the same charge, which the table and the platform each hold to one.
"""
import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from apps.billing.domain.charges import ChargeKind, NotChargeable
from apps.billing.domain.model import SubscriptionPastDue, SubscriptionSuspended
from apps.billing.service.charges import (Answer, Ask, ChargeInFlight, Charger, Claimed,
                                          PlatformAway, PlatformRefused, claim_in, send)

log = logging.getLogger("billing-scheduler")


@dataclass
class RenewalPass:
    taken: int = 0  # due subscriptions locked by this pass
    answers: list[Answer] = field(default_factory=list)  # charges settled or found settled
    in_flight: int = 0  # being sent by another scheduler (or an API call) right now
    refused: int = 0  # the platform refused the request (4xx): left pending, logged
    platform_away: str | None = None  # why the pass stopped sending, if it did


@dataclass
class OverduePass:
    taken: int = 0
    past_due: int = 0
    suspended: int = 0


def charge_due_renewals(charger: Charger, today: date, limit: int, plan_ids=()) -> RenewalPass:
    """Claims the renewals of up to `limit` due subscriptions in one transaction, then sends
    each. The platform away stops the pass: the rest stay pending and a later pass sends them."""
    done = RenewalPass()
    with charger.uow() as uow:
        claims: list[Claimed] = []
        for subscription_id in uow.due.lock_due_renewals(today, limit, plan_ids):
            try:
                claims.append(claim_in(uow, uow.subscriptions.get(subscription_id),
                                       Ask(ChargeKind.RENEWAL)))
            except NotChargeable:  # its plan was made inactive since the query read it
                pass
        uow.commit()
    done.taken = len(claims)
    for claimed in claims:
        try:
            done.answers.append(send(charger, claimed, claimed.charge.request_id))
        except ChargeInFlight:
            done.in_flight += 1
        except PlatformRefused as refused:
            done.refused += 1
            log.error("charge %s refused by the platform: %s", claimed.charge.request_id, refused)
        except PlatformAway as away:
            done.platform_away = str(away)
            break
    return done


def mark_overdue(uow, today: date, now: datetime, limit: int, plan_ids=()) -> OverduePass:
    """Up to `limit` subscriptions whose billing date passed unpaid become past due, and those
    past due beyond the grace period suspended, each with its event, in one transaction."""
    done = OverduePass()
    with uow:
        subscriptions = [uow.subscriptions.get(i)
                         for i in uow.due.lock_overdue(today, limit, plan_ids)]
        for subscription in subscriptions:
            subscription.overdue(today, now)
            done.past_due += any(isinstance(e, SubscriptionPastDue) for e in subscription.events)
            done.suspended += any(isinstance(e, SubscriptionSuspended)
                                  for e in subscription.events)
            uow.subscriptions.save(subscription)
        uow.commit()
    done.taken = len(subscriptions)
    return done
