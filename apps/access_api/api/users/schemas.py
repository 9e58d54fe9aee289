"""The path of a user's roles and its response body."""
import marshmallow as ma

from apps.web.fields import Email, RequestSchema


class UserPathSchema(RequestSchema):
    email = Email(required=True)


class GrantingPurchaseSchema(ma.Schema):
    purchaseId = ma.fields.String(attribute="purchase_id")
    productId = ma.fields.String(attribute="product_id")
    startsAt = ma.fields.AwareDateTime(attribute="starts_at")
    endsAt = ma.fields.AwareDateTime(attribute="effective_end")


class HeldRoleSchema(ma.Schema):
    role = ma.fields.String(metadata={"example": "PREMIUM_USER"})
    until = ma.fields.AwareDateTime(metadata={"description": "End of the unbroken run of grants."})
    purchases = ma.fields.List(ma.fields.Nested(GrantingPurchaseSchema), attribute="grants")


class UserRolesSchema(ma.Schema):
    email = ma.fields.String()
    roles = ma.fields.List(ma.fields.Nested(HeldRoleSchema))
