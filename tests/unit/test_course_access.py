"""The course-access consumer with an in-memory courses database: doors open and close with the
role events, ends move, and stale or duplicate events change nothing."""
import dataclasses
import itertools
import logging
import uuid
from datetime import datetime, timedelta, timezone

from apps.consumers import course_access
from apps.consumers.role_events import (RoleEndMoved, RoleExtended, RoleGranted, RoleRevoked,
                                        RoleShortened, RoleSource)
from apps.course_access.service.access import access_of
from outbox.batch import Handlers
from outbox.codec import encode
from outbox.runner import EventRunner, RunnerConfig
from tests.unit.access_fakes import FakeConsumer, FakeMessage, FakeProducer
from tests.unit.course_fakes import FakeCoursesUnitOfWork

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
MONTH = T0 + timedelta(days=31)
USER = 42


def role_event(cls, role, sequence, until=MONTH, user_id=USER, previous_until=T0,
               email="learner@example.com"):
    fields = dict(event_id=str(uuid.uuid4()), user_id=user_id, email=email, role=role,
                  sequence=sequence, reason="PURCHASE", source=RoleSource("PURCHASE", "p-1"),
                  occurred_at=T0 + timedelta(minutes=sequence), until=until)
    if issubclass(cls, RoleEndMoved):
        fields["previous_until"] = previous_until
    return cls(**fields)


def applied(*events, uow=None):
    """Applies each event in its own transaction, as separate batches would."""
    uow = uow or FakeCoursesUnitOfWork()
    for event in events:
        with uow:
            course_access.handle_role_events([event], uow)
            uow.commit()
    return uow


def test_premium_user_opens_the_platform_and_a_course_role_opens_that_course():
    uow = applied(role_event(RoleGranted, "PREMIUM_USER", 1),
                  role_event(RoleGranted, "COURSE_XYZ", 2, until=MONTH + timedelta(days=1)))
    assert uow.doors_of(USER) == {None: (True, MONTH), "XYZ": (True, MONTH + timedelta(days=1))}
    assert uow.committed.learners[USER].last_sequence == 2


def test_a_revocation_closes_the_platform_or_the_course_it_opened():
    uow = applied(role_event(RoleGranted, "PREMIUM_USER", 1), role_event(RoleGranted, "COURSE_XYZ", 2),
                  role_event(RoleGranted, "COURSE_ABCD", 3),
                  role_event(RoleRevoked, "COURSE_XYZ", 4, until=T0 + timedelta(days=3)))
    assert uow.doors_of(USER) == {None: (True, MONTH), "XYZ": (False, T0 + timedelta(days=3)),
                                  "ABCD": (True, MONTH)}
    applied(role_event(RoleRevoked, "PREMIUM_USER", 5, until=T0 + timedelta(days=4)), uow=uow)
    assert uow.doors_of(USER)[None] == (False, T0 + timedelta(days=4))


def test_extended_and_shortened_move_the_end():
    later, earlier = MONTH + timedelta(days=30), MONTH - timedelta(days=10)
    uow = applied(role_event(RoleGranted, "COURSE_XYZ", 1),
                  role_event(RoleExtended, "COURSE_XYZ", 2, until=later, previous_until=MONTH))
    assert uow.doors_of(USER) == {"XYZ": (True, later)}
    applied(role_event(RoleShortened, "COURSE_XYZ", 3, until=earlier, previous_until=later), uow=uow)
    assert uow.doors_of(USER) == {"XYZ": (True, earlier)}


def test_a_stale_event_arriving_after_a_fresh_one_is_ignored():
    extended = role_event(RoleExtended, "COURSE_XYZ", 2, until=MONTH + timedelta(days=30))
    revoked = role_event(RoleRevoked, "COURSE_XYZ", 3, until=T0 + timedelta(days=5))
    uow = applied(role_event(RoleGranted, "COURSE_XYZ", 1), revoked)
    before = uow.commits
    applied(extended, uow=uow)  # sequence 2, after 3 was applied: a new event id, so not the inbox
    assert uow.doors_of(USER) == {"XYZ": (False, T0 + timedelta(days=5))}
    assert uow.committed.learners[USER].last_sequence == 3 and uow.commits == before + 1


def test_a_duplicate_changes_nothing_even_without_the_inbox():
    granted = role_event(RoleGranted, "PREMIUM_USER", 1)
    shortened = role_event(RoleShortened, "PREMIUM_USER", 2, until=T0 + timedelta(days=2))
    uow = applied(granted, shortened)
    # New event ids, so the inbox would not know them; the sequences alone rule them out, even
    # with another end (the contract: a sequence already applied is ignored, whatever it says).
    applied(dataclasses.replace(shortened, event_id=str(uuid.uuid4()), until=MONTH),
            dataclasses.replace(granted, event_id=str(uuid.uuid4()), until=MONTH), uow=uow)
    assert uow.doors_of(USER) == {None: (True, T0 + timedelta(days=2))}


