"""The reminder scheduler's use case: remind the leads left open past the delay, once each.

The due leads are locked with SKIP LOCKED (adapters/repositories.py), so two schedulers share
the work and never take the same lead; each becomes `reminded` with its LeadReminderDue in the
same transaction, so a lead reminded is a reminder sent to the outbox, once.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ReminderPass:
    reminded: int  # leads this pass reminded
    next_due: datetime | None  # when the oldest lead still open falls due, if any


def remind_due_leads(uow, now: datetime, delay: timedelta, shop_url: str,
                     limit: int) -> ReminderPass:
    """Up to `limit` leads open since `now - delay` or earlier, oldest first, in one
    transaction."""
    with uow:
        reminded = 0
        for lead in uow.leads.lock_due(now - delay, limit):
            if lead.remind(now, delay, shop_url):
                uow.leads.save(lead)
                reminded += 1
        oldest = uow.leads.oldest_open()  # those just reminded are no longer open
        uow.commit()
    return ReminderPass(reminded, None if oldest is None else oldest + delay)
