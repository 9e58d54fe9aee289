"""The access unit of work: users, grants, ledgers and the consumer inbox on one connection;
commit writes the role events of every ledger it loaded, and the user events of every user
record it added or locked, to the access outbox."""
from collections.abc import Callable

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from outbox.inbox import Inbox
from outbox.uow import UnitOfWork

from apps.access_api.adapters.ledgers import LedgerRepository
from apps.access_api.adapters.repositories import GrantRepository, UserRepository
from apps.access_api.adapters.role_catalogue import RoleCatalogue
from apps.access_api.adapters.user_directory import UserDirectory
from apps.access_api.adapters.user_events import to_outbox


class AccessUnitOfWork(UnitOfWork):
    def __init__(self, session_factory: Callable[[], Session | Connection]):
        super().__init__(session_factory, to_outbox)

    def __enter__(self):
        super().__enter__()
        self.ledgers = LedgerRepository(self.session, self.track)
        self.users = UserRepository(self.session)
        self.directory = UserDirectory(self.session, self.track)  # the users' own records
        self.role_catalogue = RoleCatalogue(self.session)
        self.grants = GrantRepository(self.session)
        self.inbox = Inbox(self.session)
        return self
