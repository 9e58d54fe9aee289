"""Gives views a fresh billing unit of work on the sales API's engine (on the request's
transaction when it carries an Idempotency-Key, like the sales views)."""
from flask import current_app

from apps.billing.service.uow import BillingUnitOfWork
from apps.idempotency.middleware import connection_factory


def new_uow() -> BillingUnitOfWork:
    return BillingUnitOfWork(connection_factory(current_app.extensions["sales_engine"]))
