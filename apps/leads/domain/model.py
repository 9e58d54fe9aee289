"""A lead and the two things that can happen to it: one reminder, and conversion by an order.

    open ──LEAD_REMINDER_DELAY passes──► reminded
      │                                     │
      └──────── an order paid ─────► converted ◄── an order paid

- One live (open or reminded) lead per e-mail: a visitor who starts another checkout gets the
  same lead back, so a reminder goes out once per e-mail until it buys.
- Only an order paid at or after the lead was opened converts it: an older order's payment,
  read late, belongs to an earlier visit.
- Times are kept to the millisecond, the precision of the events (Avro timestamp-millis), so the
  order's payment time and the lead's opening time compare the same in every copy.
"""
import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta


class LeadStatus(str, enum.Enum):
    OPEN = "open"
    REMINDED = "reminded"
    CONVERTED = "converted"


LIVE = (LeadStatus.OPEN, LeadStatus.REMINDED)


def to_millisecond(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


@dataclass(frozen=True)
class LeadReminderDue:
    lead: "Lead"
    shop_url: str
    at: datetime


@dataclass(frozen=True)
class LeadConverted:
    lead: "Lead"
    at: datetime


@dataclass
class Lead:
    id: uuid.UUID
    email: str  # normalised (apps.emails)
    name: str
    status: LeadStatus
    opened_at: datetime
    reminded_at: datetime | None = None
    converted_at: datetime | None = None
    order_id: str | None = None
    events: list = field(default_factory=list, compare=False)

    @classmethod
    def open(cls, email: str, name: str, now: datetime) -> "Lead":
        return cls(uuid.uuid4(), email, name, LeadStatus.OPEN, to_millisecond(now))

    def reminder_due(self, now: datetime, delay: timedelta) -> bool:
        return self.status is LeadStatus.OPEN and self.opened_at + delay <= now

    def remind(self, now: datetime, delay: timedelta, shop_url: str) -> bool:
        """Reminded once, if still open after `delay`; False (nothing changes) otherwise."""
        if not self.reminder_due(now, delay):
            return False
        self.status, self.reminded_at = LeadStatus.REMINDED, to_millisecond(now)
        self.events.append(LeadReminderDue(self.snapshot(), shop_url, self.reminded_at))
        return True

    def convert(self, order_id: str, paid_at: datetime) -> bool:
        """Converted by the order paid at `paid_at`, if live and opened by then; False otherwise."""
        if self.status not in LIVE or paid_at < self.opened_at:
            return False
        self.status, self.order_id = LeadStatus.CONVERTED, order_id
        self.converted_at = to_millisecond(paid_at)
        self.events.append(LeadConverted(self.snapshot(), self.converted_at))
        return True

    def snapshot(self) -> "Lead":
        """The lead as this change left it, for its event (later changes do not alter it)."""
        return Lead(self.id, self.email, self.name, self.status, self.opened_at,
                    self.reminded_at, self.converted_at, self.order_id)
