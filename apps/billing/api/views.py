"""/api/plans and /api/subscriptions: plans (catalog:write to change), subscribing, the
lifecycle requests, plan changes and the list of subscriptions eligible for charging."""
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from flask_smorest.error_handler import ErrorSchema

from apps import money
from apps.api_keys.bearer import requires_scope
from apps.billing.api.schemas import (EligibleQuerySchema, EligibleSchema, NewPlanSchema,
                                      NewSubscriptionSchema, PlanChangeResultSchema,
                                      PlanChangeSchema, PlanListSchema, PlanPathSchema,
                                      PlanSchema, PlanUpdateSchema, StatusChangeSchema,
                                      SubscriptionPathSchema, SubscriptionSchema)
from apps.billing.api.charges import charger
from apps.billing.api.uow import new_uow
from apps.billing.domain.model import Plan
from apps.billing.service import charges, subscriptions as service

blp = Blueprint("billing", __name__, url_prefix="/api",
                description="Plans and subscriptions: a plan grants roles while its "
                            "subscription is paid up.")

NOT_FOUND = "No subscription with this id"
CONFLICT = "Not allowed in the subscription's current status (named in `errors.current_status`)"


@blp.route("/plans")
class Plans(MethodView):
    @blp.response(200, PlanListSchema)
    def get(self):
        """List every plan, with its status."""
        return {"plans": service.list_plans(new_uow())}

    @requires_scope(blp, "catalog:write")
    @blp.arguments(NewPlanSchema)
    @blp.response(201, PlanSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="A plan with this id exists")
    def post(self, new):
        """Add a plan."""
        plan = Plan(new["id"], new["name"], new["price"], new["currency"], new["billing_cycle"],
                    tuple(sorted(set(new["roles"]))), *([new["status"]] if "status" in new else []))
        return service.create_plan(new_uow(), plan)


@blp.route("/plans/<string:plan_id>")
class PlanById(MethodView):
    @blp.arguments(PlanPathSchema, location="path", as_kwargs=True)
    @blp.response(200, PlanSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No plan with this id")
    def get(self, plan_id):
        """Read a plan."""
        try:
            return service.get_plan(new_uow(), plan_id)
        except service.UnknownPlan as error:
            abort(404, message=str(error))

    @requires_scope(blp, "catalog:write")
    @blp.arguments(PlanPathSchema, location="path", as_kwargs=True)
    @blp.arguments(PlanUpdateSchema)
    @blp.response(200, PlanSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No plan with this id")
    def patch(self, changes, plan_id):
        """Change a plan: name, price, currency, roles, or status (active, closed, inactive).
        A new price is charged from the next billing date on."""
        if "billing_cycle" in changes:
            changes["cycle"] = changes.pop("billing_cycle")
        if "roles" in changes:
            changes["roles"] = tuple(sorted(set(changes["roles"])))
        try:
            return service.update_plan(new_uow(), plan_id, changes)
        except service.UnknownPlan as error:
            abort(404, message=str(error))


@blp.route("/subscriptions")
class Subscriptions(MethodView):
    @requires_scope(blp, "billing:write")
    @blp.arguments(NewSubscriptionSchema)
    @blp.response(201, SubscriptionSchema)
    @blp.alt_response(409, schema=ErrorSchema, description=(
        "The customer has a live subscription to this plan, or the plan is not `active`"))
    @blp.alt_response(422, schema=ErrorSchema, description="Unknown plan, or a field breaks a rule")
    def post(self, new):
        """Subscribe a customer to a plan: `pending` until the first payment, due today."""
        return service.subscribe(new_uow(), new["plan_id"], new["customer_email"])


@blp.route("/subscriptions/eligible")
class Eligible(MethodView):
    @requires_scope(blp, "billing:read")
    @blp.arguments(EligibleQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, EligibleSchema)
    def get(self, after, limit):
        """Ids of the subscriptions eligible for charging (status `active`, plan `active` or
        `closed`), ascending, a page at a time, read from a partial index."""
        ids = service.eligible(new_uow(), after, limit)
        return {"subscription_ids": ids, "next_after": ids[-1] if len(ids) == limit else None}


@blp.route("/subscriptions/<string:subscription_id>")
class SubscriptionById(MethodView):
    @requires_scope(blp, "billing:read")
    @blp.arguments(SubscriptionPathSchema, location="path", as_kwargs=True)
    @blp.response(200, SubscriptionSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=NOT_FOUND)
    def get(self, subscription_id):
        """Read a subscription."""
        return service.get_subscription(new_uow(), subscription_id)


@blp.route("/subscriptions/<string:subscription_id>/status")
class SubscriptionStatus(MethodView):
    @requires_scope(blp, "billing:write")
    @blp.arguments(SubscriptionPathSchema, location="path", as_kwargs=True)
    @blp.arguments(StatusChangeSchema)
    @blp.response(200, SubscriptionSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=NOT_FOUND)
    @blp.alt_response(409, schema=ErrorSchema, description=CONFLICT)
    def post(self, body, subscription_id):
        """Pause (an active subscription), resume (`active`, a paused one) or cancel."""
        return service.change_status(new_uow(), subscription_id, body["status"])


@blp.route("/subscriptions/<string:subscription_id>/plan")
class SubscriptionPlan(MethodView):
    @requires_scope(blp, "billing:write")
    @blp.arguments(SubscriptionPathSchema, location="path", as_kwargs=True)
    @blp.arguments(PlanChangeSchema)
    @blp.response(200, PlanChangeResultSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=NOT_FOUND)
    @blp.alt_response(409, schema=ErrorSchema, description=(
        "The subscription is cancelled, the new plan is not `active`, or it bills on another "
        "cycle"))
    def post(self, body, subscription_id):
        """Change plan: an upgrade (a higher price) at once, with a prorated charge for the rest
        of the paid period; a downgrade when the paid period ends."""
        subscription, amount = service.change_plan(new_uow(), subscription_id, body["plan_id"])
        change = PlanChange(subscription, money.formatted(amount, subscription.plan.currency))
        try:  # the change is committed; its charge is the idempotent one of charges.py
            answer = charges.charge_proration(charger(), subscription_id, amount)
        except (charges.PlatformAway, charges.PlatformRefused):
            # On record as pending: the charges endpoint with its request id sends it again.
            answer = None
            change.proration_status = "pending"
        if answer is not None:
            change.proration_request_id = answer.charge.request_id
            change.proration_status = answer.charge.status.value
        return change


class PlanChange:
    """A subscription as the plan change left it, with the amount charged for it."""

    def __init__(self, subscription, prorated_amount: str):
        self.subscription, self.prorated_amount = subscription, prorated_amount
        self.proration_request_id = self.proration_status = None

    def __getattr__(self, name):
        return getattr(self.subscription, name)
