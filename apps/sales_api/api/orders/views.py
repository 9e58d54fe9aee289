"""/api/orders: orders paid by card (the storefront's checkout); /api/customers/{email}/orders:
a customer's order history."""
from functools import lru_cache

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.error_handler import ErrorSchema

from apps.api_keys.bearer import requires_scope
from apps.cards.vault import CardVault
from apps.sales_api.api.orders.schemas import (CustomerPathSchema, HistoryQuerySchema,
                                               NewOrderSchema, OrderPageSchema, OrderPathSchema,
                                               OrderSchema)
from apps.sales_api.api.uow import new_uow
from apps.sales_api.domain.orders import Customer
from apps.sales_api.service import orders

blp = Blueprint("orders", __name__, url_prefix="/api",
                description="Orders paid by card through the payment platform, and each "
                            "customer's order history.")

NO_ORDER = "No order with this id"


@lru_cache(maxsize=1)
def vault() -> CardVault:
    return CardVault.from_environment()


@blp.route("/orders")
class Orders(MethodView):
    @requires_scope(blp, "orders:write")
    @blp.arguments(NewOrderSchema)
    @blp.response(201, OrderSchema)
    @blp.alt_response(422, schema=ErrorSchema, description=(
        "A field breaks a rule, named in `errors.json`: an unknown or archived product "
        "(`items.<n>.productId`), a quantity out of range, a card number failing the Luhn "
        "check (`card.number`), an expiry in the past (`card.expiryMonth`/`card.expiryYear`), "
        "items in different currencies"))
    def post(self, new):
        """Place an order; the payment worker charges the card at once. The answer is
        `pending_payment`: poll `GET /api/orders/{id}` until it is `paid` or `payment_failed`.
        Send an `Idempotency-Key` so a retried request places one order."""
        customer = Customer(new["customer"]["email"], new["customer"]["name"].strip())
        lines = [(item["productId"], item["quantity"]) for item in new["items"]]
        return orders.place_order(new_uow(), vault(), customer, lines, new["card"])


@blp.route("/orders/<uuid:order_id>")
class OrderById(MethodView):
    @requires_scope(blp, "orders:read")
    @blp.arguments(OrderPathSchema, location="path", as_kwargs=True)
    @blp.response(200, OrderSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=NO_ORDER)
    def get(self, order_id):
        """Read an order: its status, items, total and the purchases it became once paid."""
        return orders.get_order(new_uow(), order_id)


@blp.route("/orders/<uuid:order_id>/cancellation")
class OrderCancellation(MethodView):
    @requires_scope(blp, "orders:write")
    @blp.arguments(OrderPathSchema, location="path", as_kwargs=True)
    @blp.response(200, OrderSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=NO_ORDER)
    @blp.alt_response(409, schema=ErrorSchema, description="The order is not paid (the current "
                                                           "status is named)")
    def post(self, order_id):
        """Cancel a paid order: its purchases are cancelled (their roles end through
        PurchaseCancelled) and the payment worker asks the platform for a refund
        (`refundedAt` is set when it is done)."""
        return orders.cancel_order(new_uow(), order_id)


@blp.route("/customers/<string:email>/orders")
class CustomerOrders(MethodView):
    @requires_scope(blp, "orders:read")
    @blp.arguments(CustomerPathSchema, location="path", as_kwargs=True)
    @blp.arguments(HistoryQuerySchema, location="query", as_kwargs=True, unknown=ma.RAISE)
    @blp.response(200, OrderPageSchema)
    def get(self, email, page, page_size):
        """A customer's orders, newest first, paginated (an unknown customer has none)."""
        return orders.orders_of_customer(new_uow(), email, page, page_size)
