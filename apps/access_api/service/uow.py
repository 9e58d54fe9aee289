"""The access unit of work: users, grants and the consumer inbox on one connection."""
from outbox.inbox import Inbox
from outbox.uow import UnitOfWork

from apps.access_api.adapters.repositories import GrantRepository, UserRepository


class AccessUnitOfWork(UnitOfWork):
    def __enter__(self):
        super().__enter__()
        self.users = UserRepository(self.session)
        self.grants = GrantRepository(self.session)
        self.inbox = Inbox(self.session)
        return self
