"""Orders: placing one (the card sealed in the vault until its charge), reading them, cancelling.

The charge itself is the payment worker's (service/payments.py): placing an order only commits
the order, its sealed card and OrderPlaced, in one transaction.
"""
from datetime import date, datetime, timezone

from apps.cards.rules import InvalidCard, validate_card
from apps.cards.vault import CardVault
from apps.sales_api.domain.errors import InvalidOrder, UnknownOrder
from apps.sales_api.domain.orders import CardSummary, Customer, Order, OrderItem

CARD_FIELDS = {"number": "number", "holder": "holder", "cvc": "cvc",
               "expiry": "expiryMonth"}  # the rules' field names -> the request's


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def place_order(uow, vault: CardVault, customer: Customer, lines: list[tuple[str, int]],
                card: dict, clock=now_utc) -> Order:
    """`lines`: (product id, quantity); `card`: number, holder, expiryMonth, expiryYear, cvc."""
    now = clock()
    errors = {}
    try:
        checked = validate_card(card["number"], card["holder"], card["expiryMonth"],
                                card["expiryYear"], card["cvc"], date_in_utc(now))
    except InvalidCard as invalid:
        errors["card"] = {CARD_FIELDS.get(f, f): [message] for f, message in invalid.errors.items()}
    with uow:
        items, item_errors = [], {}
        for line, (product_id, quantity) in enumerate(lines):
            product = uow.products.get(product_id)
            if product is None or not product.active:
                why = "does not exist" if product is None else "is archived: no longer sold"
                item_errors[line] = {"productId": [f"product {product_id!r} {why}"]}
            else:
                items.append(OrderItem.of(product, quantity))
        if item_errors:
            errors["items"] = item_errors
        if errors:
            raise InvalidOrder(errors)
        order = Order.place(customer, items, CardSummary(checked.brand, checked.last4), now)
        if order.total <= 0:
            raise InvalidOrder({"items": {"_schema": ["the order's total must be above 0"]}})
        uow.customers.from_order(customer)
        uow.orders.add(order, vault.encrypt(checked, order.id))
        uow.commit()
        return order


def date_in_utc(moment: datetime) -> date:
    return moment.astimezone(timezone.utc).date()


def get_order(uow, order_id) -> Order:
    with uow:
        order = uow.orders.get(order_id)
    if order is None:
        raise UnknownOrder(order_id)
    return order


def orders_of_customer(uow, email: str, page: int, page_size: int) -> dict:
    with uow:
        found, total = uow.orders.of_customer(email, page, page_size)
    return {"orders": found, "page": page, "total": total,
            "pages": (total + page_size - 1) // page_size}


def cancel_order(uow, order_id, clock=now_utc) -> Order:
    """Cancels a paid order's purchases (their roles end through PurchaseCancelled) and records
    OrderCancelled, on which the payment worker asks the platform for the refund."""
    with uow:
        order = uow.orders.get(order_id, lock=True)
        if order is None:
            raise UnknownOrder(order_id)
        order.cancel(clock())
        for purchase in order.purchases:
            uow.purchases.save_status(purchase)
        uow.orders.save(order)
        uow.commit()
        return order
