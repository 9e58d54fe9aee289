"""Request and response bodies of orders and a customer's order history."""
import marshmallow as ma

from apps import money
from apps.sales_api.domain.orders import MAX_ITEMS, MAX_QUANTITY, OrderStatus
from apps.web.fields import Email, IsoDuration, RequestSchema, Text


class CustomerSchema(RequestSchema):
    email = Email(required=True)
    # Blank is missing: the view strips the name, so spaces alone would store an empty one.
    name = Text(required=True, max_length=200,
                validate=[ma.validate.Length(min=1),
                          ma.validate.Regexp(r"\s*\S", error="must not be blank")],
                metadata={"example": "Ana Souza"})


class ItemRequestSchema(RequestSchema):
    productId = Text(required=True, max_length=64, validate=ma.validate.Length(min=1),
                     metadata={"example": "123456"})
    quantity = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=MAX_QUANTITY),
                                 metadata={"description": "Periods of the product: n is n "
                                                          "consecutive periods."})


class CardRequestSchema(RequestSchema):
    """Used for the charge only: kept encrypted until the charge attempt ends, then deleted;
    never logged, published or returned."""
    number = Text(required=True, max_length=30, metadata={
        "example": "4242 4242 4242 4242", "description": "Digits, spaces or dashes; Luhn-checked."})
    holder = Text(required=True, max_length=100, metadata={"example": "ANA SOUZA"})
    expiryMonth = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=12))
    expiryYear = ma.fields.Integer(required=True, validate=ma.validate.Range(min=2000, max=2100),
                                   metadata={"example": 2030})
    cvc = Text(required=True, max_length=4, metadata={"example": "123"})


class NewOrderSchema(RequestSchema):
    customer = ma.fields.Nested(CustomerSchema, required=True)
    items = ma.fields.List(ma.fields.Nested(ItemRequestSchema), required=True,
                           validate=ma.validate.Length(min=1, max=MAX_ITEMS))
    card = ma.fields.Nested(CardRequestSchema, required=True)


class Amount(ma.fields.Field):
    """A decimal amount answered as text in the order's currency ("89.80")."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else money.formatted(value, obj.currency)


class ItemSchema(ma.Schema):
    productId = ma.fields.String(attribute="product_id")
    productName = ma.fields.String(attribute="product_name")
    quantity = ma.fields.Integer()
    unitPrice = Amount(attribute="unit_price", metadata={"type": "string", "example": "49.90"})
    amount = Amount(metadata={"type": "string", "example": "49.90"})
    roles = ma.fields.List(ma.fields.String())
    accessDuration = IsoDuration(attribute="duration")


class CustomerOutSchema(ma.Schema):
    email = ma.fields.String()
    name = ma.fields.String()


class CardOutSchema(ma.Schema):
    brand = ma.fields.String(metadata={"example": "visa"})
    last4 = ma.fields.String(metadata={"example": "4242"})


class OrderSchema(ma.Schema):
    id = ma.fields.UUID()
    status = ma.fields.Enum(OrderStatus, by_value=True, metadata={
        "description": "pending_payment until the payment worker's charge ends: then paid or "
                       "payment_failed; a paid order may become cancelled."})
    customer = ma.fields.Nested(CustomerOutSchema)
    items = ma.fields.List(ma.fields.Nested(ItemSchema))
    total = Amount(metadata={"type": "string", "example": "89.80"})
    currency = ma.fields.String(metadata={"example": "BRL"})
    card = ma.fields.Nested(CardOutSchema, metadata={
        "description": "The card's brand and last four digits: nothing more is kept."})
    createdAt = ma.fields.AwareDateTime(attribute="created_at")
    paidAt = ma.fields.AwareDateTime(attribute="paid_at", allow_none=True)
    failureCode = ma.fields.String(attribute="failure_code", allow_none=True)
    failureReason = ma.fields.String(attribute="failure_message", allow_none=True)
    cancelledAt = ma.fields.AwareDateTime(attribute="cancelled_at", allow_none=True)
    refundedAt = ma.fields.AwareDateTime(attribute="refunded_at", allow_none=True, metadata={
        "description": "When the platform refunded a cancelled order; null until then."})
    purchaseIds = ma.fields.Function(lambda order: [str(p.id) for p in order.purchases],
                                     metadata={"type": "array", "items": {"type": "string"}})


class OrderPathSchema(RequestSchema):
    order_id = ma.fields.UUID(required=True, metadata={"maxLength": 36})


class CustomerPathSchema(RequestSchema):
    email = Email(required=True)


class HistoryQuerySchema(RequestSchema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=100_000))
    page_size = ma.fields.Integer(load_default=10, validate=ma.validate.Range(min=1, max=100))


class OrderPageSchema(ma.Schema):
    orders = ma.fields.List(ma.fields.Nested(OrderSchema), metadata={"description": "Newest first."})
    page = ma.fields.Integer()
    pages = ma.fields.Integer()
    total = ma.fields.Integer()
