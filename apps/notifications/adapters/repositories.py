"""The access e-mails waiting, the roles seen per purchase and the sent log, on the unit of
work's connection. Plain statements; the locks are transaction-scoped advisory locks, released
by the commit or rollback that ends the consumer's transaction."""
from datetime import datetime

from sqlalchemy import insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as upsert

from apps.notifications.adapters.tables import (access_emails, held_roles, opened_roles,
                                               sent_emails)
from apps.notifications.domain.access import AccessEmail
from apps.notifications.domain.emails import Email

# Two key spaces of pg_advisory_xact_lock(int, int): an e-mail being sent, a customer's orders.
SENDING, CUSTOMER = 1, 2
LOCK = text("SELECT pg_advisory_xact_lock(:space, hashtext(:key))")
# At most PURGE_CHUNK rows a statement: what is due is gone after a few events, each one quick.
PURGE_CHUNK = 500
PURGE_ROLES = text(
    "DELETE FROM opened_roles WHERE ctid = ANY(ARRAY(SELECT ctid FROM opened_roles "
    "WHERE seen_at < :before LIMIT :limit))")
PURGE_DONE = text(
    "DELETE FROM access_emails WHERE ctid = ANY(ARRAY(SELECT ctid FROM access_emails "
    "WHERE (settled OR purchase_ids IS NULL) AND created_at < :before LIMIT :limit))")


class Locks:
    def __init__(self, session):
        self.session = session

    def customer(self, email: str) -> None:
        """Serialises a customer's order and role events across consumer processes: the event
        that completes an access e-mail sees what the other half committed."""
        self.session.execute(LOCK, {"space": CUSTOMER, "key": email})


class AccessEmails:
    def __init__(self, session):
        self.session = session

    def remember(self, waiting: AccessEmail) -> None:
        """Keeps `waiting` unless its order is known already (a redelivered OrderPlaced)."""
        self.session.execute(upsert(access_emails).values(row(waiting))
                             .on_conflict_do_nothing(index_elements=["order_id"]))

    def get(self, order_id: str) -> AccessEmail | None:
        found = self.session.execute(select(access_emails)
                                     .where(access_emails.c.order_id == order_id)).first()
        return access_email(found) if found else None

    def with_purchase(self, purchase_id: str) -> list[AccessEmail]:
        found = self.session.execute(select(access_emails).where(
            access_emails.c.purchase_ids.any_() == purchase_id)).all()
        return [access_email(r) for r in found]

    def paid_waiting_of(self, email: str) -> list[AccessEmail]:
        """The customer's paid orders whose access e-mail still waits."""
        found = self.session.execute(select(access_emails).where(
            access_emails.c.email == email, access_emails.c.purchase_ids.is_not(None),
            access_emails.c.settled.is_(False))).all()
        return [access_email(r) for r in found]

    def save(self, waiting: AccessEmail) -> None:
        values = row(waiting)
        statement = upsert(access_emails).values(values)
        self.session.execute(statement.on_conflict_do_update(
            index_elements=["order_id"], set_={k: statement.excluded[k] for k in values}))

    def settle(self, order_id: str) -> None:
        self.session.execute(update(access_emails).where(access_emails.c.order_id == order_id)
                             .values(settled=True))

    def forget_done(self, before: datetime) -> None:
        """Orders made before `before` that were settled (the sent log, not these rows, keeps
        their e-mail from going out again) or never paid."""
        self.session.execute(PURGE_DONE, {"before": before, "limit": PURGE_CHUNK})


def row(waiting: AccessEmail) -> dict:
    return {"order_id": waiting.order_id, "email": waiting.email, "name": waiting.name,
            "products": list(waiting.products), "courses": list(waiting.courses),
            "purchase_ids": None if waiting.purchase_ids is None else list(waiting.purchase_ids),
            "paid_at": waiting.paid_at, "settled": waiting.settled, "roles": list(waiting.roles)}


def access_email(found) -> AccessEmail:
    return AccessEmail(found.order_id, found.email, found.name, tuple(found.products),
                       tuple(found.courses), None if found.purchase_ids is None
                       else tuple(found.purchase_ids), found.paid_at, found.settled,
                       tuple(found.roles))


class OpenedRoles:
    def __init__(self, session):
        self.session = session

    def add(self, purchase_id: str, role: str, email: str) -> None:
        self.session.execute(upsert(opened_roles).values(
            purchase_id=purchase_id, role=role, email=email).on_conflict_do_nothing())

    def of(self, purchase_ids) -> dict[str, set[str]]:
        found = self.session.execute(select(opened_roles.c.purchase_id, opened_roles.c.role)
                                     .where(opened_roles.c.purchase_id.in_(list(purchase_ids))))
        opened: dict[str, set[str]] = {}
        for purchase_id, role in found:
            opened.setdefault(purchase_id, set()).add(role)
        return opened

    def forget(self, before: datetime) -> None:
        """Roles seen before `before` of purchases no order claimed: bought without an order,
        or of an order too old to be told about now."""
        self.session.execute(PURGE_ROLES, {"before": before, "limit": PURGE_CHUNK})

    def drop(self, purchase_ids) -> None:
        """Once the order's e-mail is settled its purchases' roles guard nothing."""
        self.session.execute(opened_roles.delete()
                             .where(opened_roles.c.purchase_id.in_(list(purchase_ids))))


class HeldRoles:
    """The roles each customer holds, as the newest role event of theirs said."""

    def __init__(self, session):
        self.session = session

    def apply(self, email: str, role: str, until: datetime | None, sequence: int) -> None:
        """`until` None: revoked. An event older than the one that set the row changes nothing."""
        statement = upsert(held_roles).values(email=email, role=role, until=until,
                                              sequence=sequence)
        self.session.execute(statement.on_conflict_do_update(
            index_elements=["email", "role"],
            set_={"until": statement.excluded.until, "sequence": statement.excluded.sequence},
            where=held_roles.c.sequence < statement.excluded.sequence))

    def held(self, email: str, now: datetime) -> set[str]:
        return set(self.session.scalars(select(held_roles.c.role).where(
            held_roles.c.email == email, held_roles.c.until > now)))


class SentLog:
    def __init__(self, session):
        self.session = session

    def lock(self, message_id: str) -> None:
        """Held until the transaction ends: a second process with the same cause (a rebalance
        redelivering it) waits here, then finds the first one's row."""
        self.session.execute(LOCK, {"space": SENDING, "key": message_id})

    def status_of(self, message_id: str) -> str | None:
        return self.session.scalar(select(sent_emails.c.status)
                                   .where(sent_emails.c.message_id == message_id))

    def record(self, email: Email, status: str, reply: str | None) -> None:
        self.session.execute(insert(sent_emails).values(
            message_id=email.message_id, cause=email.cause, recipient=email.recipient,
            subject=email.subject, status=status, smtp_reply=reply))
