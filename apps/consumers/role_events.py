"""The role events (topic access.role) as consumers read them: one frozen dataclass per record.

Decoded at the Kafka edge (outbox/envelope.py) from the record the codec resolved to the
current reader schema (schemas/avro/Role*/); a contract test keeps these fields in step with
those schemas. Each event states the whole new state of one role of one user (held until
`until`, or no longer held), and `sequence` orders a user's events across all their roles.
"""
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RoleSource:
    type: str  # PURCHASE, SUBSCRIPTION, MANUAL or USER (the user was deleted)
    id: str


@dataclass(frozen=True)
class RoleEvent:
    """The fields every role event has (the four schemas share them)."""
    event_id: str
    user_id: int
    email: str
    role: str
    sequence: int  # per user: +1 with every role event of that user, whatever the role
    reason: str  # PURCHASE, CANCELLATION, SUBSCRIPTION_CHANGE, EXPIRY, MANUAL, USER_DELETED
    source: RoleSource
    occurred_at: datetime
    until: datetime  # the role's end; for RoleRevoked, when it ended


@dataclass(frozen=True)
class RoleGranted(RoleEvent):
    """The user holds the role, which it did not hold before."""


@dataclass(frozen=True)
class RoleRevoked(RoleEvent):
    """The user no longer holds the role."""


@dataclass(frozen=True)
class RoleEndMoved(RoleEvent):
    """The user still holds the role, with another end."""
    previous_until: datetime


@dataclass(frozen=True)
class RoleExtended(RoleEndMoved):
    """Held until a later time."""


@dataclass(frozen=True)
class RoleShortened(RoleEndMoved):
    """Held until an earlier time."""


EVENT_TYPES = {cls.__name__: cls for cls in (RoleGranted, RoleRevoked, RoleExtended, RoleShortened)}
