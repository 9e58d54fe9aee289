"""The courses unit of work: learners, their doors and the consumer inbox on one connection."""
from outbox.inbox import Inbox
from outbox.uow import UnitOfWork

from apps.course_access.adapters.repositories import AccessRepository, LearnerRepository


class CoursesUnitOfWork(UnitOfWork):
    def __enter__(self):
        super().__enter__()
        self.learners = LearnerRepository(self.session)
        self.accesses = AccessRepository(self.session)
        self.inbox = Inbox(self.session)
        return self
