"""Request and response bodies of plans and subscriptions: snake_case, the field names of the
contracts other systems already send (`plan_id`, `customer_email`)."""
import marshmallow as ma

from apps import money
from apps.billing.domain.cycles import BillingCycle
from apps.billing.domain.model import PlanStatus, Status
from apps.sales_api.api.products.schemas import Price, PRODUCT_ID
from apps.web.fields import Email, RequestSchema, Role, Text

class PlanFields(RequestSchema):
    name = Text(max_length=200, validate=ma.validate.Length(min=1), metadata={"example": "Basic Plan"})
    price = Price()
    currency = Text(max_length=3, validate=ma.validate.OneOf(sorted(money.CODES)))
    billing_cycle = ma.fields.Enum(BillingCycle, by_value=True)
    roles = ma.fields.List(Role(), validate=ma.validate.Length(min=1, max=20))
    status = ma.fields.Enum(PlanStatus, by_value=True, metadata={
        "description": "active: open to new subscriptions; closed: none new, existing ones "
                       "continue and are charged; inactive: none new, not chargeable."})


class NewPlanSchema(PlanFields):
    id = Text(required=True, max_length=64, validate=ma.validate.Regexp(PRODUCT_ID),
              metadata={"example": "plan_12345", "pattern": PRODUCT_ID})

    def on_bind_field(self, field_name, field_obj):
        if field_name in ("name", "price", "currency", "billing_cycle", "roles"):
            field_obj.required = True

    @ma.validates_schema
    def price_in_currency(self, data, **kwargs):
        if "price" in data and "currency" in data:
            if error := money.amount_error(data["price"], data["currency"]):
                raise ma.ValidationError(error, "price")
            if data["price"] <= 0:
                raise ma.ValidationError("must be above 0", "price")


class PlanUpdateSchema(PlanFields):
    pass


class PlanSchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    price = Price()
    currency = ma.fields.String()
    billing_cycle = ma.fields.Enum(BillingCycle, by_value=True, attribute="cycle")
    roles = ma.fields.List(ma.fields.String())
    status = ma.fields.Enum(PlanStatus, by_value=True)


class PlanListSchema(ma.Schema):
    plans = ma.fields.List(ma.fields.Nested(PlanSchema))


class PlanPathSchema(RequestSchema):
    plan_id = Text(required=True, max_length=64)


class NewSubscriptionSchema(RequestSchema):
    plan_id = Text(required=True, max_length=64, metadata={"example": "plan_12345"})
    customer_email = Email(required=True, metadata={"example": "cliente@email.com"})


class SubscriptionSchema(ma.Schema):
    subscription_id = ma.fields.String(attribute="id", metadata={"example": "sub_3f2a9c0d1e4b5a69"})
    status = ma.fields.Enum(Status, by_value=True)
    next_billing_date = ma.fields.Date()
    plan_id = ma.fields.Function(lambda s: s.plan.id)
    next_plan_id = ma.fields.Function(lambda s: s.next_plan.id if s.next_plan else None, metadata={
        "description": "A downgrade taking effect when the paid period ends; null otherwise."})
    customer_email = ma.fields.String()
    paid_until = ma.fields.Date(allow_none=True, metadata={
        "description": "The end of the paid periods (the plan's roles last until then)."})
    periods_paid = ma.fields.Integer()
    created_at = ma.fields.AwareDateTime()
    cancelled_at = ma.fields.AwareDateTime(allow_none=True)


class SubscriptionPathSchema(RequestSchema):
    subscription_id = Text(required=True, max_length=64, metadata={"example": "sub_3f2a9c0d1e4b5a69"})


class StatusChangeSchema(RequestSchema):
    status = Text(required=True, max_length=9, validate=ma.validate.OneOf(
        [Status.PAUSED.value, Status.CANCELLED.value, Status.ACTIVE.value]),
        metadata={"description": "paused (from active), active (resume a paused one), "
                                 "cancelled (from any but cancelled)."})


class PlanChangeSchema(RequestSchema):
    plan_id = Text(required=True, max_length=64, metadata={"example": "plan_54321"})


class PlanChangeResultSchema(SubscriptionSchema):
    prorated_amount = ma.fields.String(metadata={
        "description": "Charged now for an upgrade (decimal text); \"0.00\" for a downgrade."})
    proration_request_id = ma.fields.String(allow_none=True, metadata={
        "description": "The charge's request id (POST /api/subscriptions/{id}/charges/{it} "
                       "reads or retries it); null when nothing is charged."})
    proration_status = ma.fields.String(allow_none=True, metadata={
        "description": "approved, declined, or pending when the platform did not answer."})


class EligibleQuerySchema(RequestSchema):
    after = Text(load_default="", max_length=64, metadata={
        "description": "The last id of the previous page (ids ascend)."})
    limit = ma.fields.Integer(load_default=1000, validate=ma.validate.Range(min=1, max=10_000))


class EligibleSchema(ma.Schema):
    subscription_ids = ma.fields.List(ma.fields.String())
    next_after = ma.fields.String(allow_none=True, metadata={
        "description": "Pass as `after` for the next page; null on the last page."})