def test_any_arrival_order_ends_in_the_state_of_the_sequence_order():
    """A door takes the newest event of its own role, so an event that arrives late but was
    never superseded for its role (re-driven from the dead-letter topic) still counts."""
    events = [role_event(RoleGranted, "PREMIUM_USER", 1), role_event(RoleGranted, "COURSE_A", 2),
              role_event(RoleExtended, "PREMIUM_USER", 3, until=MONTH + timedelta(days=5)),
              role_event(RoleRevoked, "COURSE_A", 4, until=T0 + timedelta(days=1)),
              role_event(RoleGranted, "COURSE_B", 5, email="renamed@example.com")]
    in_order = applied(*events)
    assert in_order.doors_of(USER) == {None: (True, MONTH + timedelta(days=5)),
                                       "A": (False, T0 + timedelta(days=1)), "B": (True, MONTH)}
    for arrival in itertools.permutations(events):
        uow = applied(*arrival)
        assert uow.committed.doors == in_order.committed.doors, arrival
        assert uow.committed.learners == in_order.committed.learners, arrival


def test_one_batch_gives_what_one_event_per_transaction_gives():
    events = [role_event(RoleGranted, "PREMIUM_USER", 1), role_event(RoleGranted, "COURSE_A", 2),
              role_event(RoleRevoked, "COURSE_A", 3), role_event(RoleGranted, "COURSE_A", 2),
              role_event(RoleGranted, "COURSE_C", 1, user_id=7)]
    batched = FakeCoursesUnitOfWork()
    with batched:
        course_access.handle_role_events(events, batched)
        batched.commit()
    assert batched.committed.doors == applied(*events).committed.doors
    assert batched.doors_of(USER)["A"][0] is False and batched.doors_of(7) == {"C": (True, MONTH)}


def test_a_role_that_opens_nothing_here_still_counts_in_the_sequence():
    uow = applied(role_event(RoleGranted, "SUPPORT_AGENT", 1), role_event(RoleGranted, "COURSE_", 2))
    assert uow.doors_of(USER) == {}
    assert uow.committed.learners[USER].last_sequence == 2


def test_a_gap_in_the_sequence_is_logged_and_the_event_applied(caplog):
    with caplog.at_level(logging.WARNING):
        uow = applied(role_event(RoleGranted, "COURSE_A", 1), role_event(RoleGranted, "COURSE_B", 4))
    assert uow.doors_of(USER)["B"] == (True, MONTH)
    assert "user 42: sequence 4 follows 1: events 2..3 not seen" in caplog.text


def test_the_read_view_lists_the_platform_and_the_open_courses_only():
    uow = applied(role_event(RoleGranted, "PREMIUM_USER", 1), role_event(RoleGranted, "COURSE_B", 2),
                  role_event(RoleGranted, "COURSE_A", 3), role_event(RoleRevoked, "COURSE_B", 4))
    from apps.course_access.cli import as_json, as_text

    with uow:
        [found] = access_of(uow, "learner@example.com")
    assert as_json(found) == {
        "userId": USER, "email": "learner@example.com", "sequence": 4,
        "platform": {"open": True, "until": "2026-04-01T09:30:00Z"},
        "courses": [{"course": "A", "until": "2026-04-01T09:30:00Z"}]}
    assert as_text(found).splitlines()[1:] == ["  platform: open until 2026-04-01T09:30:00Z",
                                               "  open courses: A until 2026-04-01T09:30:00Z"]


def message(event, offset):
    record = dataclasses.asdict(event)
    return FakeMessage(course_access.TOPIC, 0, offset, str(event.user_id).encode(),
                       encode(type(event).__name__, record),
                       [("id", event.event_id.encode()), ("eventType", type(event).__name__.encode())])


def test_the_runner_applies_avro_role_events_once_per_event_id():
    events = [role_event(RoleGranted, "PREMIUM_USER", 1), role_event(RoleGranted, "COURSE_XYZ", 2),
              role_event(RoleExtended, "COURSE_XYZ", 3, until=MONTH + timedelta(days=1))]
    msgs = [message(e, i) for i, e in enumerate(events + events[:1])]  # the first, delivered again
    uow = FakeCoursesUnitOfWork()
    consumer = FakeConsumer(msgs)
    runner = EventRunner(
        RunnerConfig(name=course_access.GROUP, bootstrap_servers="unused",
                     topics=[course_access.TOPIC], dead_letter_topic=course_access.DEAD_LETTER_TOPIC),
        Handlers(course_access.HANDLERS, course_access.BATCH_HANDLERS), uow,
        course_access.EVENT_TYPES, consumer=consumer, producer=FakeProducer(),
        clock=lambda: consumer.now)
    consumer.subscribe(runner.config.topics)
    runner.step()
    assert consumer.drained() and uow.commits == 1
    assert uow.doors_of(USER) == {None: (True, MONTH), "XYZ": (True, MONTH + timedelta(days=1))}
    assert runner.counts == {"applied": 3, "duplicates": 1, "dead_lettered": 0}
