"""In-memory courses unit of work: the course-access consumer's tests without a database.

It keeps the access fake's transaction mechanics (a committed state and a working copy,
rollback, savepoints, injected failures, the inbox) with the courses repositories instead.
"""
from dataclasses import replace

from tests.unit.access_fakes import FakeAccessUnitOfWork


class CourseState:
    def __init__(self):
        self.learners = {}  # user id -> Learner
        self.doors = {}  # (user id, course or None) -> Access
        self.inbox = {}


class FakeLearners:
    def __init__(self, uow):
        self.uow = uow

    def lock(self, new):
        learners = self.uow.state.learners
        for learner in new:
            learners.setdefault(learner.user_id, replace(learner, last_sequence=0))
        return {learner.user_id: replace(learners[learner.user_id]) for learner in new}

    def save(self, changed):
        for learner in changed:
            self.uow.state.learners[learner.user_id] = replace(learner)

    def by_email(self, email):
        return [replace(l) for _, l in sorted(self.uow.state.learners.items()) if l.email == email]


class FakeAccesses:
    def __init__(self, uow):
        self.uow = uow

    def for_users(self, user_ids):
        wanted = set(user_ids)
        return {key: door for key, door in self.uow.state.doors.items() if key[0] in wanted}

    def save(self, changed):
        for door in changed:
            self.uow.state.doors[(door.user_id, door.course)] = door


class FakeCoursesUnitOfWork(FakeAccessUnitOfWork):
    def __init__(self, fail_with=None, failures=0):
        super().__init__(fail_with, failures)
        self.committed = CourseState()
        self.learners, self.accesses = FakeLearners(self), FakeAccesses(self)

    def doors_of(self, user_id):
        """The committed doors of a user: {course or None (the platform): (open, until)}."""
        return {course: (door.open, door.until)
                for (uid, course), door in self.committed.doors.items() if uid == user_id}
