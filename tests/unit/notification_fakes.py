"""In-memory notifications unit of work and mailer: the e-mail rules tested without servers.

The unit of work keeps the access fake's transaction mechanics (a committed state and a
working copy, rollback, savepoints, the inbox). The mailer is outside any transaction, like a
real relay: what it took stays taken when the transaction rolls back.
"""
from dataclasses import replace
from datetime import timedelta
from email.headerregistry import Address

from apps.notifications.adapters.smtp import Delivery, SmtpUnavailable
from apps.notifications.settings import Settings, Smtp
from tests.unit.access_fakes import FakeAccessUnitOfWork

SETTINGS = Settings(smtp=Smtp("127.0.0.1", 8025, False, False, None, None, 5.0),
                    sender=Address("Lumen Academy", addr_spec="no-reply@shop.test"),
                    shop_url="http://shop.test", platform_url="http://shop.test/orders",
                    max_age=timedelta(days=3))


class NotificationState:
    def __init__(self):
        self.access_emails = {}  # order id -> AccessEmail
        self.opened_roles = {}  # (purchase id, role) -> e-mail
        self.held_roles = {}  # (e-mail, role) -> (until or None, sequence)
        self.sent = {}  # message id -> (Email, status, reply)
        self.inbox = {}
        self.outbox = []


class FakeMailer:
    """Takes every message, or refuses the next `unavailable` ones (the relay away) and every
    one to `rejecting` (a 5xx)."""

    def __init__(self):
        self.delivered = []  # EmailMessages, in order
        self.unavailable = 0
        self.rejecting: set[str] = set()

    def deliver(self, message):
        if self.unavailable:
            self.unavailable -= 1
            raise SmtpUnavailable("connection refused")
        recipient = message["To"].addresses[0].addr_spec
        if recipient in self.rejecting:
            return Delivery("rejected", "550 5.1.1 mailbox unavailable")
        self.delivered.append(message)
        return Delivery("sent", "250 OK")

    def with_id(self, message_id: str) -> list:
        return [m for m in self.delivered if m["Message-ID"] == message_id]


class FakeLocks:
    def customer(self, email):
        """One thread: nothing to serialise."""


class FakeAccessEmails:
    def __init__(self, uow):
        self.uow = uow

    def remember(self, waiting):
        self.uow.state.access_emails.setdefault(waiting.order_id, waiting)

    def get(self, order_id):
        return self.uow.state.access_emails.get(order_id)

    def with_purchase(self, purchase_id):
        return [w for w in self.uow.state.access_emails.values()
                if purchase_id in (w.purchase_ids or ())]

    def paid_waiting_of(self, email):
        return [w for w in self.uow.state.access_emails.values()
                if w.email == email and w.purchase_ids is not None and not w.settled]

    def save(self, waiting):
        self.uow.state.access_emails[waiting.order_id] = waiting

    def settle(self, order_id):
        found = self.uow.state.access_emails.get(order_id)
        if found:
            self.uow.state.access_emails[order_id] = replace(found, settled=True)

    def forget_done(self, before):
        """Nothing here has an age: kept."""


class FakeOpenedRoles:
    def __init__(self, uow):
        self.uow = uow

    def add(self, purchase_id, role, email):
        self.uow.state.opened_roles.setdefault((purchase_id, role), email)

    def of(self, purchase_ids):
        opened = {}
        for purchase_id, role in self.uow.state.opened_roles:
            if purchase_id in purchase_ids:
                opened.setdefault(purchase_id, set()).add(role)
        return opened

    def forget(self, before):
        """Nothing here has an age: kept."""

    def drop(self, purchase_ids):
        for key in [k for k in self.uow.state.opened_roles if k[0] in purchase_ids]:
            del self.uow.state.opened_roles[key]


class FakeHeldRoles:
    def __init__(self, uow):
        self.uow = uow

    def apply(self, email, role, until, sequence):
        known = self.uow.state.held_roles.get((email, role))
        if known is None or known[1] < sequence:
            self.uow.state.held_roles[(email, role)] = (until, sequence)

    def held(self, email, now):
        return {role for (who, role), (until, _) in self.uow.state.held_roles.items()
                if who == email and until is not None and until > now}


class FakeSentLog:
    def __init__(self, uow):
        self.uow = uow

    def lock(self, message_id):
        """One thread: nothing to serialise."""

    def status_of(self, message_id):
        found = self.uow.state.sent.get(message_id)
        return found[1] if found else None

    def record(self, email, status, reply):
        if email.message_id in self.uow.state.sent:
            raise ValueError("sent_emails_pkey violated")  # the primary key
        self.uow.state.sent[email.message_id] = (email, status, reply)


class FakeNotificationsUnitOfWork(FakeAccessUnitOfWork):
    def __init__(self, fail_with=None, failures=0, settings=SETTINGS):
        super().__init__(fail_with, failures)
        self.committed = NotificationState()
        self.settings, self.mailer = settings, FakeMailer()
        self.locks, self.access_emails = FakeLocks(), FakeAccessEmails(self)
        self.opened_roles, self.sent = FakeOpenedRoles(self), FakeSentLog(self)
        self.held_roles = FakeHeldRoles(self)

    def statuses(self) -> dict[str, str]:
        """The committed sent log: message id -> status."""
        return {message_id: status for message_id, (_, status, _) in self.committed.sent.items()}
