"""GET /api/reports/subscriptions: counts and monthly recurring revenue (billing:read)."""
import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from apps.api_keys.bearer import requires_scope
from apps.billing.api.uow import new_uow
from apps.billing.service.reports import subscriptions_report

blp = Blueprint("reports", __name__, url_prefix="/api/reports",
                description="Reports on subscriptions, from aggregate queries over indexes.")


class PlanReportSchema(ma.Schema):
    plan_id = ma.fields.String(metadata={"example": "plan_12345"})
    name = ma.fields.String(metadata={"example": "Basic Plan"})
    active_subscriptions = ma.fields.Integer()
    subscriptions_by_status = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    currency = ma.fields.String()
    billing_cycle = ma.fields.String()
    mrr = ma.fields.String(metadata={"description": "Monthly recurring revenue of the plan's "
                                                    "active subscriptions (annual: one twelfth)",
                                     "example": "2399.20"})


class MrrSchema(ma.Schema):
    currency = ma.fields.String()
    amount = ma.fields.String()


class SubscriptionsReportSchema(ma.Schema):
    total_active = ma.fields.Integer()
    total_cancelled = ma.fields.Integer()
    totals_by_status = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    plans = ma.fields.List(ma.fields.Nested(PlanReportSchema))
    mrr = ma.fields.List(ma.fields.Nested(MrrSchema), metadata={
        "description": "Overall monthly recurring revenue, one figure per currency."})


@blp.route("/subscriptions")
class SubscriptionsReport(MethodView):
    @requires_scope(blp, "billing:read")
    @blp.response(200, SubscriptionsReportSchema)
    def get(self):
        """Active and cancelled subscriptions overall and per plan, and MRR per plan and overall."""
        return subscriptions_report(new_uow())
