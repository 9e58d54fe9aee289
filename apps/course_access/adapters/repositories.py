"""Learners and their doors (platform, courses) on one connection; one statement per batch.

Batch statements pass each column as one array (`unnest`, `= ANY`), so their SQL text is the
same whatever the batch size (as in the access service's repositories). Table names are not
schema-qualified: the connection's search_path picks the schema, which is how the rebuild
fills a scratch copy with this same code.
"""
from sqlalchemy import text

from apps.course_access.domain.access import Access, Learner

CREATE_LEARNERS = text(
    "INSERT INTO learners (user_id, email, last_sequence) "
    "SELECT *, 0 FROM unnest(CAST(:ids AS bigint[]), CAST(:emails AS text[])) "
    "ON CONFLICT DO NOTHING")
LOCK_LEARNERS = text(
    "SELECT user_id, email, last_sequence FROM learners WHERE user_id = ANY(CAST(:ids AS bigint[])) "
    "ORDER BY user_id FOR UPDATE")
SAVE_LEARNERS = text(
    "UPDATE learners SET email = u.email, last_sequence = u.last_sequence "
    "FROM unnest(CAST(:ids AS bigint[]), CAST(:emails AS text[]), CAST(:sequences AS bigint[])) "
    "AS u(user_id, email, last_sequence) WHERE learners.user_id = u.user_id")
LEARNERS_BY_EMAIL = text(
    "SELECT user_id, email, last_sequence FROM learners WHERE email = :email ORDER BY user_id")
PLATFORM_OF = text(
    "SELECT user_id, NULL AS course, open, until, sequence, changed_at FROM platform_access "
    "WHERE user_id = ANY(CAST(:ids AS bigint[]))")
COURSES_OF = text(
    "SELECT user_id, course, open, until, sequence, changed_at FROM course_access "
    "WHERE user_id = ANY(CAST(:ids AS bigint[])) ORDER BY user_id, course")
DOOR_ARRAYS = ("unnest(CAST(:ids AS bigint[]), {courses}CAST(:opens AS boolean[]), "
               "CAST(:untils AS timestamptz[]), CAST(:sequences AS bigint[]), "
               "CAST(:changed AS timestamptz[]))")
DOOR_UPDATE = ("open = excluded.open, until = excluded.until, sequence = excluded.sequence, "
               "changed_at = excluded.changed_at")
SAVE_PLATFORM = text(
    "INSERT INTO platform_access (user_id, open, until, sequence, changed_at) "
    f"SELECT * FROM {DOOR_ARRAYS.format(courses='')} "
    f"ON CONFLICT (user_id) DO UPDATE SET {DOOR_UPDATE}")
SAVE_COURSES = text(
    "INSERT INTO course_access (user_id, course, open, until, sequence, changed_at) "
    f"SELECT * FROM {DOOR_ARRAYS.format(courses='CAST(:courses AS text[]), ')} "
    f"ON CONFLICT (user_id, course) DO UPDATE SET {DOOR_UPDATE}")


class LearnerRepository:
    def __init__(self, session):
        self.session = session

    def lock(self, new: list[Learner]) -> dict[int, Learner]:
        """Creates the learners not known yet (sequence 0); returns every one of them row-locked,
        in id order (so two such calls over overlapping users do not deadlock), and a user's
        events are applied one transaction at a time."""
        ids = sorted({learner.user_id for learner in new})
        emails = {learner.user_id: learner.email for learner in new}
        self.session.execute(CREATE_LEARNERS, {"ids": ids, "emails": [emails[i] for i in ids]})
        rows = self.session.execute(LOCK_LEARNERS, {"ids": ids})
        return {row.user_id: Learner(row.user_id, row.email, row.last_sequence) for row in rows}

    def save(self, changed: list[Learner]) -> None:
        if changed:
            self.session.execute(SAVE_LEARNERS, {
                "ids": [c.user_id for c in changed], "emails": [c.email for c in changed],
                "sequences": [c.last_sequence for c in changed]})

    def by_email(self, email: str) -> list[Learner]:
        rows = self.session.execute(LEARNERS_BY_EMAIL, {"email": email})
        return [Learner(row.user_id, row.email, row.last_sequence) for row in rows]


class AccessRepository:
    def __init__(self, session):
        self.session = session

    def for_users(self, user_ids) -> dict[tuple[int, str | None], Access]:
        """Every door of these users, open and closed, by (user id, course; None = platform)."""
        found = {}
        for query in (PLATFORM_OF, COURSES_OF):
            for row in self.session.execute(query, {"ids": sorted(user_ids)}):
                found[(row.user_id, row.course)] = Access(*row)
        return found

    def save(self, changed: list[Access]) -> None:
        platform = [a for a in changed if a.course is None]
        courses = [a for a in changed if a.course is not None]
        if platform:
            self.session.execute(SAVE_PLATFORM, door_arrays(platform))
        if courses:
            self.session.execute(SAVE_COURSES, {**door_arrays(courses),
                                                "courses": [a.course for a in courses]})


def door_arrays(doors: list[Access]) -> dict[str, list]:
    return {"ids": [a.user_id for a in doors], "opens": [a.open for a in doors],
            "untils": [a.until for a in doors], "sequences": [a.sequence for a in doors],
            "changed": [a.changed_at for a in doors]}
