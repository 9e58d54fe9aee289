"""Role events (topic access.role) into the course platform's doors in the courses database.

Exactly once without the inbox: every role event carries its user's sequence, and a door
(platform or course) only takes an event newer than the one that last set it, so a redelivery,
a Debezium re-send or a stale event arriving after a fresh one changes nothing. The inbox is
kept all the same, for the shared batch path (a redelivered batch costs one statement, and
shows in `consumer_events_duplicate_total`); since it guards nothing here, its rows are purged
after INBOX_WINDOW even though access.role keeps its events forever.
"""
from datetime import timedelta

from apps.consumers.role_events import EVENT_TYPES, RoleEvent, RoleRevoked
from apps.course_access.domain.access import RoleChange
from apps.course_access.service.access import apply_role_changes

TOPIC = "access.role"
GROUP = "course-access"
DEAD_LETTER_TOPIC = "access.role.dlq"
DATABASE = "courses"
INBOX_WINDOW = timedelta(days=7)


def role_change(event: RoleEvent) -> RoleChange:
    return RoleChange(event.user_id, event.email, event.role, event.sequence,
                      held=not isinstance(event, RoleRevoked), until=event.until,
                      occurred_at=event.occurred_at)


def handle_role_events(events: list[RoleEvent], uow) -> None:
    apply_role_changes(uow, [role_change(e) for e in events])


def handle_role_event(event: RoleEvent, uow) -> None:
    handle_role_events([event], uow)


HANDLERS = {event_type: handle_role_event for event_type in EVENT_TYPES}
BATCH_HANDLERS = {event_type: handle_role_events for event_type in EVENT_TYPES}
__all__ = ["EVENT_TYPES", "HANDLERS", "BATCH_HANDLERS", "TOPIC", "GROUP", "DEAD_LETTER_TOPIC",
           "INBOX_WINDOW"]
