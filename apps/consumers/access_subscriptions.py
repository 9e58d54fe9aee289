"""Subscription events (topic sales.subscription) into the subscriber's role grants in the
access database: the plan's roles while the subscription is paid up
(apps/access_api/service/subscriptions.py has the rule for each status)."""
from apps.access_api.service import subscriptions
from apps.consumers.subscription_events import EVENT_TYPES, SubscriptionEvent

TOPIC = "sales.subscription"
GROUP = "access-subscriptions"
DEAD_LETTER_TOPIC = "sales.subscription.dlq"
DATABASE = "access"


def state(event: SubscriptionEvent) -> subscriptions.SubscriptionState:
    return subscriptions.SubscriptionState(event.subscription_id, event.customer_email,
                                           event.status, event.roles, event.paid_until)


def handle_subscription_changed(event: SubscriptionEvent, uow) -> None:
    subscriptions.apply_subscription_state(uow, state(event))


# Every event type states the whole new state, so one handler serves them all; the status
# decides. One at a time: a customer's changes apply in order, each under their row lock.
HANDLERS = {event_type: handle_subscription_changed for event_type in EVENT_TYPES}
BATCH_HANDLERS: dict = {}
__all__ = ["EVENT_TYPES", "HANDLERS", "BATCH_HANDLERS", "TOPIC", "GROUP", "DEAD_LETTER_TOPIC"]
