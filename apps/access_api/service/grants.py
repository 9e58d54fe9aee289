"""Granting and ending roles for purchases, and reading a user's roles.

The grant functions run inside a unit of work the caller opened (the consumer runner), so the
effect commits together with the processed-event records. Granting takes a whole batch of
purchases with a fixed number of statements (one upsert of the buyers, one read of their
grants, one insert), applying the rules of domain/grants.py in the order the sales happened.
"""
import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from apps.access_api.domain import grants as rules
from apps.emails import normalise_email  # the one rule of every service

log = logging.getLogger(__name__)


class UnknownUser(LookupError):
    pass


@dataclass(frozen=True)
class Sale:
    """What a completed purchase means to the access service."""
    purchase_id: str
    buyer_email: str
    product_id: str
    roles: tuple[str, ...]
    period_unit: str
    period_count: int
    purchased_at: datetime


def grant_roles_for_sales(uow, sales: list[Sale]) -> None:
    user_ids = uow.users.ids_for_update([normalise_email(s.buyer_email) for s in sales])
    held = uow.grants.for_users(set(user_ids.values()))
    new = []
    for sale in sales:
        user_id = user_ids[normalise_email(sale.buyer_email)]
        granted = rules.grants_for_purchase(held[user_id], sale.purchase_id, sale.product_id,
                                            list(sale.roles), sale.period_unit, sale.period_count,
                                            sale.purchased_at)
        held[user_id].extend(granted)  # a later sale in the batch queues behind this one
        new += [(user_id, grant) for grant in granted]
    uow.grants.add(new)


def end_grants_for_cancelled_purchase(uow, purchase_id: str, buyer_email: str,
                                      cancelled_at: datetime) -> None:
    user_id = uow.users.id_for_update(normalise_email(buyer_email))
    if user_id is None:
        log.warning("cancellation of purchase %s for a user never granted anything", purchase_id)
        return
    changed = rules.cancel_purchase(uow.grants.for_user(user_id), purchase_id, cancelled_at)
    uow.grants.save(changed)


def roles_of_user(uow, email: str, now: datetime | None = None) -> list[rules.HeldRole]:
    with uow:
        user_id = uow.users.id_of(normalise_email(email))
        if user_id is None:
            raise UnknownUser(email)
        return rules.held_roles(uow.grants.for_user(user_id), now or datetime.now(timezone.utc))
