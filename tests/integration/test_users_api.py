"""The users API on the real access database: keys and scopes, create, read, rename, delete,
404, 409, 422, pagination and filters, an idempotent create, one user record for the API and
the sales, a user's grants (history, a manual grant, its end) and the role catalogue.

Every user a test makes has an address at the run's own domain, and every key the run's name;
both are deleted at the end, with the grants of those users.
"""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, delete, func, select

from apps.access_api.adapters.tables import grants, users
from apps.access_api.app import create_app
from apps.access_api.service.grants import Sale, grant_roles_for_sales
from apps.access_api.service.roles import delete_user, end_grant, grant_manually
from apps.access_api.service.uow import AccessUnitOfWork
from apps.access_api.service.users import create_user, grant_history
from apps.api_keys import keys, store
from apps.api_keys.store import api_keys
from apps.settings import database_url
from apps.durations import Duration

pytestmark = pytest.mark.integration
RUN = f"test-{uuid.uuid4().hex[:8]}"
DOMAIN = f"{RUN}.example.com"
TAG = RUN.upper().replace("-", "_")  # in the form of a role name
ROLE = f"LISTED_{TAG}"  # a role only this run's listed users hold
SOLD_ROLE = f"SOLD_{TAG}"


def address(name: str) -> str:
    return f"{name}@{DOMAIN}"


@pytest.fixture(scope="module")
def access_db(stack):
    engine = create_engine(database_url("access"))
    yield engine
    with engine.connect() as connection:
        ours = connection.scalars(select(users.c.email).where(users.c.email.endswith(f"@{DOMAIN}")))
    for email in ours:  # through the ledger, so every role they held is announced as ended
        delete_user(AccessUnitOfWork(engine.connect), email)
    with engine.begin() as connection:
        connection.execute(delete(api_keys).where(api_keys.c.name == RUN))
    engine.dispose()


@pytest.fixture(scope="module")
def client(access_db):
    app = create_app()
    yield app.test_client()
    app.extensions["access_engine"].dispose()


def new_key(engine, *scopes: str) -> str:
    key = keys.new_key()
    with engine.begin() as connection:
        store.add(connection, key, RUN, scopes)
    return key.key


@pytest.fixture(scope="module")
def reader(access_db):
    return {"Authorization": f"Bearer {new_key(access_db, 'users:read')}"}


@pytest.fixture(scope="module")
def granter(access_db):
    return {"Authorization": f"Bearer {new_key(access_db, 'grants:write')}"}


@pytest.fixture(scope="module")
def writer(access_db):
    return {"Authorization": f"Bearer {new_key(access_db, 'users:write')}"}


def test_reading_wants_users_read_and_writing_users_write(client, reader, writer):
    body = {"email": address("scopes")}
    assert client.get("/api/users").status_code == 401
    assert client.post("/api/users", json=body).status_code == 401
    refused = client.get("/api/users", headers=writer)
    assert refused.status_code == 403 and "users:read" in refused.get_json()["message"]
    refused = client.post("/api/users", json=body, headers=reader)
    assert refused.status_code == 403 and "users:write" in refused.get_json()["message"]
    assert client.get(f"/api/users/{address('scopes')}", headers=writer).status_code == 403


def test_a_user_is_created_once_by_the_email_rule_and_read_in_any_spelling(client, reader, writer):
    created = client.post("/api/users", json={"email": f" Ada@{DOMAIN.upper()} ", "name": "Ada"},
                          headers=writer)
    assert created.status_code == 201, created.get_json()
    user = created.get_json()
    assert user["email"] == address("ada") and user["name"] == "Ada"
    assert user["id"] > 0 and user["createdAt"]

    again = client.post("/api/users", json={"email": address("ADA")}, headers=writer)
    assert again.status_code == 409
    assert again.get_json()["errors"] == {"json": {"email": ["a user with this e-mail exists"]}}

    read = client.get(f"/api/users/%20ADA@{DOMAIN}", headers=reader)
    assert read.status_code == 200 and read.get_json() == user


def test_an_unknown_user_is_404_naming_the_path_parameter(client, reader):
    for path in (f"/api/users/{address('nobody')}", f"/api/users/{address('nobody')}/roles"):
        response = client.get(path, headers=reader)
        assert response.status_code == 404
        assert response.get_json()["errors"] == {"path": {"email": ["unknown user"]}}


def test_a_bad_email_is_422_and_creates_nothing(client, access_db, reader, writer):
    bad = f"two@@{DOMAIN}"
    response = client.post("/api/users", json={"email": bad}, headers=writer)
    assert response.status_code == 422 and "email" in response.get_json()["errors"]["json"]
    assert client.get(f"/api/users/{bad}", headers=reader).status_code == 422
    assert client.get("/api/users", query_string={"email": bad}, headers=reader).status_code == 422
    with access_db.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(users)
                                 .where(users.c.email.contains("@@"))) == 0


