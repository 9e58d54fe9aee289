"""Billing errors in the one JSON error shape: 404 unknown subscription, 422 a body naming an
unknown plan or a plan change leaving a price its currency cannot have, 409 a state conflict
naming the current status (or the rule)."""
from werkzeug.exceptions import Conflict, NotFound, UnprocessableEntity

from apps.billing.domain.model import BillingError, InvalidTransition
from apps.billing.service.subscriptions import InvalidPrice, UnknownPlan, UnknownSubscription

STATUS = {UnknownSubscription: NotFound, UnknownPlan: UnprocessableEntity,
          InvalidPrice: UnprocessableEntity}  # else 409


def register_billing_errors(app, api) -> None:
    @app.errorhandler(BillingError)
    def billing_error(error: BillingError):
        http_error = STATUS.get(type(error), Conflict)()
        http_error.data = {"message": str(error)}
        if isinstance(error, InvalidTransition):
            http_error.data["errors"] = {"json": {"status": [str(error)]},
                                         "current_status": error.current.value}
        elif error.field:
            http_error.data["errors"] = {"json": {error.field: [str(error)]}}
        return api.handle_http_exception(http_error)
