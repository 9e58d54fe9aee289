"""API keys on the real databases: the access API's roles endpoint, revocation, the command.

Keys are made through the store (or the command, as a subprocess) in the access database the app
reads; every row a test adds (keys, a user with one grant) is deleted at the end.
"""
import re
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, delete, func, insert, select, text

from apps.access_api.adapters.tables import grants, users
from apps.access_api.app import create_app
from apps.api_keys import keys, services, store
from apps.api_keys.store import api_keys
from apps.sales_api.app import create_app as create_sales_app
from apps.settings import database_url

pytestmark = pytest.mark.integration
RUN = f"test-{uuid.uuid4().hex[:8]}"  # the name of every key this module creates


@pytest.fixture(scope="module")
def access_db(stack):
    engine = create_engine(database_url("access"))
    yield engine
    with engine.begin() as connection:
        connection.execute(delete(api_keys).where(api_keys.c.name.startswith(RUN)))
    engine.dispose()


@pytest.fixture(scope="module")
def client(access_db):
    return create_app().test_client()


def new_key(engine, *scopes: str, name: str = RUN) -> keys.NewKey:
    key = keys.new_key()
    with engine.begin() as connection:
        store.add(connection, key, name, scopes)
    return key


@pytest.fixture(scope="module")
def holder(access_db):
    """A user holding TEST_ROLE now, so the right key gets a 200."""
    email = f"{RUN}@example.com"
    now = datetime.now(timezone.utc)
    with access_db.begin() as connection:
        user_id = connection.execute(insert(users).values(email=email).returning(users.c.id)).scalar()
        connection.execute(insert(grants).values(
            user_id=user_id, source_type="purchase", source_id=RUN, product_id="123456",
            role="TEST_ROLE",
            starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)))
    yield email
    with access_db.begin() as connection:
        connection.execute(delete(grants).where(grants.c.user_id == user_id))
        connection.execute(delete(users).where(users.c.id == user_id))


def roles(client, email, key=None, raw=None):
    header = raw if raw is not None else (f"Bearer {key}" if key else None)
    return client.get(f"/api/users/{email}/roles",
                      headers={"Authorization": header} if header else {})


def test_without_a_live_key_the_roles_endpoint_is_401(client, access_db, holder):
    revoked = new_key(access_db, "users:read")
    with access_db.begin() as connection:
        assert store.revoke(connection, revoked.id)
    live = new_key(access_db, "users:read")
    forged = f"ak_{live.id}_{keys.new_key().key.rsplit('_', 1)[1]}"  # a live id, another secret
    for response in (roles(client, holder), roles(client, holder, "garbage"), roles(client, holder, forged),
                     roles(client, holder, revoked.key), roles(client, holder, keys.new_key().key),
                     roles(client, holder, raw=f"Basic {revoked.key}")):
        assert response.status_code == 401, response.get_json()
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert set(response.get_json()) == {"code", "status", "message", "errors"}


def test_a_key_without_users_read_is_403(client, access_db, holder):
    writer = new_key(access_db, "users:write", "grants:write")
    response = roles(client, holder, writer.key)
    assert response.status_code == 403 and "users:read" in response.get_json()["message"]


def test_a_users_read_key_gets_roles_and_404_as_before_and_its_use_is_recorded(client, access_db, holder):
    reader = new_key(access_db, "users:read")
    response = roles(client, holder, reader.key)
    assert response.status_code == 200
    assert [r["role"] for r in response.get_json()["roles"]] == ["TEST_ROLE"]
    assert roles(client, f"nobody-{RUN}@example.com", reader.key).status_code == 404
    with access_db.connect() as connection:
        assert connection.scalar(select(api_keys.c.last_used_at).where(api_keys.c.id == reader.id))


def test_a_revoked_key_fails_on_the_next_request(client, access_db, holder):
    reader = new_key(access_db, "users:read")
    assert roles(client, holder, reader.key).status_code == 200
    with access_db.begin() as connection:
        store.revoke(connection, reader.id)
    assert roles(client, holder, reader.key).status_code == 401


def test_docs_and_the_openapi_document_need_no_key(client):
    spec = client.get("/openapi.json")
    assert spec.status_code == 200 and client.get("/docs").status_code == 200
    assert spec.get_json()["paths"]["/api/users/{email}/roles"]["get"]["x-scopes"] == ["users:read"]


def test_the_sales_api_has_the_scheme_and_checkouts_stay_on_service_keys(stack):
    app = create_sales_app()
    try:
        spec = app.test_client().get("/openapi.json").get_json()
    finally:
        app.extensions["sales_catalog_listener"].stop()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path in ("/api/purchases", "/api/cancellations"):
        assert "security" not in spec["paths"][path]["post"]


# The command, as an operator runs it ---------------------------------------------------------

def command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "apps.api_keys", *args],
                          capture_output=True, text=True, timeout=60)


def test_create_prints_a_working_key_once_and_stores_only_its_digest(client, access_db, holder):
    created = command("create", "--name", f"{RUN}-cli", "--scope", "users:read", "--service", "access")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    key_id = keys.key_id(key)
    assert key_id and created.stdout == key + "\n" and key not in created.stderr
    assert roles(client, holder, key).status_code == 200
    secret = key.rsplit("_", 1)[1]
    with access_db.connect() as connection:
        # Every column of every row, as text: the key and its secret appear nowhere.
        assert connection.scalar(text("SELECT count(*) FROM api_keys k WHERE k::text LIKE :s"),
                                 {"s": f"%{secret}%"}) == 0
        assert connection.scalar(select(func.count()).select_from(api_keys)
                                 .where(api_keys.c.digest == keys.digest(key))) == 1

    listed = command("list", "--service", "access")
    assert listed.returncode == 0, listed.stderr
    line = next(l for l in listed.stdout.splitlines() if key_id in l)
    assert re.match(rf"access\t{key_id}\t{RUN}-cli\tusers:read\t\S+ \S+\t-\t", line)
    assert secret not in listed.stdout and keys.digest(key).hex() not in listed.stdout

    assert command("revoke", key_id, "--service", "access").returncode == 0
    assert roles(client, holder, key).status_code == 401
    again = command("revoke", key_id, "--service", "access")
    assert again.returncode == 1 and "no live key" in again.stderr


def test_create_for_all_services_registers_the_same_key_in_each_database(access_db):
    created = command("create", "--name", f"{RUN}-all", "--scope", "orders:read", "--scope", "users:read")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    try:
        assert services.scopes_everywhere(services.SERVICES, key) == {
            "sales": ("orders:read", "users:read"), "access": ("orders:read", "users:read")}
    finally:
        assert command("revoke", keys.key_id(key)).returncode == 0
        sales = create_engine(database_url("sales"))
        with sales.begin() as connection:
            connection.execute(delete(api_keys).where(api_keys.c.name.startswith(RUN)))
        sales.dispose()
    assert services.scopes_everywhere(services.SERVICES, key) == {"sales": None, "access": None}


def test_an_unknown_scope_is_refused_and_creates_nothing(access_db):
    before = {k.id for k in services.listed(["access"])["access"]}
    refused = command("create", "--name", f"{RUN}-bad", "--scope", "users:reed")
    assert refused.returncode == 2 and "unknown scope 'users:reed'" in refused.stderr
    assert refused.stdout == "" and {k.id for k in services.listed(["access"])["access"]} == before
