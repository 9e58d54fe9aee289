"""Granting and ending roles for purchases, and reading a user's roles.

The grant functions run inside a unit of work the caller opened (the consumer runner), so the
effect, its role events and the processed-event records commit together. Each change goes
through the buyer's ledger (domain/ledger.py) under the user's row lock; granting takes a whole
batch of purchases with a fixed number of statements, applying the rules in the order the
sales happened, so a batch gives exactly the events one-by-one delivery would.
"""
import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from apps.access_api.domain import grants as rules
from apps.durations import Duration
from apps.emails import normalise_email  # the one rule of every service

log = logging.getLogger(__name__)


class UnknownUser(LookupError):
    pass


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Sale:
    """What a completed purchase means to the access service."""
    purchase_id: str
    buyer_email: str
    product_id: str
    roles: tuple[str, ...]
    duration: Duration
    purchased_at: datetime


def grant_roles_for_sales(uow, sales: list[Sale], now: datetime | None = None) -> None:
    if not sales:
        return
    now = now or utc_now()
    emails = [normalise_email(s.buyer_email) for s in sales]
    since = min(now, *(s.purchased_at for s in sales))
    ledgers = uow.ledgers.lock(emails, since, create=True)
    # Grants of earlier batches may have ended long ago and not be loaded: ask the database.
    granted = uow.ledgers.granted_purchases([s.purchase_id for s in sales])
    for sale, email in zip(sales, emails):
        if sale.purchase_id not in granted:
            ledgers[email].buy(sale.purchase_id, sale.product_id, list(sale.roles),
                               sale.duration, sale.purchased_at, now)
    uow.ledgers.save(list(ledgers.values()))


def end_grants_for_cancelled_purchase(uow, purchase_id: str, buyer_email: str,
                                      cancelled_at: datetime, now: datetime | None = None) -> None:
    now = now or utc_now()
    email = normalise_email(buyer_email)
    ledger = uow.ledgers.lock([email], min(cancelled_at, now)).get(email)
    if ledger is None:
        log.warning("cancellation of purchase %s for a user never granted anything", purchase_id)
        return
    ledger.cancel(purchase_id, cancelled_at, now)
    uow.ledgers.save([ledger])


def roles_of_user(uow, email: str, now: datetime | None = None) -> list[rules.HeldRole]:
    with uow:
        user_id = uow.users.id_of(normalise_email(email))
        if user_id is None:
            raise UnknownUser(email)
        return rules.held_roles(uow.grants.for_user(user_id), now or utc_now())
