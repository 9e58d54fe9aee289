"""The users use cases on an in-memory directory: the e-mail rule, pages, a taken e-mail,
renames, histories and the catalogue, and what is committed."""
from datetime import datetime, timezone

import pytest

from apps.access_api.domain.users import CatalogueRole, UserRecord
from apps.access_api.service import users
from apps.access_api.service.grants import UnknownUser
from apps.emails import InvalidEmail

NOW = datetime(2026, 1, 31, 12, tzinfo=timezone.utc)


class FakeDirectory:
    """Records by id; the users API's reads see them as Users. (The events their changes
    announce are tested with the consumer's fakes, tests/unit/test_customers_sync.py.)"""

    def __init__(self, emails=()):
        self.users = [UserRecord(i + 1, email, None, 0, NOW) for i, email in enumerate(emails)]
        self.asked = []

    def find(self, email):
        return next((u.shown() for u in self.users if u.email == email), None)

    def add(self, email):
        if self.find(email):
            return None
        self.users.append(UserRecord(len(self.users) + 1, email, None, 0, NOW))
        return self.users[-1]

    def lock(self, emails):
        return {u.email: u for u in self.users if u.email in emails}

    def save(self, records):
        pass  # the records are the stored ones

    def matching(self, email, role, now, offset, limit):
        self.asked.append((email, role, now, offset, limit))
        found = [u.shown() for u in self.users if email in (None, u.email)]
        return found[offset:offset + limit], len(found)


class FakeGrants:
    def for_user(self, user_id):
        return [f"grant of user {user_id}"]


class FakeCatalogue:
    def roles(self, now):
        return [CatalogueRole("PREMIUM_USER", ("purchase",), ("123456",), holders=2)]


class FakeUnitOfWork:
    def __init__(self, directory):
        self.directory, self.grants, self.role_catalogue = directory, FakeGrants(), FakeCatalogue()
        self.commits = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def commit(self):
        self.commits += 1


def test_a_new_user_is_stored_by_the_email_rule_with_its_name_and_committed():
    uow = FakeUnitOfWork(FakeDirectory())
    user = users.create_user(uow, " Any@Email.com ", "Ada")
    assert (user.email, user.name) == ("any@email.com", "Ada") and uow.commits == 1


def test_an_email_taken_in_any_spelling_is_user_exists_and_nothing_is_committed():
    uow = FakeUnitOfWork(FakeDirectory(["any@email.com"]))
    with pytest.raises(users.UserExists) as raised:
        users.create_user(uow, "ANY@email.com")
    assert raised.value.email == "any@email.com" and uow.commits == 0


def test_a_user_is_found_by_any_spelling_of_its_email_and_an_unknown_one_is_unknown_user():
    uow = FakeUnitOfWork(FakeDirectory(["any@email.com"]))
    assert users.get_user(uow, " Any@EMAIL.com").id == 1
    with pytest.raises(UnknownUser):
        users.get_user(uow, "nobody@email.com")
    with pytest.raises(InvalidEmail):
        users.get_user(uow, "nobody")


def test_a_rename_is_committed_and_an_unknown_user_is_not():
    uow = FakeUnitOfWork(FakeDirectory(["any@email.com"]))
    assert users.rename_user(uow, "Any@email.com", "Ada").name == "Ada"
    assert users.rename_user(uow, "any@email.com", None).name is None
    with pytest.raises(UnknownUser):
        users.rename_user(uow, "nobody@email.com", "Bob")
    assert uow.commits == 2


def test_the_grant_history_is_the_users_and_an_unknown_user_has_none():
    uow = FakeUnitOfWork(FakeDirectory(["a@email.com", "b@email.com"]))
    assert users.grant_history(uow, "B@email.com") == ["grant of user 2"]
    with pytest.raises(UnknownUser):
        users.grant_history(uow, "nobody@email.com")


def test_the_catalogue_is_read_as_of_now():
    [role] = users.role_catalogue(FakeUnitOfWork(FakeDirectory()), NOW)
    assert role.role == "PREMIUM_USER" and role.holders == 2


def test_pages_are_slices_in_order_with_the_count_of_pages():
    directory = FakeDirectory([f"u{i}@example.com" for i in range(5)])
    uow = FakeUnitOfWork(directory)
    first = users.list_users(uow, page=1, page_size=2, now=NOW)
    last = users.list_users(uow, page=3, page_size=2, now=NOW)
    beyond = users.list_users(uow, page=4, page_size=2, now=NOW)
    assert [u.id for u in first.users] == [1, 2] and (first.pages, first.total) == (3, 5)
    assert [u.id for u in last.users] == [5] and beyond.users == () and beyond.total == 5
    assert [offset for *_, offset, _ in directory.asked] == [0, 4, 6]


def test_filters_reach_the_directory_normalised_and_none_matching_is_zero_pages():
    directory = FakeDirectory(["any@email.com"])
    page = users.list_users(FakeUnitOfWork(directory), email=" Nobody@Email.com", role="PREMIUM_USER",
                            page=1, page_size=20, now=NOW)
    assert directory.asked == [("nobody@email.com", "PREMIUM_USER", NOW, 0, 20)]
    assert (page.users, page.pages, page.total) == ((), 0, 0)
