"""POST /api/purchases: a checkout integration reports a completed sale."""
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.error_handler import ErrorSchema

from apps.sales_api.api.purchases.schemas import PurchaseRequestSchema, PurchaseSchema
from apps.sales_api.api.uow import new_uow
from apps.sales_api.service import purchases

blp = Blueprint("purchases", __name__, url_prefix="/api/purchases",
                description="Sales reported by checkout integrations (authenticated by service key).")


@blp.route("")
class Purchases(MethodView):
    @blp.arguments(PurchaseRequestSchema)
    @blp.response(201, PurchaseSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="Unknown service key")
    @blp.alt_response(404, schema=ErrorSchema, description="Unknown product")
    def post(self, body):
        """Record a completed purchase; its roles are granted asynchronously."""
        return purchases.purchase_product(new_uow(), body["serviceKey"], body["buyerEmail"],
                                          body["productId"])
