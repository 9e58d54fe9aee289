"""The fake platform's webhooks: the outcome of a subscription charge, told to the shop.

After it approves or declines `POST /order/{request_id}` (not on a replay) whose body named a
`subscription_id` and an `amount`, it POSTs to PAYMENT_WEBHOOK_URL (when set)
`{"subscription_id", "event": "payment_success" | "payment_failed", "amount": 29.99, "date":
"YYYY-MM-DD"}` with `X-Webhook-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`
(secret PAYMENT_WEBHOOK_SECRET, apps/billing/settings.py: the shop's and the fake's defaults
match) and `X-Webhook-Id: evt_<charge id>`, the same on every delivery of it. Delivered from a
thread of its own, so the charge's answer does not wait for the shop; a failed delivery (no
answer, 5xx, 429) is sent again with backoff for about a minute, the same id and a fresh
signature, as real platforms do.
"""
import json
import logging
import threading
import time
from decimal import Decimal

import requests

from apps.billing.settings import webhook_secret
from apps.billing.signatures import signature_header
from apps.settings import env

log = logging.getLogger("payment-platform")
DELAYS_S = (0.5, 1, 2, 4, 8, 15, 30)  # between deliveries of one webhook


def webhook_of(charge: dict) -> dict | None:
    """The webhook body of a decided subscription charge, or None if it names no subscription
    or amount (the contract's two fields alone do not say what to report)."""
    if not charge.get("subscription_id") or not charge.get("amount"):
        return None
    return {"subscription_id": charge["subscription_id"],
            "event": "payment_success" if charge["status"] == "approved" else "payment_failed",
            "amount": float(Decimal(charge["amount"])),  # the contract's JSON number: 29.99
            "date": charge["created"][:10]}


class WebhookSender:
    def __init__(self, url: str, secret: str, delays=DELAYS_S, post=requests.post,
                 sleep=time.sleep):
        self.url, self.secret, self.delays, self.post, self.sleep = url, secret, delays, post, sleep

    @classmethod
    def from_environment(cls) -> "WebhookSender | None":
        url = env("PAYMENT_WEBHOOK_URL", "")
        return cls(url, webhook_secret()) if url else None

    def charge_decided(self, charge: dict) -> threading.Thread | None:
        webhook = webhook_of(charge)
        if webhook is None:
            return None
        thread = threading.Thread(target=self.deliver, args=(f"evt_{charge['id']}", webhook),
                                  name=f"webhook-{charge['id']}", daemon=True)
        thread.start()
        return thread

    def deliver(self, event_id: str, webhook: dict) -> bool:
        body = json.dumps(webhook, separators=(",", ":")).encode()
        for delay in (*self.delays, None):
            headers = {"Content-Type": "application/json", "X-Webhook-Id": event_id,
                       "X-Webhook-Signature": signature_header(self.secret, int(time.time()), body)}
            try:
                status = self.post(self.url, data=body, headers=headers, timeout=10).status_code
            except requests.RequestException as error:
                status = type(error).__name__
            if isinstance(status, int) and status < 500 and status != 429:
                log.log(logging.INFO if status < 300 else logging.WARNING,
                        "webhook %s (%s) answered %s", event_id, webhook["event"], status)
                return status < 300
            if delay is None:
                break
            self.sleep(delay)
        log.warning("webhook %s (%s) not delivered: last answer %s", event_id, webhook["event"],
                    status)
        return False
