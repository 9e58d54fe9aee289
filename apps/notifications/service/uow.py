"""The notifications unit of work: the waiting access e-mails, the roles seen, the sent log and
the consumer inbox on one connection, with the mailer and the settings the use cases need.

The settings are read when the unit of work is made (once per batch), so a process always
sends with its environment's; `check_settings` reads them once at start-up, where a missing
production setting stops the consumer before it reads anything.
"""
from outbox.inbox import Inbox
from outbox.uow import UnitOfWork

from apps.notifications import settings as notification_settings
from apps.notifications.adapters.repositories import (AccessEmails, HeldRoles, Locks, OpenedRoles,
                                                     SentLog)
from apps.notifications.adapters.smtp import SmtpMailer


class NotificationsUnitOfWork(UnitOfWork):
    def __init__(self, session_factory, mailer=None, settings=None):
        super().__init__(session_factory)  # no outbox: this service publishes no events
        self.settings = settings or notification_settings.from_env()
        self.mailer = mailer or SmtpMailer(self.settings.smtp)

    def __enter__(self):
        super().__enter__()
        self.locks = Locks(self.session)
        self.access_emails = AccessEmails(self.session)
        self.opened_roles = OpenedRoles(self.session)
        self.held_roles = HeldRoles(self.session)
        self.sent = SentLog(self.session)
        self.inbox = Inbox(self.session)
        return self
