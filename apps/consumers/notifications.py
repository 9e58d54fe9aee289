"""E-mails from events (apps/notifications): order, role, subscription and lead events into the
customer's e-mails, each sent over SMTP once per cause (apps/notifications/service/notify.py).

Reads four topics in one group: the access e-mail needs an order's payment (sales.order) and its
purchases' roles (access.role), in whichever order they arrive. The relay away (refused,
timed out, 4xx) is a failure of the infrastructure, not of the event: like the database being
away it holds the batch and pauses the partitions, retried with backoff, never dead-lettered.
"""
from datetime import timedelta

from sqlalchemy.exc import OperationalError

from apps.consumers import lead_events, order_events, role_events, subscription_events
from apps.notifications import settings
from apps.notifications.adapters.smtp import SmtpUnavailable
from apps.notifications.service import notify

TOPICS = ("sales.order", "access.role", "sales.subscription", "sales.lead")
GROUP = "notifications"
DEAD_LETTER_TOPIC = "notifications.dlq"
DATABASE = "notifications"
TRANSIENT_ERRORS = (OperationalError, SmtpUnavailable)
# One event per transaction: an e-mail goes out inside its event's transaction, and a later
# event's failure (or the relay going away) must not roll back the sent log of an e-mail the
# relay already took, which would send it again.
BATCH_SIZE = 1
# The sent log, not the inbox, keeps each e-mail to one: the other effects are idempotent
# (remembering an order, a role seen), so the inbox need not outlive access.role's history.
INBOX_WINDOW = timedelta(days=7)
EVENT_TYPES = {**order_events.EVENT_TYPES, **role_events.EVENT_TYPES,
               **subscription_events.EVENT_TYPES, **lead_events.EVENT_TYPES}
NOTICES = {"SubscriptionPastDue": "past_due", "SubscriptionSuspended": "suspended",
           "SubscriptionCancelled": "cancelled"}


def check_settings() -> None:
    """At start-up: a production process without its relay stops before reading an event."""
    settings.from_env()


def handle_order_placed(event: order_events.OrderPlaced, uow) -> None:
    notify.order_placed(uow, event.order_id, event.customer_email, event.customer_name,
                        [(item.product_name, item.roles) for item in event.items])


def handle_order_paid(event: order_events.OrderPaid, uow) -> None:
    notify.order_paid(uow, event.order_id, event.customer_email, event.customer_name,
                      event.purchase_ids, event.occurred_at)


def handle_payment_failed(event: order_events.OrderPaymentFailed, uow) -> None:
    notify.payment_failed(uow, event.order_id, event.customer_email, event.customer_name,
                          event.failure_code, event.failure_message, event.total,
                          event.currency, event.occurred_at)


def handle_order_cancelled(event: order_events.OrderCancelled, uow) -> None:
    notify.order_closed(uow, event.order_id, event.customer_email)


def handle_role_event(event: role_events.RoleEvent, uow) -> None:
    held = not isinstance(event, role_events.RoleRevoked)
    notify.role_changed(uow, event.email, event.role, event.until if held else None,
                        event.sequence)
    if held and event.source.type == "PURCHASE":
        notify.purchase_opened(uow, event.source.id, event.role, event.email)


def handle_subscription_notice(event: subscription_events.SubscriptionEvent, uow) -> None:
    notify.subscription_changed(uow, event.subscription_id, NOTICES[type(event).__name__],
                                event.customer_email, event.plan_name, event.paid_until,
                                event.next_billing_date, event.occurred_at)


def handle_reminder_due(event: lead_events.LeadReminderDue, uow) -> None:
    notify.checkout_abandoned(uow, event.lead_id, event.email, event.name, event.shop_url,
                              event.occurred_at)


def tells_nobody(event, uow) -> None:
    """Read and recorded, no e-mail (e.g. a role ending, a renewal)."""


HANDLERS = {
    **{event_type: tells_nobody for event_type in EVENT_TYPES},
    "OrderPlaced": handle_order_placed, "OrderPaid": handle_order_paid,
    "OrderPaymentFailed": handle_payment_failed, "OrderCancelled": handle_order_cancelled,
    **{event_type: handle_role_event for event_type in role_events.EVENT_TYPES},
    **{event_type: handle_subscription_notice for event_type in NOTICES},
    "LeadReminderDue": handle_reminder_due,
}
BATCH_HANDLERS: dict = {}
__all__ = ["EVENT_TYPES", "HANDLERS", "BATCH_HANDLERS", "TOPICS", "GROUP", "DEAD_LETTER_TOPIC",
           "TRANSIENT_ERRORS", "BATCH_SIZE", "INBOX_WINDOW", "check_settings"]
