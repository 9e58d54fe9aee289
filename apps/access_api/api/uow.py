"""Gives views a fresh unit of work on the app's engine.

In a POST sent with an Idempotency-Key it runs on that request's transaction, so the stored
answer commits with the work (apps/idempotency); otherwise on a connection of its own.
"""
from flask import current_app

from apps.access_api.service.uow import AccessUnitOfWork
from apps.idempotency.middleware import connection_factory


def new_uow() -> AccessUnitOfWork:
    return AccessUnitOfWork(connection_factory(current_app.extensions["access_engine"]))
