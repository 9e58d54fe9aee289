"""The expiry scheduler's loop on the in-memory unit of work with a fake clock: it ends what
is due with reason EXPIRY, waits until the next end (never longer than its bound, never a busy
loop), and a stop request ends it."""
import threading
from datetime import datetime, timedelta, timezone

from sqlalchemy.exc import OperationalError

from apps.access_api.scheduler import BUSY_PAUSE_S, ERROR_PAUSE_S, Scheduler, pause
from apps.access_api.service.grants import Sale, grant_roles_for_sales
from tests.unit.access_fakes import FakeAccessUnitOfWork
from apps.durations import Duration

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def sold(uow, seconds, email="a@example.com"):
    with uow:
        grant_roles_for_sales(uow, [Sale(f"p-{seconds}", email, "123456", ("COURSE_XYZ",),
                                         Duration(seconds=seconds), T0)], T0)
        uow.commit()


def test_the_wait_is_until_the_next_end_bounded_and_short_only_when_work_is_held_elsewhere():
    assert pause(None, T0, False, 1.0) == 1.0
    assert pause(T0 + timedelta(milliseconds=300), T0, False, 1.0) == 0.3
    assert pause(T0 + timedelta(minutes=5), T0, False, 1.0) == 1.0
    assert pause(T0, T0, True, 1.0) == 0.0  # more was due than one pass took
    assert pause(T0 - timedelta(seconds=1), T0, False, 1.0) == BUSY_PAUSE_S  # held by another


def test_a_pass_ends_what_is_due_with_an_expiry_event_and_waits_for_the_next_end():
    uow, clock = FakeAccessUnitOfWork(), Clock(T0)
    sold(uow, 2)
    sold(uow, 30, email="b@example.com")
    scheduler = Scheduler(uow, max_sleep=1.0, clock=clock)
    assert scheduler.run_once() == 1.0 and len(uow.published) == 2  # nothing due yet
    clock.now = T0 + timedelta(seconds=2, milliseconds=400)
    assert scheduler.run_once() == 1.0
    revoked = uow.published[-1]
    assert (revoked.type, revoked.payload["reason"], revoked.payload["email"]) == (
        "RoleRevoked", "EXPIRY", "a@example.com")
    assert revoked.payload["until"] == T0 + timedelta(seconds=2)
    assert scheduler.metrics.registry.get_sample_value("access_expiry_grants_ended_total") == 1
    assert scheduler.metrics.registry.get_sample_value(
        "access_expiry_delay_seconds_bucket", {"le": "0.5"}) == 1
    clock.now = T0 + timedelta(seconds=29, milliseconds=600)
    assert abs(scheduler.run_once() - 0.4) < 1e-9  # sleeps until b's end, not its bound


def test_a_database_error_is_counted_and_retried_and_a_stop_request_ends_the_loop():
    down = OperationalError("SELECT 1", {}, Exception("connection refused"))
    uow, stop = FakeAccessUnitOfWork(fail_with=down, failures=1), threading.Event()
    waits = []

    class Scheduled(Scheduler):
        def run_once(self):
            waits.append(None)
            if len(waits) == 3:
                stop.set()
            return super().run_once()

    scheduler = Scheduled(uow, max_sleep=0.01, clock=Clock(T0))
    stop_wait = stop.wait
    stop.wait = lambda seconds: waits.__setitem__(-1, seconds) or stop_wait(0)
    scheduler.run(stop)
    assert waits == [ERROR_PAUSE_S, 0.01, 0.01]
    assert scheduler.metrics.registry.get_sample_value("access_expiry_pass_errors_total") == 1
    assert not scheduler.health.running
