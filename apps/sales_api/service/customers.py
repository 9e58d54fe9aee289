"""The sales copy of the shop's customers, kept in step with the access service's users.

Orders write it as they are placed (service/orders.py); the access service's UserUpdated
events, applied here by the sales-customers consumer, bring the changes made there (e.g. a name
changed through its users API). Runs inside the consumer's unit of work.
"""
import logging
from dataclasses import dataclass

from apps.emails import normalise_email

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccessUser:
    """A user's record as the access service announced it."""
    user_id: int
    email: str
    name: str | None
    version: int


def copy_access_user(uow, user: AccessUser) -> bool:
    """Takes the record if it is newer than the copy's (a later user id, else a higher version),
    so a redelivered or stale event changes nothing; True if it was taken. A user without a name
    is left out: a customer's copy always has one, and its orders keep naming it."""
    if user.name is None:
        log.info("user %s (version %d) has no name: the sales copy keeps its own",
                 user.user_id, user.version)
        return False
    return uow.customers.from_access(normalise_email(user.email), user.name, user.user_id,
                                     user.version)
