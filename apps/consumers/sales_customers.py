"""User events (topic access.user) into the sales service's copy of its customers.

Exactly once without relying on the inbox: each event carries the user's whole record and its
version, and the copy takes it only if it is newer than the one it holds (service/customers.py),
so a redelivery, a re-drive or a stale event changes nothing. The inbox is kept for the shared
batch path; since it guards nothing here, its rows are purged after INBOX_WINDOW although
access.user keeps its events forever. Writing the copy publishes nothing: no echo to access.
"""
from datetime import timedelta

from apps.consumers.user_events import EVENT_TYPES, UserUpdated
from apps.sales_api.service.customers import AccessUser, copy_access_user

TOPIC = "access.user"
GROUP = "sales-customers"
DEAD_LETTER_TOPIC = "access.user.dlq"
DATABASE = "sales"
INBOX_WINDOW = timedelta(days=7)


def handle_user_updated(event: UserUpdated, uow) -> None:
    copy_access_user(uow, AccessUser(event.user_id, event.email, event.name, event.version))


HANDLERS = {"UserUpdated": handle_user_updated}
BATCH_HANDLERS: dict = {}
__all__ = ["EVENT_TYPES", "HANDLERS", "BATCH_HANDLERS", "TOPIC", "GROUP", "DEAD_LETTER_TOPIC",
           "INBOX_WINDOW"]
