"""The role catalogue's body."""
import marshmallow as ma


class CatalogueRoleSchema(ma.Schema):
    role = ma.fields.String(metadata={"example": "PREMIUM_USER"})
    sources = ma.fields.List(ma.fields.String(), metadata={
        "description": "What has granted it: `purchase`, `subscription`, `manual`.",
        "example": ["manual", "purchase"]})
    products = ma.fields.List(ma.fields.String(), metadata={
        "description": "Products whose purchases have granted it.", "example": ["123456"]})
    holders = ma.fields.Integer(metadata={"description": "Users holding it now."})


class RoleCatalogueSchema(ma.Schema):
    roles = ma.fields.List(ma.fields.Nested(CatalogueRoleSchema))
