"""Test controls of the fake platform: fail the next calls that would move money, answer slowly.

`POST /_control {"failNext": n, "failStatus": 503, "delaySeconds": 2.5}` sets what it names:
the next n money-moving calls (charges, refunds, subscription charges) answer `failStatus`
without doing anything, and every call but /health and /_control waits `delaySeconds` first.
`DELETE /_control` resets both. The state is the process's own: a test that changes it should
run a platform of its own (tests/integration/test_payment_platform.py does).
"""
import threading

from apps.payment_platform.charges import Problem

MAX_DELAY_S = 60
MAX_FAIL_NEXT = 1000


class Controls:
    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._fail_next, self._fail_status, self._delay = 0, 503, 0.0

    def state(self) -> dict:
        with self._lock:
            return {"failNext": self._fail_next, "failStatus": self._fail_status,
                    "delaySeconds": self._delay}

    def update(self, body: object) -> dict:
        if not isinstance(body, dict) or not set(body) <= {"failNext", "failStatus", "delaySeconds"}:
            raise Problem(400, "invalid_request", "the body is an object of failNext, failStatus, delaySeconds")
        fail_next = body.get("failNext", self.state()["failNext"])
        fail_status = body.get("failStatus", self.state()["failStatus"])
        delay = body.get("delaySeconds", self.state()["delaySeconds"])
        if not number(fail_next, int) or not 0 <= fail_next <= MAX_FAIL_NEXT:
            raise Problem(400, "invalid_request", f"failNext must be a whole number from 0 to {MAX_FAIL_NEXT}")
        if not number(fail_status, int) or not 400 <= fail_status <= 599:
            raise Problem(400, "invalid_request", "failStatus must be an HTTP error status (400 to 599)")
        if not number(delay, (int, float)) or not 0 <= delay <= MAX_DELAY_S:
            raise Problem(400, "invalid_request", f"delaySeconds must be a number from 0 to {MAX_DELAY_S}")
        with self._lock:
            self._fail_next, self._fail_status, self._delay = fail_next, fail_status, float(delay)
        return self.state()

    def delay(self) -> float:
        with self._lock:
            return self._delay

    def take_failure(self) -> int | None:
        """The status to fail this call with, counting it off, or None."""
        with self._lock:
            if self._fail_next <= 0:
                return None
            self._fail_next -= 1
            return self._fail_status


def number(value: object, kinds) -> bool:
    return isinstance(value, kinds) and not isinstance(value, bool)