def test_a_user_created_here_is_the_user_a_sale_grants_roles_to(client, access_db, reader, writer):
    created = client.post("/api/users", json={"email": address("buyer")}, headers=writer).get_json()
    sale = Sale(str(uuid.uuid4()), f" Buyer@{DOMAIN} ", "123456", (SOLD_ROLE,),
                Duration.parse("P1M"),
                datetime.now(timezone.utc))
    with AccessUnitOfWork(access_db.connect) as uow:
        grant_roles_for_sales(uow, [sale])
        uow.commit()
    [held] = client.get(f"/api/users/{address('buyer')}/roles", headers=reader).get_json()["roles"]
    assert held["role"] == SOLD_ROLE
    assert [p["purchaseId"] for p in held["purchases"]] == [sale.purchase_id]
    assert [g["source"]["type"] for g in held["grants"]] == ["PURCHASE"]
    with access_db.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(users)
                                 .where(users.c.email == address("buyer"))) == 1
        owner = connection.scalar(select(grants.c.user_id).where(grants.c.source_id == sale.purchase_id))
    assert owner == created["id"]


def test_a_create_retried_with_its_idempotency_key_is_replayed_not_refused(client, access_db, writer):
    headers = {**writer, "Idempotency-Key": str(uuid.uuid4())}
    first = client.post("/api/users", json={"email": address("retried")}, headers=headers)
    second = client.post("/api/users", json={"email": address("retried")}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.get_json() == first.get_json() and second.headers["Idempotent-Replayed"] == "true"


@pytest.fixture(scope="module")
def role_holders(access_db):
    """Five users holding ROLE now (created in this order), and three who do not: one whose
    grant an operator ended, one whose grant ran out an hour ago, one never granted it."""
    now = datetime.now(timezone.utc)
    emails = [address(f"holder{n}") for n in range(8)]
    for email in emails:
        create_user(AccessUnitOfWork(access_db.connect), email)
    for email in emails[:6]:
        grant_manually(AccessUnitOfWork(access_db.connect), email, ROLE, "test", period=("DAY", 1))
    [ended] = [g.id for g in grant_history(AccessUnitOfWork(access_db.connect), emails[5])]
    end_grant(AccessUnitOfWork(access_db.connect), emails[5], ended, "test")
    grant_manually(AccessUnitOfWork(access_db.connect), emails[6], ROLE, "test",
                   ends_at=now - timedelta(hours=1), now=now - timedelta(hours=2))
    return emails[:5]


def listed(client, reader, **query):
    response = client.get("/api/users", query_string=query, headers=reader)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_role_filter_lists_current_holders_only_in_creation_order_page_by_page(
        client, reader, role_holders):
    pages = [listed(client, reader, role=ROLE, page=n, page_size=2) for n in (1, 2, 3, 4)]
    assert [[u["email"] for u in p["users"]] for p in pages] == [
        role_holders[0:2], role_holders[2:4], role_holders[4:5], []]
    assert {(p["page"], p["pages"], p["total"]) for p in pages} == {(n, 3, 5) for n in (1, 2, 3, 4)}
    ids = [u["id"] for p in pages for u in p["users"]]
    assert ids == sorted(ids)


def test_the_email_filter_is_exact_after_the_email_rule(client, reader, role_holders):
    one = listed(client, reader, email=f" HOLDER1@{DOMAIN}")
    assert [u["email"] for u in one["users"]] == [role_holders[1]] and one["total"] == 1
    assert listed(client, reader, email=f"holder@{DOMAIN}")["total"] == 0  # no prefix match
    both = listed(client, reader, email=role_holders[1], role=ROLE)
    assert both["total"] == 1
    for not_holding in ("holder5", "holder6", "holder7"):  # ended, run out, never granted
        assert listed(client, reader, email=address(not_holding), role=ROLE)["total"] == 0


def test_the_default_page_is_the_first_twenty(client, reader):
    page = listed(client, reader)
    assert page["page"] == 1 and len(page["users"]) == min(20, page["total"])


def test_a_rename_changes_the_name_only(client, reader, writer):
    user = client.post("/api/users", json={"email": address("renamed")}, headers=writer).get_json()
    assert user["name"] is None
    renamed = client.patch(f"/api/users/{address('RENAMED')}", json={"name": "Grace"}, headers=writer)
    assert renamed.status_code == 200 and renamed.get_json() == {**user, "name": "Grace"}
    assert client.get(f"/api/users/{address('renamed')}", headers=reader).get_json()["name"] == "Grace"
    assert client.patch(f"/api/users/{address('renamed')}", json={"name": "G"},
                        headers=reader).status_code == 403
    missing = client.patch(f"/api/users/{address('nobody')}", json={"name": "G"}, headers=writer)
    assert missing.status_code == 404 and missing.get_json()["errors"] == {"path": {"email": ["unknown user"]}}


def test_an_operator_grants_a_role_sees_it_in_the_history_and_ends_it(client, reader, writer, granter):
    email = address("operated")
    client.post("/api/users", json={"email": email}, headers=writer)
    body = {"role": f"MANUAL_{TAG}", "period": {"unit": "DAY", "count": 7},
            "reason": "beta tester"}
    assert client.post(f"/api/users/{email}/grants", json=body, headers=writer).status_code == 403
    granted = client.post(f"/api/users/{email}/grants", json=body, headers=granter)
    assert granted.status_code == 201, granted.get_json()
    grant = granted.get_json()
    assert (grant["role"], grant["source"]["type"], grant["note"]) == (body["role"], "MANUAL", "beta tester")
    assert grant["endedAt"] is None and grant["endReason"] is None
    [held] = client.get(f"/api/users/{email}/roles", headers=reader).get_json()["roles"]
    assert held["role"] == body["role"] and held["purchases"] == []
    assert [g["source"] for g in held["grants"]] == [{"type": "MANUAL", "id": str(grant["id"])}]

    path = f"/api/users/{email}/grants/{grant['id']}"
    ended = client.delete(path, query_string={"reason": "left the beta"}, headers=granter)
    assert ended.status_code == 200, ended.get_json()
    assert (ended.get_json()["endReason"], ended.get_json()["endNote"]) == ("MANUAL", "left the beta")
    again = client.delete(path, query_string={"reason": "twice"}, headers=granter)
    assert again.status_code == 409 and again.get_json()["errors"] == {"path": {"grant_id": ["already ended"]}}
    unknown = client.delete(f"/api/users/{email}/grants/{2**62}", query_string={"reason": "x"},
                            headers=granter)
    assert unknown.status_code == 404 and unknown.get_json()["errors"] == {"path": {"grant_id": ["unknown grant"]}}

    history = client.get(f"/api/users/{email}/grants", headers=reader).get_json()
    assert history["email"] == email
    assert [(g["id"], g["endReason"], g["note"], g["endNote"]) for g in history["grants"]] == [
        (grant["id"], "MANUAL", "beta tester", "left the beta")]
    assert client.get(f"/api/users/{email}/roles", headers=reader).get_json()["roles"] == []


def test_a_grant_for_an_unknown_user_or_ending_in_the_past_is_refused(client, access_db, writer,
                                                                     granter):
    body = {"role": f"LATE_{TAG}", "endsAt": "2020-01-01T00:00:00Z", "reason": "x"}
    missing = client.post(f"/api/users/{address('nobody')}/grants", json=body, headers=granter)
    assert missing.status_code == 404
    assert missing.get_json()["errors"] == {"path": {"email": ["unknown user"]}}
    client.post("/api/users", json={"email": address("late")}, headers=writer)
    past = client.post(f"/api/users/{address('late')}/grants", json=body, headers=granter)
    assert past.status_code == 422
    assert past.get_json()["errors"] == {"json": {"endsAt": ["must be after now"]}}
    with access_db.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(grants)
                                 .where(grants.c.role == body["role"])) == 0


