"""The user events (topic access.user) as consumers read them: one frozen dataclass per record.

Decoded at the Kafka edge (outbox/envelope.py); a contract test keeps these fields in step with
schemas/avro/UserUpdated/. Each event states the user's whole record; `version` orders one
user's events.
"""
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class UserUpdated:
    event_id: str
    user_id: int
    email: str
    name: str | None  # None: the user has no name
    version: int  # per user: +1 with each change of the record
    occurred_at: datetime


EVENT_TYPES = {cls.__name__: cls for cls in (UserUpdated,)}
