"""Billing settings from the environment, with development defaults.

PAYMENT_WEBHOOK_SECRET is the secret the payment platform and we share to sign its webhooks
(apps/billing/signatures.py). In development it defaults to DEV_WEBHOOK_SECRET, the value the
local fake platform and the tests sign with; with APP_ENV=production it must be set, and a
missing one stops the sales API's start-up with its name.
"""
import os

from apps.settings import MissingSetting, production

DEV_WEBHOOK_SECRET = "dev-payment-webhook-secret"


def webhook_secret() -> str:
    value = os.environ.get("PAYMENT_WEBHOOK_SECRET")
    if value:
        return value
    if production():
        raise MissingSetting("PAYMENT_WEBHOOK_SECRET is not set (APP_ENV=production has no "
                             "development defaults)")
    return DEV_WEBHOOK_SECRET
