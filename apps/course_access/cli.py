"""`python -m apps.course_access show EMAIL | rebuild`: the course platform's view of a user,
and the rebuild of the whole projection from the role events.

    show EMAIL [--json]   platform access and open courses, each with its end (exit 1: unknown)
    rebuild [--topic T]   empties the projection and applies every event in access.role again

The rebuild assumes access.role keeps every event ever written (retention.ms=-1, no
compaction; the stack creates it so) and refuses a topic that is compacted or has lost messages
from a partition's start. The consumer may keep running meanwhile; readers are never blocked.
Database URL: COURSES_DATABASE_URL, else the local stack's; Kafka: KAFKA_BOOTSTRAP.
"""
import argparse
import json
import logging
import sys
from datetime import datetime, timezone

from sqlalchemy import create_engine

from apps.consumers import course_access as consumer
from apps.course_access.adapters.projection import RebuildRunning
from apps.course_access.rebuild import Rebuild
from apps.course_access.service.access import LearnerAccess, access_of
from apps.course_access.service.uow import CoursesUnitOfWork
from apps.emails import InvalidEmail, normalise_email
from apps.settings import database_url, kafka_bootstrap
from outbox.replay import IncompleteTopic


def stamp(moment: datetime) -> str:
    """UTC, to the millisecond the events carry (whole seconds shown without a fraction)."""
    spec = "milliseconds" if moment.microsecond else "seconds"
    return moment.astimezone(timezone.utc).isoformat(timespec=spec).replace("+00:00", "Z")


def as_json(found: LearnerAccess) -> dict:
    platform = found.platform
    return {"userId": found.learner.user_id, "email": found.learner.email,
            "sequence": found.learner.last_sequence,
            "platform": {"open": bool(platform and platform.open),
                         "until": stamp(platform.until) if platform else None},
            "courses": [{"course": c.course, "until": stamp(c.until)}
                        for c in found.courses if c.open]}


def as_text(found: LearnerAccess) -> str:
    view, platform = as_json(found), found.platform
    if platform is None:
        door = "closed (no PREMIUM_USER event yet)"
    else:
        door = f"{'open until' if platform.open else 'closed since'} {stamp(platform.until)}"
    courses = ", ".join(f"{c['course']} until {c['until']}" for c in view["courses"]) or "none"
    return (f"{view['email']}: user {view['userId']}, role events applied up to sequence "
            f"{view['sequence']}\n  platform: {door}\n  open courses: {courses}")


def show(email: str, as_machine: bool) -> int:
    try:
        email = normalise_email(email)
    except InvalidEmail as error:
        print(f"{email!r}: {error}", file=sys.stderr)
        return 2
    engine = create_engine(database_url(consumer.DATABASE))
    try:
        with CoursesUnitOfWork(engine.connect) as uow:
            found = access_of(uow, email)
    finally:
        engine.dispose()
    if not found:
        print(f"{email}: no role event seen for this e-mail", file=sys.stderr)
        return 1
    print(json.dumps([as_json(f) for f in found]) if as_machine
          else "\n".join(as_text(f) for f in found))
    return 0


def rebuild(topic: str, batch_size: int) -> int:
    try:
        report = Rebuild(database_url(consumer.DATABASE), kafka_bootstrap(), topic,
                         batch_size=batch_size).run()
    except (IncompleteTopic, RebuildRunning) as error:
        print(f"refused, the projection is unchanged: {error}", file=sys.stderr)
        return 1
    print(f"rebuilt from {report.read} messages of {topic}; {len(report.skipped)} not applied"
          + "".join(f"\n  {line}" for line in report.skipped))
    if report.retention_ms >= 0:
        print(f"warning: {topic} keeps messages {report.retention_ms} ms only: once the first "
              "are deleted a rebuild is refused (set retention.ms=-1)", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m apps.course_access", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    shown = commands.add_parser("show", help="a user's platform access and open courses")
    shown.add_argument("email")
    shown.add_argument("--json", action="store_true", help="one JSON array, a learner each")
    again = commands.add_parser(
        "rebuild", help="rebuild the projection from every event in the topic (which must keep "
                        "them all: retention.ms=-1, no compaction)")
    again.add_argument("--topic", default=consumer.TOPIC)
    again.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args(argv)
    if args.command == "show":
        return show(args.email, args.json)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    return rebuild(args.topic, args.batch_size)
