"""Waiting for a condition with a deadline, never for a fixed time."""
import time


def wait_for(condition, seconds=30.0, what="the condition"):
    """Polls `condition` until it returns something truthy, and returns that."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}")
