"""Applying role changes to the course platform's doors, and reading a learner's access.

`apply_role_changes` runs inside a unit of work the caller opened (the consumer runner, or the
rebuild), so its effect commits together with the processed-event records. A whole batch takes
a fixed number of statements: lock the batch's learners (created if new), read their doors,
then write the doors and learners that changed. The learner row lock serialises one user's
events across transactions; within the batch the changes are applied in consumption order.
"""
import logging
from dataclasses import dataclass

from apps.course_access.domain import access as rules
from apps.course_access.domain.access import Access, Learner, RoleChange

log = logging.getLogger(__name__)


def apply_role_changes(uow, changes: list[RoleChange]) -> int:
    """Applies the changes that are newer than their door's state; returns how many were."""
    learners = uow.learners.lock([Learner(c.user_id, c.email) for c in changes])
    doors = uow.accesses.for_users(learners.keys())
    changed_doors, changed_learners, applied = {}, {}, 0
    for change in changes:
        learner = learners[change.user_id]
        missing = rules.missed(learner, change)
        if missing:
            log.warning("user %d: sequence %d follows %d: events %d..%d not seen (dead-lettered, "
                        "or not in the topic any more)", change.user_id, change.sequence,
                        learner.last_sequence, missing.start, missing.stop - 1)
        door = rules.door_of(change.role)
        if door is not None and set_door(doors, changed_doors, change, door):
            applied += 1
        after = rules.seen(learner, change)
        if after is not learner:
            learners[change.user_id] = changed_learners[change.user_id] = after
    uow.accesses.save(list(changed_doors.values()))
    uow.learners.save(list(changed_learners.values()))
    return applied


def set_door(doors: dict, changed: dict, change: RoleChange, door: rules.Door) -> bool:
    """Sets the door's new state in `doors` and `changed`; False if the change is stale."""
    key = (change.user_id, door.course)
    new = rules.next_access(doors.get(key), change, door)
    if new is None:
        log.info("user %d: %s sequence %d ignored: its door is at sequence %d already",
                 change.user_id, change.role, change.sequence, doors[key].sequence)
        return False
    doors[key] = changed[key] = new
    return True


@dataclass(frozen=True)
class LearnerAccess:
    learner: Learner
    platform: Access | None  # None: no platform role event seen for this user
    courses: list[Access]  # every course door, open and closed, by course id


def access_of(uow, email: str) -> list[LearnerAccess]:
    """Every learner with this e-mail (usually one; a deleted and re-created user is two)."""
    found = uow.learners.by_email(email)
    doors = uow.accesses.for_users([learner.user_id for learner in found])
    return [LearnerAccess(
        learner, doors.get((learner.user_id, None)),
        sorted((a for (user_id, course), a in doors.items()
                if user_id == learner.user_id and course is not None), key=lambda a: a.course))
        for learner in found]
