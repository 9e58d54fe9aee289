"""The billing unit of work: plans, subscriptions (tracked: their events leave at commit), their
charges and the scheduler's queries of what is due, the stored payment webhooks and the consumer
inbox on one connection of the sales database, its events in the sales outbox."""
from outbox.inbox import Inbox
from outbox.uow import UnitOfWork

from apps.billing.adapters.charges import ChargeRepository
from apps.billing.adapters.due import DueSubscriptions
from apps.billing.adapters.events import to_outbox
from apps.billing.adapters.payment_events import PaymentEventRepository
from apps.billing.adapters.repositories import PlanRepository, SubscriptionRepository


class BillingUnitOfWork(UnitOfWork):
    def __init__(self, session_factory):
        super().__init__(session_factory, to_outbox)

    def __enter__(self):
        super().__enter__()
        self.plans = PlanRepository(self.session)
        self.subscriptions = SubscriptionRepository(self.session, self.track, self.plans)
        self.payment_events = PaymentEventRepository(self.session)
        self.charges = ChargeRepository(self.session)
        self.due = DueSubscriptions(self.session)
        self.inbox = Inbox(self.session)
        return self
