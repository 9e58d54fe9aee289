"""When the access e-mail may go: once the course access of every purchase of a paid order is
open, which the role events tell (not the payment alone: the roles are granted by another
service, after it).

The order's facts arrive on two topics in no fixed order: OrderPlaced and OrderPaid on
sales.order, one role event per role of each purchase on access.role. Whatever came first is
kept (the order as an AccessEmail, the roles seen per purchase) until both halves are in.
"""
from dataclasses import dataclass, replace
from datetime import datetime

from apps.notifications.domain.emails import course_names


@dataclass(frozen=True)
class AccessEmail:
    order_id: str
    email: str
    name: str
    products: tuple[str, ...] = ()  # product names, from OrderPlaced
    courses: tuple[str, ...] = ()  # the courses the items' roles open, from OrderPlaced
    purchase_ids: tuple[str, ...] | None = None  # None until paid
    paid_at: datetime | None = None
    settled: bool = False  # its e-mail's fate is decided (see the sent log): no longer waits
    roles: tuple[str, ...] = ()  # the roles the order grants, from OrderPlaced

    def paid(self, name: str, purchase_ids, paid_at: datetime) -> "AccessEmail":
        return replace(self, name=name or self.name, purchase_ids=tuple(purchase_ids),
                       paid_at=paid_at)

    def ready(self, opened: dict[str, set[str]], held: set[str] = frozenset()) -> bool:
        """Paid, not settled, and either a role of each of its purchases seen (`opened`:
        purchase id -> roles seen; a purchase's roles are granted in one transaction of the
        access service, so one role event of it means all of them are held) or every role the
        order grants held now (`held`). The second covers a purchase that changes no role: one
        the customer already holds for longer, e.g. through a subscription, which makes no role
        event of its own; its access is open all the same."""
        if self.purchase_ids is None or self.settled:
            return False
        return all(opened.get(p) for p in self.purchase_ids) or \
            bool(self.roles) and set(self.roles) <= held

    def course_list(self, opened: dict[str, set[str]]) -> tuple[str, ...]:
        """The order's courses; from the roles seen when OrderPlaced was not (e.g. expired from
        its topic before this consumer first ran)."""
        if self.courses or self.products:
            return self.courses
        return course_names(sorted(r for p in self.purchase_ids or () for r in opened.get(p, ())))
