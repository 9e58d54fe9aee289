"""What each e-mail says, to whom, and under which Message-ID: pure rules over the events' facts.

One cause, one e-mail: the Message-ID is made from the cause alone (the order, the lead, the
subscription's change), never from a clock or a counter, so every redelivery of the cause
arrives at the same id, and the sent log (keyed by it) lets it out once.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlparse


@dataclass(frozen=True)
class Email:
    cause: str  # access, payment-failed, reminder, subscription
    message_id: str  # <cause.parts@domain>, the sent log's key
    recipient: str
    name: str  # the recipient's, as the cause gave it ("" when unknown)
    subject: str
    template: str  # templates/<template>.txt and .html
    context: dict  # what the templates show
    occurred_at: datetime  # when the cause happened


@dataclass(frozen=True)
class Links:
    domain: str  # of the Message-IDs
    shop_url: str
    platform_url: str


def message_id(domain: str, cause: str, *parts: str) -> str:
    """`<cause.part.part@domain>`; the parts are ids and statuses, dot-atom text already."""
    return f"<{'.'.join((cause, *parts))}@{domain}>"


def millis(moment: datetime) -> str:
    """A moment as whole milliseconds since the epoch: the events' own precision, no colons."""
    return str(round(moment.timestamp() * 1000))


def one_line(text: str) -> str:
    """Every run of whitespace (CR and LF included) as one space: a customer's name is shown
    on one line, and never breaks a header (the composer makes headers one line again)."""
    return " ".join(text.split())


def course_name(role: str) -> str | None:
    """COURSE_XYZ -> XYZ; other roles (PREMIUM_USER) open no course."""
    return role.removeprefix("COURSE_") if role.startswith("COURSE_") and role != "COURSE_" \
        else None


def course_names(roles) -> tuple[str, ...]:
    """The courses `roles` open, each once, in the order first met."""
    return tuple(dict.fromkeys(n for n in map(course_name, roles) if n))


def stale(occurred_at: datetime, now: datetime, max_age: timedelta) -> bool:
    """Too old to tell the customer about: a new deployment reading a week of history, or an
    outage longer than `max_age`, must not mail customers about last week's checkout."""
    return now - occurred_at > max_age


def web_link(url: str, fallback: str) -> str:
    """`url` if it is an http(s) address, else `fallback`: a link in an e-mail is clicked."""
    return url if urlparse(url).scheme in ("http", "https") and urlparse(url).netloc else fallback


def access_email(links: Links, order_id: str, email: str, name: str, products, courses,
                 paid_at: datetime) -> Email:
    name = one_line(name)
    listed = ", ".join(courses) or ", ".join(products) or "your purchase"
    return Email("access", message_id(links.domain, "access", order_id), email, name,
                 f"Your access is open: {listed}", "access",
                 {"name": name, "order_id": order_id, "courses": tuple(courses),
                  "products": tuple(products), "platform_url": links.platform_url},
                 paid_at)


def payment_failed_email(links: Links, order_id: str, email: str, name: str,
                         failure_code: str, failure_message: str, total: str, currency: str,
                         occurred_at: datetime) -> Email:
    name = one_line(name)
    return Email("payment-failed", message_id(links.domain, "payment-failed", order_id), email,
                 name, "Your payment did not go through", "payment_failed",
                 {"name": name, "order_id": order_id, "reason": failure_message,
                  "code": failure_code, "total": total, "currency": currency,
                  "retry_url": f"{links.shop_url}/orders/{order_id}",
                  "shop_url": f"{links.shop_url}/"}, occurred_at)


def reminder_email(links: Links, lead_id: str, email: str, name: str, shop_url: str,
                   occurred_at: datetime) -> Email:
    name = one_line(name)
    return Email("reminder", message_id(links.domain, "reminder", lead_id), email, name,
                 "Your checkout is waiting for you", "reminder",
                 {"name": name, "shop_url": web_link(shop_url, f"{links.shop_url}/")},
                 occurred_at)


SUBSCRIPTION_NOTICES = {  # status after the event -> subject
    "past_due": "Your subscription payment is overdue",
    "suspended": "Your subscription is suspended",
    "cancelled": "Your subscription is cancelled",
}


def subscription_email(links: Links, subscription_id: str, status: str, email: str,
                       plan_name: str, paid_until, next_billing_date,
                       occurred_at: datetime) -> Email:
    plan_name = one_line(plan_name)
    return Email("subscription", message_id(links.domain, "subscription", subscription_id,
                                            status, millis(occurred_at)),
                 email, "", f"{SUBSCRIPTION_NOTICES[status]}: {plan_name}", "subscription",
                 {"status": status, "plan_name": plan_name, "paid_until": paid_until,
                  "next_billing_date": next_billing_date, "shop_url": f"{links.shop_url}/"},
                 occurred_at)
