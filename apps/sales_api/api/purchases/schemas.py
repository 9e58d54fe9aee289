"""Request and response bodies of purchases and cancellations."""
import marshmallow as ma

from apps.sales_api.domain.model import PurchaseStatus
from apps.web.fields import Email, RequestSchema, Text


class PurchaseRequestSchema(RequestSchema):
    # 128: room for any key format we might issue (today's are 12 hex digits), and a bound on
    # what an unknown key costs to hash.
    serviceKey = Text(required=True, load_only=True, max_length=128,
                      validate=ma.validate.Length(min=1),
                      metadata={"description": "The checkout integration's key."})
    buyerEmail = Email(required=True, metadata={
        "description": "Trimmed and lower-cased: `\" Any@Email.com \"` is `any@email.com`."})
    productId = Text(required=True, max_length=64, validate=ma.validate.Length(min=1),
                     metadata={"example": "123456"})


class PurchaseSchema(ma.Schema):
    id = ma.fields.UUID()
    status = ma.fields.Enum(PurchaseStatus, by_value=True)
    buyerEmail = ma.fields.String(attribute="buyer_email")
    productId = ma.fields.String(attribute="product_id")
    purchasedAt = ma.fields.AwareDateTime(attribute="purchased_at")
    cancelledAt = ma.fields.AwareDateTime(attribute="cancelled_at", allow_none=True)
