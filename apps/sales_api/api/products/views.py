"""/api/products: the catalogue. Reading the active products is open to anyone (the shop's
front page); archived ones and every change need an API key with `catalog:write`."""
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.error_handler import ErrorSchema

from apps.api_keys.bearer import authorize, requires_scope
from apps.sales_api.api.products.schemas import (NewProductSchema, ProductListSchema,
                                                 ProductPathSchema, ProductQuerySchema,
                                                 ProductSchema, ProductUpdateSchema)
from apps.sales_api.api.uow import new_uow
from apps.sales_api.domain.model import Product
from apps.sales_api.service import catalogue

blp = Blueprint("products", __name__, url_prefix="/api/products",
                description="The catalogue: what a purchase grants, for how long, at what price.")

NO_PRODUCT = "No product with this id"


@blp.route("")
class Products(MethodView):
    @blp.arguments(ProductQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, ProductListSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="includeArchived without an API key")
    @blp.alt_response(403, schema=ErrorSchema, description="includeArchived without `catalog:write`")
    def get(self, includeArchived):
        """List the products on sale, oldest first; with `includeArchived`, the archived ones too."""
        if includeArchived:
            authorize("catalog:write")
        return {"products": catalogue.list_products(new_uow(), includeArchived)}

    @requires_scope(blp, "catalog:write")
    @blp.arguments(NewProductSchema)
    @blp.response(201, ProductSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="A product with this id exists")
    def post(self, new):
        """Add a product. Its roles and duration apply to purchases made from now on."""
        roles, duration = new.pop("roles"), new.pop("duration")
        return catalogue.create_product(new_uow(), Product(
            new.pop("id"), new.pop("name"), roles, duration, **new))


@blp.route("/<string:product_id>")
class ProductById(MethodView):
    @blp.arguments(ProductPathSchema, location="path", as_kwargs=True)
    @blp.response(200, ProductSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=NO_PRODUCT)
    def get(self, product_id):
        """Read a product, archived or not."""
        return catalogue.get_product(new_uow(), product_id)

    @requires_scope(blp, "catalog:write")
    @blp.arguments(ProductPathSchema, location="path", as_kwargs=True)
    @blp.arguments(ProductUpdateSchema)
    @blp.response(200, ProductSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=NO_PRODUCT)
    def patch(self, changes, product_id):
        """Change a product: name, description, price, currency, roles, duration, or `active`
        (false archives it, true puts it back on sale). Purchases already made keep the roles
        and duration they were sold with."""
        return catalogue.update_product(new_uow(), product_id, changes)

    @requires_scope(blp, "catalog:write")
    @blp.arguments(ProductPathSchema, location="path", as_kwargs=True)
    @blp.response(200, ProductSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=NO_PRODUCT)
    def delete(self, product_id):
        """Archive a product: it is no longer sold (a purchase of it answers 422), and orders and
        purchases keep referring to it. Nothing is deleted; PATCH `active: true` restores it."""
        return catalogue.archive_product(new_uow(), product_id)
