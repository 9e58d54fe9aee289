"""Request and response bodies of purchases and cancellations."""
import marshmallow as ma

from apps.sales_api.domain.model import PurchaseStatus


class PurchaseRequestSchema(ma.Schema):
    serviceKey = ma.fields.String(required=True, load_only=True,
                                  validate=ma.validate.Length(min=1),
                                  metadata={"description": "The checkout integration's key."})
    buyerEmail = ma.fields.Email(required=True, metadata={"example": "any@email.com"})
    productId = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64),
                                 metadata={"example": "123456"})


class PurchaseSchema(ma.Schema):
    id = ma.fields.UUID()
    status = ma.fields.Enum(PurchaseStatus, by_value=True)
    buyerEmail = ma.fields.String(attribute="buyer_email")
    productId = ma.fields.String(attribute="product_id")
    purchasedAt = ma.fields.AwareDateTime(attribute="purchased_at")
    cancelledAt = ma.fields.AwareDateTime(attribute="cancelled_at", allow_none=True)
