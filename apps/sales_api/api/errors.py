"""The one place where sales domain errors become HTTP errors in flask-smorest's shape."""
from werkzeug.exceptions import Conflict, NotFound, Unauthorized, UnprocessableEntity

from apps.sales_api.domain.errors import (InvalidOrder, InvalidPrice, NoLivePurchase,
                                         ProductArchived, SalesError, UnknownOrder, UnknownProduct,
                                         UnknownServiceKey)
from apps.sales_api.domain.orders import MixedCurrencies

STATUS = {UnknownServiceKey: Unauthorized, UnknownProduct: NotFound, NoLivePurchase: NotFound,
          ProductArchived: UnprocessableEntity, InvalidPrice: UnprocessableEntity,
          InvalidOrder: UnprocessableEntity, MixedCurrencies: UnprocessableEntity,
          UnknownOrder: NotFound}  # anything else (a state conflict) is a 409


def register_error_handlers(app, api) -> None:
    @app.errorhandler(SalesError)
    def sales_error(error: SalesError):
        http_error = STATUS.get(type(error), Conflict)()
        http_error.data = {"message": str(error)}
        if getattr(error, "errors", None):  # several fields at once, already nested
            http_error.data["errors"] = {"json": error.errors}
        elif error.field:
            http_error.data["errors"] = {"json": {error.field: [str(error)]}}
        return api.handle_http_exception(http_error)
