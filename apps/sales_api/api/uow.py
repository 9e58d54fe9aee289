"""Gives views a fresh unit of work on the app's session factory and catalogue cache."""
from flask import current_app

from apps.sales_api.service.uow import SalesUnitOfWork


def new_uow() -> SalesUnitOfWork:
    return SalesUnitOfWork(current_app.extensions["sales_sessions"],
                           current_app.extensions["sales_catalog"])
