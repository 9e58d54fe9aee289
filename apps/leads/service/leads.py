"""Use cases of leads: open one (the storefront, over the API), convert one (the `leads`
consumer, in its transaction), and read them (a page, the conversion summary)."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from apps.leads.domain.model import Lead, LeadStatus

ATTEMPTS = 3  # a live lead converted between our insert and our read is the only reason to retry


@dataclass(frozen=True)
class Opened:
    lead: Lead
    new: bool  # False: the e-mail's live lead, returned as it is


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def open_lead(uow, email: str, name: str, now: datetime) -> Opened:
    """A new open lead, or the e-mail's live (open or reminded) one: never two live at once."""
    with uow:
        for _ in range(ATTEMPTS):
            lead = Lead.open(email, name, now)
            if uow.leads.add_unless_live(lead):
                uow.commit()
                return Opened(lead, new=True)
            live = uow.leads.live_of(email)
            if live is not None:
                return Opened(live, new=False)
    raise RuntimeError(f"no live lead found or added for an e-mail in {ATTEMPTS} attempts")


def convert_for_order(uow, email: str, order_id: str, paid_at: datetime) -> bool:
    """In the consumer's transaction (no commit here): the e-mail's live lead becomes converted
    by the order, its LeadConverted leaving at the consumer's commit. False if there is none,
    or the order was paid before the lead was opened (an earlier visit's)."""
    lead = uow.leads.live_of(email, lock=True)  # the scheduler skips a lead locked here
    if lead is None or not lead.convert(order_id, paid_at):
        return False
    uow.leads.save(lead)
    return True


@dataclass(frozen=True)
class Period:
    """UTC days from `first` to `last`, both included; either may be left open."""
    first: date | None = None
    last: date | None = None

    @property
    def start(self) -> datetime | None:
        return None if self.first is None else datetime.combine(self.first, time(), timezone.utc)

    @property
    def end(self) -> datetime | None:
        return None if self.last is None else datetime.combine(
            self.last + timedelta(days=1), time(), timezone.utc)


@dataclass(frozen=True)
class Page:
    leads: list[Lead]
    page: int
    pages: int
    total: int


def list_leads(uow, status: LeadStatus | None, period: Period, page: int,
               page_size: int) -> Page:
    with uow:
        leads, total = uow.queries.page(status, period.start, period.end,
                                        (page - 1) * page_size, page_size)
    return Page(leads, page, -(-total // page_size), total)


def summary(uow, period: Period) -> dict:
    """Leads opened in the period: how many, how many were reminded, how many converted, and
    the share converted (0 when none were opened)."""
    with uow:
        counts = uow.queries.counts(period.start, period.end)
    rate = counts.converted / counts.opened if counts.opened else 0.0
    return {"opened": counts.opened, "reminded": counts.reminded, "converted": counts.converted,
            "conversion_rate": round(rate, 4)}
