"""User events as outbox events (topic access.user, key = the user id), and the access
service's one mapper from domain events to outbox rows: user events here, role events in
events.py.
"""
import uuid

from outbox import OutboxEvent

from apps.access_api.adapters import events as role_events
from apps.access_api.domain.users import UserUpdated

USER_TOPIC = "access.user"


def user_updated_to_outbox(event: UserUpdated) -> OutboxEvent:
    event_id = uuid.uuid4()
    payload = {"event_id": str(event_id), "user_id": event.user_id, "email": event.email,
               "name": event.name, "version": event.version, "occurred_at": event.occurred_at}
    # Keyed by user, like access.role: one user's changes stay in order on one partition.
    return OutboxEvent(USER_TOPIC, str(event.user_id), "UserUpdated", payload, event_id)


def to_outbox(event) -> OutboxEvent:
    if isinstance(event, UserUpdated):
        return user_updated_to_outbox(event)
    return role_events.to_outbox(event)  # raises TypeError for an event it does not know