def test_deleting_a_user_ends_its_roles_and_forgets_it(client, access_db, reader, writer, granter):
    email = address("deleted")
    client.post("/api/users", json={"email": email}, headers=writer)
    body = {"role": ROLE, "period": {"unit": "HOUR", "count": 1}, "reason": "x"}
    assert client.post(f"/api/users/{email}/grants", json=body, headers=granter).status_code == 201
    assert listed(client, reader, email=email, role=ROLE)["total"] == 1
    assert client.delete(f"/api/users/{email}", headers=reader).status_code == 403
    deleted = client.delete(f"/api/users/{email}", headers=writer)
    assert deleted.status_code == 204 and deleted.data == b""
    assert client.get(f"/api/users/{email}", headers=reader).status_code == 404
    assert client.delete(f"/api/users/{email}", headers=writer).status_code == 404
    assert listed(client, reader, email=email)["total"] == 0


def test_the_catalogue_lists_each_role_with_its_sources_products_and_holders(
        client, reader, role_holders):
    response = client.get("/api/roles", headers=reader)
    assert response.status_code == 200
    catalogue = {r["role"]: r for r in response.get_json()["roles"]}
    assert catalogue[ROLE] == {"role": ROLE, "sources": ["manual"], "products": [], "holders": 5}
    names = list(catalogue)
    assert names == sorted(names)
