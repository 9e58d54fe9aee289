"""Request and response bodies of the users resource: records, the listing, a user's roles."""
import marshmallow as ma

from apps.access_api.api.grants.schemas import SourceSchema
from apps.access_api.domain.events import SourceType
from apps.web.fields import Email, RequestSchema, Text

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
# Bounds OFFSET ((page - 1) * page_size) well inside PostgreSQL's bigint.
MAX_PAGE = 2**31 - 1


def name_field(**kwargs) -> Text:
    return Text(max_length=200, allow_none=True, validate=ma.validate.Length(min=1),
                metadata={"example": "Ada Lovelace", "description": "null: no name"}, **kwargs)


class UserPathSchema(RequestSchema):
    email = Email(required=True)


class UserSchema(ma.Schema):
    id = ma.fields.Integer(metadata={
        "description": "The access service's id of the user: the key of its role events "
                       "(topic access.role)."})
    email = ma.fields.String(metadata={"example": "any@email.com"})
    name = ma.fields.String(allow_none=True)
    createdAt = ma.fields.AwareDateTime(attribute="created_at")


class NewUserSchema(RequestSchema):
    email = Email(required=True, metadata={
        "description": "Trimmed and lower-cased, like a sale's `buyerEmail`: a user created here "
                       "is the user a later sale to this address grants roles to."})
    name = name_field(load_default=None)


class UserUpdateSchema(RequestSchema):
    name = name_field(required=True)


class UserQuerySchema(RequestSchema):
    email = Email(metadata={"description": "Only the user with this e-mail (exact, after the "
                                           "e-mail rule: trimmed, lower-cased)."})
    role = Text(max_length=64, metadata={"example": "PREMIUM_USER",
                                         "description": "Only users holding this role now."})
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=MAX_PAGE),
                             metadata={"description": "1 for the first page."})
    page_size = ma.fields.Integer(load_default=DEFAULT_PAGE_SIZE,
                                  validate=ma.validate.Range(min=1, max=MAX_PAGE_SIZE),
                                  metadata={"description": f"At most {MAX_PAGE_SIZE}."})


class UserPageSchema(ma.Schema):
    users = ma.fields.List(ma.fields.Nested(UserSchema), metadata={
        "description": "Oldest first (by id), so pages stay put while users are added."})
    page = ma.fields.Integer()
    pages = ma.fields.Integer(metadata={"description": "Pages of this size the filter gives."})
    total = ma.fields.Integer(metadata={"description": "Users matching the filter."})


class GrantingPurchaseSchema(ma.Schema):
    purchaseId = ma.fields.String(attribute="source_id")
    productId = ma.fields.String(attribute="product_id")
    startsAt = ma.fields.AwareDateTime(attribute="starts_at")
    endsAt = ma.fields.AwareDateTime(attribute="effective_end")


class GrantingSchema(ma.Schema):
    id = ma.fields.Integer(metadata={"description": "The grant (GET /api/users/{email}/grants)."})
    source = ma.fields.Nested(SourceSchema)
    productId = ma.fields.String(attribute="product_id", allow_none=True)
    startsAt = ma.fields.AwareDateTime(attribute="starts_at")
    endsAt = ma.fields.AwareDateTime(attribute="effective_end")


class HeldRoleSchema(ma.Schema):
    role = ma.fields.String(metadata={"example": "PREMIUM_USER"})
    until = ma.fields.AwareDateTime(metadata={"description": "End of the unbroken run of grants."})
    grants = ma.fields.List(ma.fields.Nested(GrantingSchema), metadata={
        "description": "The live grants giving it, of any source, in the order they run."})
    purchases = ma.fields.List(ma.fields.Nested(GrantingPurchaseSchema), metadata={
        "description": "The purchase grants among `grants`, as purchases."})

    @ma.pre_dump
    def with_purchases(self, held, **kwargs):
        return {"role": held.role, "until": held.until, "grants": held.grants,
                "purchases": [g for g in held.grants if g.source_type is SourceType.PURCHASE]}


class UserRolesSchema(ma.Schema):
    email = ma.fields.String()
    roles = ma.fields.List(ma.fields.Nested(HeldRoleSchema))
