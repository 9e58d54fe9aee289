"""The leads unit of work: the leads (tracked: their events leave at commit), the read queries
and the consumer inbox on one connection of the sales database, its events in the sales
outbox."""
from outbox.inbox import Inbox
from outbox.uow import UnitOfWork

from apps.leads.adapters.events import to_outbox
from apps.leads.adapters.queries import LeadQueries
from apps.leads.adapters.repositories import LeadRepository


class LeadsUnitOfWork(UnitOfWork):
    def __init__(self, session_factory):
        super().__init__(session_factory, to_outbox)

    def __enter__(self):
        super().__enter__()
        self.leads = LeadRepository(self.session, self.track)
        self.queries = LeadQueries(self.session)
        self.inbox = Inbox(self.session)
        return self
