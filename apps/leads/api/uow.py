"""Gives views a fresh leads unit of work on the sales API's engine (on the request's
transaction when it carries an Idempotency-Key, like the sales views)."""
from flask import current_app

from apps.idempotency.middleware import connection_factory
from apps.leads.service.uow import LeadsUnitOfWork


def new_uow() -> LeadsUnitOfWork:
    return LeadsUnitOfWork(connection_factory(current_app.extensions["sales_engine"]))
