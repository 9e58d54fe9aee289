"""Role events as outbox events: topic access.role, key = the user id, the Avro record.

The four event types share one shape (schemas/avro/Role*/v1.avsc): the record is the event's
own fields, enums by name, so a field added to an event class and its schema needs no line here.
"""
import dataclasses
import uuid
from datetime import datetime
from enum import Enum
from functools import lru_cache

from outbox import OutboxEvent

from apps.access_api.domain.events import RoleEvent, Source

ROLE_TOPIC = "access.role"


PLAIN = frozenset({int, str, datetime, type(None)})  # written as they are


def avro_value(value):
    if type(value) in PLAIN:  # most fields: skips the checks below
        return value
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, Source):
        return {"type": value.type.name, "id": value.id}
    return value


@lru_cache(maxsize=None)
def field_names(event_type: type) -> tuple[str, ...]:
    """dataclasses.fields, once per class: asked per event it cost a tenth of the mapping."""
    return tuple(f.name for f in dataclasses.fields(event_type))


def to_outbox(event: RoleEvent) -> OutboxEvent:
    if not isinstance(event, RoleEvent):
        raise TypeError(f"no outbox mapping for {type(event).__name__}")
    event_id = uuid.uuid4()
    payload = {"event_id": str(event_id), **{name: avro_value(getattr(event, name))
                                              for name in field_names(type(event))}}
    # Keyed by user: one partition per user, so a consumer reads a user's events in sequence.
    return OutboxEvent(ROLE_TOPIC, str(event.user_id), type(event).__name__, payload, event_id)
