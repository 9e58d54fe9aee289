"""/api/subscriptions/{id}/charges/{request_id}: charge the current billing period, read a charge.

The request id is the charge's idempotency key, stored with it: the same id again is answered
from the stored charge, never with a second platform call. So the Idempotency-Key middleware
leaves the POST alone (`exempt`): its one transaction around the view would hold the platform
call inside it, and replay a 409 or 503 that a later call would answer differently. The view
works on connections of its own: the charge is claimed and committed before the platform is
called, and the call happens with no transaction open (service/charges.py).
"""
import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from flask_smorest.error_handler import ErrorSchema

from apps import money
from apps.api_keys.bearer import requires_scope
from apps.billing.adapters.charges import ChargeAttempts, ChargeLocks
from apps.billing.api.schemas import SubscriptionPathSchema
from apps.billing.domain.charges import ChargeKind, ChargeStatus, RequestIdTaken
from apps.billing.service import charges as service
from apps.billing.service.uow import BillingUnitOfWork
from apps.idempotency.middleware import exempt
from apps.payments.platform import PaymentPlatform
from apps.web.fields import Text

REQUEST_ID = r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"

blp = Blueprint("billing_charges", __name__, url_prefix="/api",
                description="Charges of subscriptions at the payment platform, one per request "
                            "id and one per subscription, period and kind.")


class ChargePathSchema(SubscriptionPathSchema):
    request_id = Text(required=True, max_length=128, validate=ma.validate.Regexp(REQUEST_ID),
                      metadata={"example": "sub_3f2a9c0d1e4b5a69-p2", "description": (
                          "The charge's idempotency key: letters, digits and . _ : - (not "
                          "first), at most 128. It names one charge for good: the next period "
                          "needs a new one. The scheduler uses `{subscription}-p{period}`.")})


class ChargeSchema(ma.Schema):
    request_id = ma.fields.String(metadata={"description": "The charge's idempotency key."})
    subscription_id = ma.fields.String()
    period = ma.fields.Integer(metadata={"description": "The billing period it pays, 1 = the first."})
    kind = ma.fields.Enum(ChargeKind, by_value=True)
    plan_id = ma.fields.String(metadata={"description": "The plan it pays for (the platform's sku)."})
    amount = ma.fields.Function(lambda c: money.formatted(c.amount, c.currency),
                                metadata={"type": "string", "example": "29.99"})
    currency = ma.fields.String()
    status = ma.fields.Enum(ChargeStatus, by_value=True, metadata={
        "description": "pending (the platform has not answered yet), approved or declined."})
    charge_id = ma.fields.String(allow_none=True, metadata={"description": "The platform's."})
    detail = ma.fields.String(allow_none=True, metadata={"description": "Why it was declined."})
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()


def charger() -> service.Charger:
    engine = current_app.extensions["sales_engine"]
    return service.Charger(lambda: BillingUnitOfWork(engine.connect),
                           PaymentPlatform.from_settings(), ChargeAttempts(engine),
                           ChargeLocks(engine))


@blp.route("/subscriptions/<string:subscription_id>/charges/<string:request_id>")
class SubscriptionCharge(MethodView):
    @exempt(blp)
    @requires_scope(blp, "billing:write")
    @blp.arguments(ChargePathSchema, location="path", as_kwargs=True)
    @blp.response(201, ChargeSchema, description=(
        "Charged by this request: the platform approved or declined (see `status`)"))
    @blp.alt_response(200, schema=ChargeSchema, description=(
        "Charged before: this request id's stored charge, or the charge another request id "
        "made for the same period (`pending` while it is being sent); no platform call"))
    @blp.alt_response(404, schema=ErrorSchema, description="No subscription with this id")
    @blp.alt_response(409, schema=ErrorSchema, description=(
        "The subscription is not charged in its status (`errors.current_status`: paused, "
        "cancelled) or its plan is inactive; or the request id names another subscription's "
        "charge; or this request id's charge is being sent right now (`Retry-After`)"))
    @blp.alt_response(502, schema=ErrorSchema, description=(
        "The platform refused the request (not a decline); the charge stays pending"))
    @blp.alt_response(503, schema=ErrorSchema, description=(
        "The platform did not answer after retries: the charge stays pending; send the same "
        "request id again after `Retry-After` seconds (the platform dedupes it)"))
    def post(self, subscription_id, request_id):
        """Charge the subscription for its current billing period (the next unpaid one)."""
        try:
            answer = service.charge_period(charger(), subscription_id, request_id)
        except (RequestIdTaken, service.ChargeInFlight) as error:
            abort(409, message=str(error), errors={"path": {"request_id": [str(error)]}},
                  headers={"Retry-After": "1"} if isinstance(error, service.ChargeInFlight) else {})
        except service.PlatformRefused as error:
            abort(502, message=f"charge {error.charge.request_id} is pending: {error}",
                  errors={"platform": ["refused"]})
        except service.PlatformAway as error:
            abort(503, message=f"charge {error.charge.request_id} is pending: {error}",
                  errors={"platform": ["unavailable"]},
                  headers={"Retry-After": str(service.RETRY_AFTER_S)})
        return answer.charge, 201 if answer.new else 200

    @requires_scope(blp, "billing:read")
    @blp.arguments(ChargePathSchema, location="path", as_kwargs=True)
    @blp.response(200, ChargeSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such charge of this subscription")
    def get(self, subscription_id, request_id):
        """Read a charge by its request id."""
        engine = current_app.extensions["sales_engine"]
        try:
            return service.get_charge(BillingUnitOfWork(engine.connect), subscription_id,
                                      request_id)
        except service.UnknownCharge as error:
            abort(404, message=str(error))
