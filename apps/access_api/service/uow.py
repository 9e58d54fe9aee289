"""The access unit of work: user and grant repositories on one session."""
from outbox.uow import UnitOfWork

from apps.access_api.adapters.repositories import GrantRepository, UserRepository


class AccessUnitOfWork(UnitOfWork):
    def __enter__(self):
        super().__enter__()
        self.users = UserRepository(self.session)
        self.grants = GrantRepository(self.session)
        return self
