"""The fake platform's webhooks, without a network: the body of a decided subscription charge,
its signature, and deliveries retried on 5xx with the same event id but not on a refusal."""
import hashlib
import hmac
import json

from apps.payment_platform.webhooks import WebhookSender, webhook_of

CHARGE = {"id": "ch_1", "status": "approved", "amount": "29.99", "subscription_id": "sub_67890",
          "customer_id": "ana@example.com", "sku_id": "plan_12345",
          "created": "2026-03-01T09:00:00+00:00"}


class Answers:
    def __init__(self, *statuses):
        self.statuses, self.sent = list(statuses), []

    def __call__(self, url, data, headers, timeout):
        self.sent.append((url, data, headers))
        return type("Response", (), {"status_code": self.statuses.pop(0)})()


def test_a_decided_charge_becomes_the_contracts_webhook():
    assert webhook_of(CHARGE) == {"subscription_id": "sub_67890", "event": "payment_success",
                                  "amount": 29.99, "date": "2026-03-01"}
    assert webhook_of({**CHARGE, "status": "declined"})["event"] == "payment_failed"
    assert webhook_of({k: v for k, v in CHARGE.items() if k != "subscription_id"}) is None
    assert webhook_of({k: v for k, v in CHARGE.items() if k != "amount"}) is None


def test_a_5xx_is_delivered_again_with_the_same_id_and_a_valid_signature():
    answers, waits = Answers(503, 202), []
    sender = WebhookSender("http://shop/hook", "s3cret", post=answers, sleep=waits.append)
    assert sender.deliver("evt_ch_1", webhook_of(CHARGE)) is True
    assert len(answers.sent) == 2 and len(waits) == 1
    for url, body, headers in answers.sent:
        assert (url, json.loads(body)) == ("http://shop/hook", webhook_of(CHARGE))
        assert headers["X-Webhook-Id"] == "evt_ch_1"
        timestamp, signature = (p.split("=", 1)[1] for p in headers["X-Webhook-Signature"].split(","))
        expected = hmac.new(b"s3cret", f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        assert signature == expected


def test_a_refusal_ends_the_delivery_and_so_does_running_out_of_tries():
    refused = Answers(401)
    assert WebhookSender("http://shop/hook", "s", post=refused, sleep=lambda s: None).deliver(
        "evt_ch_1", webhook_of(CHARGE)) is False
    assert len(refused.sent) == 1
    away = Answers(*[503] * 3)
    assert WebhookSender("http://shop/hook", "s", delays=(0, 0), post=away,
                         sleep=lambda s: None).deliver("evt_ch_1", webhook_of(CHARGE)) is False
    assert len(away.sent) == 3
