"""Role events: a user's effective role started, moved its end, or ended. Plain Python.

Each event states the role's whole new state (held until `until`, or no longer held), so a
consumer needs no history; `sequence` numbers one user's events across all their roles
(schemas/avro/Role*/v1.avsc are the contract).
"""
from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class Reason(Enum):
    """Why a role changed; the values are also the grants' `end_reason` column."""
    PURCHASE = "purchase"
    CANCELLATION = "cancellation"
    SUBSCRIPTION_CHANGE = "subscription_change"
    EXPIRY = "expiry"
    MANUAL = "manual"
    USER_DELETED = "user_deleted"


class SourceType(Enum):
    """What granted a role; the values are also the grants' `source_type` column (USER only
    names the source of the events of a user's deletion, never a grant)."""
    PURCHASE = "purchase"
    SUBSCRIPTION = "subscription"
    MANUAL = "manual"
    USER = "user"


@dataclass(frozen=True)
class Source:
    type: SourceType
    id: str  # the purchase id, subscription id, manual grant id or user id


@dataclass(frozen=True)
class RoleEvent:
    user_id: int
    email: str
    role: str
    sequence: int
    reason: Reason
    source: Source
    occurred_at: datetime
    until: datetime


@dataclass(frozen=True)
class RoleGranted(RoleEvent):
    """The user holds a role it did not hold, until `until`."""


@dataclass(frozen=True)
class RoleRevoked(RoleEvent):
    """The user no longer holds the role; `until` is when it ended."""


@dataclass(frozen=True)
class RoleExtended(RoleEvent):
    """The user still holds the role, now until a later time."""
    previous_until: datetime


@dataclass(frozen=True)
class RoleShortened(RoleEvent):
    """The user still holds the role, now until an earlier time."""
    previous_until: datetime
