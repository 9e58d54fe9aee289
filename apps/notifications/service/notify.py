"""The use cases of the notifications consumer: each event's e-mail, sent once per cause.

Once per cause: `send_once` checks the sent log, hands the message to the relay, and records
the relay's answer, all inside the consumer's transaction, which also records the event in the
inbox. A redelivered event, a restart or a second process finds the row and sends nothing. The
one window left: the relay has accepted the message but the transaction does not commit (the
process dies, the database goes away at the commit, or the relay's final answer is lost on the
wire); the event then comes again and the same Message-ID goes out a second time, which a
receiving system can recognise as the same message.
"""
import logging
from datetime import datetime, timezone

from apps.notifications.adapters.compose import compose
from apps.notifications.domain import emails
from apps.notifications.domain.access import AccessEmail
from apps.notifications.domain.emails import Email, Links

log = logging.getLogger(__name__)


def links(uow) -> Links:
    s = uow.settings
    return Links(s.domain, s.shop_url, s.platform_url)


def send_once(uow, email: Email) -> str:
    """The e-mail's status in the sent log (sent, rejected, skipped), sending it if it has none."""
    uow.sent.lock(email.message_id)
    known = uow.sent.status_of(email.message_id)
    if known is not None:
        return known
    if emails.stale(email.occurred_at, datetime.now(timezone.utc), uow.settings.max_age):
        log.warning("%s not sent: its cause is older than %s", email.message_id,
                    uow.settings.max_age)
        uow.sent.record(email, "skipped", None)
        return "skipped"
    delivery = uow.mailer.deliver(compose(email, uow.settings.sender))
    uow.sent.record(email, delivery.status, delivery.reply)
    if delivery.status == "rejected":
        log.error("%s to %s rejected by the relay: %s", email.message_id, email.recipient,
                  delivery.reply)
    return delivery.status


# The access e-mail: once the order is paid and a role of each of its purchases was seen ------
def order_placed(uow, order_id: str, email: str, name: str, items) -> None:
    """`items`: (product name, roles) of each line. Kept until the order is paid or fails."""
    roles = [role for _, item_roles in items for role in item_roles]
    uow.access_emails.remember(AccessEmail(order_id, email, name,
                                           tuple(dict.fromkeys(p for p, _ in items)),
                                           emails.course_names(roles),
                                           roles=tuple(sorted(set(roles)))))


def order_paid(uow, order_id: str, email: str, name: str, purchase_ids,
               paid_at: datetime) -> None:
    uow.locks.customer(email)
    waiting = uow.access_emails.get(order_id) or AccessEmail(order_id, email, name)
    if waiting.settled:
        return
    waiting = waiting.paid(name, purchase_ids, paid_at)
    uow.access_emails.save(waiting)
    send_access_if_ready(uow, waiting)


def purchase_opened(uow, purchase_id: str, role: str, email: str) -> None:
    uow.locks.customer(email)
    orders = uow.access_emails.with_purchase(purchase_id)
    if orders and all(order.settled for order in orders):
        return  # a later role of an order already told: nothing waits for it
    uow.opened_roles.add(purchase_id, role, email)
    for waiting in orders:
        send_access_if_ready(uow, waiting)
    forget_old(uow)


def role_changed(uow, email: str, role: str, until: datetime | None, sequence: int) -> None:
    """Any role event (until None: revoked): the customer's held roles, and the paid orders
    waiting for them, e.g. one whose roles were held already and so made no event of its own."""
    uow.locks.customer(email)
    uow.held_roles.apply(email, role, until, sequence)
    if until is not None:
        for waiting in uow.access_emails.paid_waiting_of(email):
            send_access_if_ready(uow, waiting)


def forget_old(uow) -> None:
    """What is older than the oldest cause still e-mailed guards nothing: roles seen of
    purchases no order waits for (bought without an order), access e-mails settled or never
    paid. A paid order still waiting for its roles is kept."""
    before = datetime.now(timezone.utc) - uow.settings.max_age
    uow.opened_roles.forget(before)
    uow.access_emails.forget_done(before)


def send_access_if_ready(uow, waiting: AccessEmail) -> None:
    opened = uow.opened_roles.of(waiting.purchase_ids or ())
    held = uow.held_roles.held(waiting.email, datetime.now(timezone.utc))
    if not waiting.ready(opened, held):
        return
    send_once(uow, emails.access_email(links(uow), waiting.order_id, waiting.email, waiting.name,
                                       waiting.products, waiting.course_list(opened),
                                       waiting.paid_at))
    uow.access_emails.settle(waiting.order_id)
    uow.opened_roles.drop(waiting.purchase_ids)


def order_closed(uow, order_id: str, email: str) -> None:
    """Failed or cancelled: its access e-mail waits no more."""
    uow.locks.customer(email)
    uow.access_emails.settle(order_id)


# The other e-mails: one event, one e-mail ---------------------------------------------------
def payment_failed(uow, order_id: str, email: str, name: str, failure_code: str,
                   failure_message: str, total: str, currency: str, occurred_at: datetime) -> None:
    order_closed(uow, order_id, email)
    send_once(uow, emails.payment_failed_email(links(uow), order_id, email, name, failure_code,
                                               failure_message, total, currency, occurred_at))


def checkout_abandoned(uow, lead_id: str, email: str, name: str, shop_url: str,
                       occurred_at: datetime) -> None:
    send_once(uow, emails.reminder_email(links(uow), lead_id, email, name, shop_url,
                                         occurred_at))


def subscription_changed(uow, subscription_id: str, status: str, email: str, plan_name: str,
                         paid_until, next_billing_date, occurred_at: datetime) -> None:
    send_once(uow, emails.subscription_email(links(uow), subscription_id, status, email,
                                             plan_name, paid_until, next_billing_date,
                                             occurred_at))
