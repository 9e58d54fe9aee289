"""Request and response bodies of the catalogue."""
from decimal import Decimal, InvalidOperation

import marshmallow as ma

from apps import money
from apps.web.fields import IsoDuration, RequestSchema, Role, Text

PRODUCT_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
MAX_ROLES = 20
MAX_PRICE_TEXT = 20


class Price(ma.fields.Field):
    """A decimal amount, sent as a string ("49.90") or a JSON number, answered as a string.

    A JSON number is taken by its written digits, never through binary floating point."""

    def __init__(self, **kwargs):
        metadata = {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$", "example": "49.90",
                    "maxLength": MAX_PRICE_TEXT, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)) \
                or len(str(value)) > MAX_PRICE_TEXT:
            raise ma.ValidationError("a decimal amount such as \"49.90\"")
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise ma.ValidationError("a decimal amount such as \"49.90\"") from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else money.formatted(value, obj.currency)


class ProductFields(RequestSchema):
    """The changeable fields; each may be omitted in an update."""
    name = Text(max_length=200, validate=ma.validate.Length(min=1), metadata={
        "example": "Course XYZ, premium"})
    description = Text(max_length=5000, multiline=True)
    price = Price()
    currency = Text(max_length=3, validate=ma.validate.OneOf(sorted(money.CODES)), metadata={
        "description": "ISO 4217 code", "example": "BRL"})
    active = ma.fields.Boolean(metadata={"description": "False: archived, no longer sold."})
    roles = ma.fields.List(Role(), validate=ma.validate.Length(min=1, max=MAX_ROLES), metadata={
        "description": "The roles a purchase grants, e.g. PREMIUM_USER and COURSE_XYZ."})
    accessDuration = IsoDuration(attribute="duration", metadata={
        "description": "How long a purchase's roles last, from the sale (ISO 8601: P1M, P1Y, "
                       "P30D, down to PT5S)."})

    @ma.post_load
    def unique_roles(self, data, **kwargs):
        if "roles" in data:
            data["roles"] = tuple(sorted(set(data["roles"])))
        return data


class NewProductSchema(ProductFields):
    id = Text(required=True, max_length=64, validate=ma.validate.Regexp(
        PRODUCT_ID, error="letters, digits, _ and -, starting with a letter or digit"),
        metadata={"example": "123456", "pattern": PRODUCT_ID})

    class Meta:
        ordered = True

    def on_bind_field(self, field_name, field_obj):
        if field_name in ("name", "price", "currency", "roles", "accessDuration"):
            field_obj.required = True

    @ma.validates_schema
    def price_in_currency(self, data, **kwargs):
        check_price(data.get("price"), data.get("currency"))


class ProductUpdateSchema(ProductFields):
    pass


def check_price(price: Decimal | None, currency: str | None) -> None:
    if price is not None and currency is not None and (error := money.amount_error(price, currency)):
        raise ma.ValidationError(error, "price")


class ProductSchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    description = ma.fields.String()
    price = Price()
    currency = ma.fields.String()
    active = ma.fields.Boolean()
    roles = ma.fields.List(ma.fields.String())
    accessDuration = IsoDuration(attribute="duration")


class ProductListSchema(ma.Schema):
    products = ma.fields.List(ma.fields.Nested(ProductSchema))


class ProductQuerySchema(RequestSchema):
    includeArchived = ma.fields.Boolean(load_default=False, metadata={
        "description": "Archived products too; needs an API key with `catalog:write`."})


class ProductPathSchema(RequestSchema):
    product_id = Text(required=True, max_length=64)
