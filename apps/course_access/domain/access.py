"""What a role opens on the course platform, and when a role event changes it.

`PREMIUM_USER` opens the platform; `COURSE_<X>` opens course X's videos; other roles open
nothing here. Every role event states the whole new state of one role (held until `until`, or
not held), so the newest event of a (user, role) decides that door alone. "Newest" is the
user's `sequence`: an event whose sequence is not above the one that last set its door is a
duplicate or stale and changes nothing. Comparing per door rather than per user keeps an event
that arrives late but was never superseded for its own role (e.g. re-driven from the
dead-letter topic after later events of other roles): applying events in any order then ends
in the state that applying them in sequence order gives.
"""
from dataclasses import dataclass, replace
from datetime import datetime

PLATFORM_ROLE = "PREMIUM_USER"
COURSE_ROLE_PREFIX = "COURSE_"


@dataclass(frozen=True)
class RoleChange:
    """One role event, as the course platform reads it."""
    user_id: int
    email: str
    role: str
    sequence: int
    held: bool  # False: the role was revoked
    until: datetime  # held: until when; revoked: when it ended
    occurred_at: datetime


@dataclass(frozen=True)
class Access:
    """One door of one user: the platform (course None) or one course."""
    user_id: int
    course: str | None
    open: bool
    until: datetime
    sequence: int  # of the event that set this state
    changed_at: datetime  # that event's occurred_at


@dataclass
class Learner:
    user_id: int
    email: str
    last_sequence: int = 0  # the highest sequence applied for this user; 0: none yet


@dataclass(frozen=True)
class Door:
    course: str | None  # None: the platform itself


def door_of(role: str) -> Door | None:
    """What `role` opens here: the platform, one course, or nothing (None)."""
    if role == PLATFORM_ROLE:
        return Door(None)
    if role.startswith(COURSE_ROLE_PREFIX) and len(role) > len(COURSE_ROLE_PREFIX):
        return Door(role[len(COURSE_ROLE_PREFIX):])
    return None


def next_access(current: Access | None, change: RoleChange, door: Door) -> Access | None:
    """The door's state after `change`, or None when the change is stale or a duplicate."""
    if current is not None and change.sequence <= current.sequence:
        return None
    return Access(change.user_id, door.course, change.held, change.until, change.sequence,
                  change.occurred_at)


def missed(learner: Learner, change: RoleChange) -> range:
    """The sequences between the last applied one and this change: events not seen (yet)."""
    return range(learner.last_sequence + 1, change.sequence)


def seen(learner: Learner, change: RoleChange) -> Learner:
    """The learner after `change`: the newest event's e-mail, the highest sequence."""
    if change.sequence <= learner.last_sequence:
        return learner
    return replace(learner, email=change.email, last_sequence=change.sequence)
