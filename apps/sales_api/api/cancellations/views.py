"""POST /api/cancellations: a checkout integration reports a cancelled sale."""
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.error_handler import ErrorSchema

from apps.sales_api.api.purchases.schemas import PurchaseRequestSchema, PurchaseSchema
from apps.sales_api.api.uow import new_uow
from apps.sales_api.service import purchases

blp = Blueprint("cancellations", __name__, url_prefix="/api/cancellations",
                description="Cancellations reported by checkout integrations.")


@blp.route("")
class Cancellations(MethodView):
    @blp.arguments(PurchaseRequestSchema)
    @blp.response(200, PurchaseSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="Unknown service key")
    @blp.alt_response(404, schema=ErrorSchema,
                      description="Unknown product, or no completed purchase of it by the buyer")
    def post(self, body):
        """Cancel the buyer's newest completed purchase of the product."""
        return purchases.cancel_purchase(new_uow(), body["serviceKey"], body["buyerEmail"],
                                         body["productId"])
