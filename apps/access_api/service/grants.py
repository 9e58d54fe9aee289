"""Granting and ending roles for purchases, and reading a user's roles.

The grant functions run inside a unit of work the caller opened (the consumer runner), so the
effect commits together with the processed-event record.
"""
import logging
from datetime import datetime, timezone

from apps.access_api.domain import grants as rules

log = logging.getLogger(__name__)


class UnknownUser(LookupError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def grant_roles_for_purchase(uow, purchase_id: str, buyer_email: str, product_id: str,
                             roles: list[str], unit: str, count: int, purchased_at: datetime) -> None:
    user_id = uow.users.get_or_create_for_update(normalise_email(buyer_email))
    existing = uow.grants.for_user(user_id)
    new = rules.grants_for_purchase(existing, purchase_id, product_id, roles, unit, count, purchased_at)
    uow.grants.add(user_id, new)


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
