"""POST /api/webhooks/payment: the payment platform reports a subscription's payment, signed.

No API key: the HMAC signature is the authentication (apps/billing/signatures.py), checked
before the body is read as a webhook. Idempotency-Key is not used either: a webhook sent again
is recognised by its own identity (service/webhooks.py), and a stored answer must never be
replayed to a caller whose signature was not checked.
"""
import time
from functools import wraps

import marshmallow as ma
from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from flask_smorest.error_handler import ErrorSchema

from apps.billing import settings, signatures
from apps.billing.api.uow import new_uow
from apps.billing.service import webhooks as service
from apps.idempotency.middleware import exempt
from apps.sales_api.api.products.schemas import Price
from apps.web.fields import CalendarDate, RequestSchema, Text

SECRET = "payment_webhook_secret"  # app.extensions key
SCHEME = "webhookSignature"
CHALLENGE = f'HMAC-SHA256 header="{signatures.HEADER}"'
ID_HEADER = "X-Webhook-Id"
SIGNING = (
    f"`{signatures.HEADER}: t=<unix seconds>,v1=<hex>` where v1 is the lower-case hex "
    f"HMAC-SHA256, keyed with the shared secret (PAYMENT_WEBHOOK_SECRET), of the timestamp, a "
    f"dot and the raw body bytes: `<t>.<body>`. A timestamp more than "
    f"{signatures.TOLERANCE_S // 60} minutes old or ahead, or a missing, malformed or wrong "
    f"signature, is answered 401. Several v1 values may be sent; one matching is enough.")

blp = Blueprint("payment_webhooks", __name__, url_prefix="/api/webhooks",
                description="Webhooks of the payment platform, authenticated by signature.")


def install_payment_webhooks(app, api) -> None:
    """Serves the endpoint. The secret is read here, at start-up: with APP_ENV=production and
    no PAYMENT_WEBHOOK_SECRET the API does not start (MissingSetting names it)."""
    app.extensions[SECRET] = settings.webhook_secret()
    api.spec.components.security_scheme(SCHEME, {
        "type": "apiKey", "in": "header", "name": signatures.HEADER, "description": SIGNING})
    api.register_blueprint(blp)


def requires_signature(view):
    """Outermost on the view: an unsigned request is refused before its body is validated."""
    @wraps(view)
    def checked(*args, **kwargs):
        try:
            signatures.verify(current_app.extensions[SECRET], request.headers.get(signatures.HEADER),
                              request.get_data(cache=True), time.time())
        except signatures.InvalidSignature as error:
            message = f"{signatures.HEADER}: {error}"
            abort(401, message=message, errors={"headers": {signatures.HEADER: [str(error)]}},
                  headers={"WWW-Authenticate": CHALLENGE})
        return view(*args, **kwargs)

    documented = blp.doc(security=[{SCHEME: []}])(checked)
    return blp.alt_response(401, schema=ErrorSchema, description=(
        "Missing, malformed or wrong signature, or a timestamp more than 5 minutes off"))(documented)


class Amount(Price):
    """The contract's JSON number (29.99), taken by its written digits; decimal text also does."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.metadata = {"type": "number", "example": 29.99, "description": (
            "The amount paid or attempted, in the subscription's currency.")}


class PaymentWebhookSchema(RequestSchema):
    subscription_id = Text(required=True, max_length=64, metadata={"example": "sub_67890"})
    event = Text(required=True, max_length=32, validate=ma.validate.OneOf(service.EVENT_TYPES))
    amount = Amount(required=True)
    date = CalendarDate(required=True, metadata={"description": "The payment's date."})


class WebhookHeadersSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE  # every other header of the request

    webhook_id = Text(data_key=ID_HEADER, max_length=255, load_default=None, metadata={
        "description": "The platform's id of this event, when it sends one: a webhook sent "
                       "again with the same id is accepted once.", "example": "evt_1a2b3c"})


class ReceiptSchema(ma.Schema):
    payment_event_id = ma.fields.Integer(attribute="id")
    duplicate = ma.fields.Boolean(metadata={
        "description": "True: this webhook was received before (same X-Webhook-Id, or the same "
                       "body and signature); `payment_event_id` is the first one's, and nothing "
                       "was written."})


@blp.route("/payment")
class PaymentWebhook(MethodView):
    @exempt(blp)
    @requires_signature
    @blp.arguments(WebhookHeadersSchema, location="headers", as_kwargs=True)
    @blp.arguments(PaymentWebhookSchema)
    @blp.response(202, ReceiptSchema)
    @blp.alt_response(422, schema=ErrorSchema, description=(
        "A field breaks a rule, or names no subscription (`errors.json.subscription_id`)"))
    def post(self, body, webhook_id):
        """Receive a payment webhook (payment_success or payment_failed), signed.

        Signed with `X-Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
        `<t>.<raw body>` with the shared secret PAYMENT_WEBHOOK_SECRET; older than 5 minutes
        (or ahead) or a wrong signature is 401. Stored with its event for the billing consumer,
        which applies it to the subscription: 202. Sent again, it is accepted once."""
        webhook = service.PaymentWebhook(
            body["subscription_id"], body["event"], body["amount"], body["date"], webhook_id,
            service.request_digest(request.headers[signatures.HEADER], request.get_data(cache=True)))
        try:
            return service.receive_payment_webhook(new_uow(), webhook)
        except service.InvalidWebhook as error:
            abort(422, message=str(error), errors={"json": {error.field: [str(error)]}})
