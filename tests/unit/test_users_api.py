"""The users, grants and roles API's edge without a database: scopes, validation, the spec.

The app's database is an address where nothing listens, so a request that passes every check
reaches it and gets the outage's 503: that status is how these tests see "accepted".
"""
import pytest

from apps.access_api.app import create_app
from apps.api_keys.bearer import EXTENSION
from tests.unit.http_app import unreachable_database_url

KEYS = {"reader": ("users:read",), "writer": ("users:write",), "granter": ("grants:write",),
        "other": ("orders:read",)}
LONG_LOCAL = "a" * 65 + "@example.com"


@pytest.fixture(scope="module")
def client():
    app = create_app(unreachable_database_url())
    app.extensions[EXTENSION] = KEYS.get  # key -> its scopes; an unknown key has none
    return app.test_client()


def call(client, method, path, key=None, **kwargs):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.open(path, method=method, headers=headers, **kwargs)


USER = "/api/users/a@example.com"
NEW_GRANT = {"role": "COURSE_XYZ", "period": {"unit": "DAY", "count": 7}, "reason": "goodwill"}
OPERATIONS = [  # method, path, the scope it needs, a valid body
    ("GET", "/api/users", "users:read", None),
    ("POST", "/api/users", "users:write", {"email": "a@example.com", "name": "Ada"}),
    ("GET", USER, "users:read", None),
    ("PATCH", USER, "users:write", {"name": "Ada"}),
    ("DELETE", USER, "users:write", None),
    ("GET", f"{USER}/roles", "users:read", None),
    ("GET", f"{USER}/grants", "users:read", None),
    ("POST", f"{USER}/grants", "grants:write", NEW_GRANT),
    ("DELETE", f"{USER}/grants/7?reason=mistake", "grants:write", None),
    ("GET", "/api/roles", "users:read", None),
]


@pytest.mark.parametrize("method, path, scope, body", OPERATIONS)
def test_each_operation_wants_a_key_with_its_scope(client, method, path, scope, body):
    assert call(client, method, path, json=body).status_code == 401
    assert call(client, method, path, "unknown", json=body).status_code == 401
    holder = next(key for key, scopes in KEYS.items() if scope in scopes)
    for key in set(KEYS) - {holder}:
        refused = call(client, method, path, key, json=body)
        assert refused.status_code == 403 and scope in refused.get_json()["message"]
    assert call(client, method, path, holder, json=body).status_code == 503  # past every check


@pytest.mark.parametrize("email, rule", [
    (LONG_LOCAL, "longer than 64"), ("a" * 300 + "@example.com", "longer than 254"),
    ("nobody", "not a valid e-mail address"), ("a@localhost", "not a valid e-mail address"),
    ("a\x00@example.com", "control character U+0000"),
])
def test_a_bad_email_is_422_naming_it_wherever_it_is(client, email, rule):
    checks = [(call(client, "POST", "/api/users", "writer", json={"email": email}), "json"),
              (call(client, "GET", "/api/users", "reader", query_string={"email": email}), "query")]
    if "\x00" not in email:  # the path's own check names a control character (test_http_limits)
        checks.append((call(client, "GET", f"/api/users/{email}", "reader"), "path"))
    for response, location in checks:
        assert response.status_code == 422, (location, response.get_json())
        [message] = response.get_json()["errors"][location]["email"]
        assert rule in message


def test_an_address_with_spaces_and_capitals_is_accepted_everywhere(client):
    assert call(client, "POST", "/api/users", "writer", json={"email": " Any@Email.com "}).status_code == 503
    assert call(client, "GET", "/api/users", "reader",
                query_string={"email": " Any@Email.com "}).status_code == 503
    assert call(client, "GET", "/api/users/%20Any@Email.com%20", "reader").status_code == 503


@pytest.mark.parametrize("body, field", [
    ({}, "email"), ({"email": "a@example.com", "role": "ADMIN"}, "role"), ({"email": 7}, "email"),
])
def test_a_new_user_body_names_its_missing_unknown_or_wrong_field(client, body, field):
    response = call(client, "POST", "/api/users", "writer", json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]["json"]


@pytest.mark.parametrize("query, field", [
    ({"page_size": 101}, "page_size"), ({"page_size": 0}, "page_size"), ({"page": 0}, "page"),
    ({"page": 2**31}, "page"), ({"page": "x"}, "page"), ({"role": "R" * 65}, "role"),
    ({"pagesize": 10}, "pagesize"),  # a misspelt parameter is refused, not ignored
])
def test_listing_refuses_bad_or_unknown_query_parameters_naming_them(client, query, field):
    response = call(client, "GET", "/api/users", "reader", query_string=query)
    assert response.status_code == 422 and field in response.get_json()["errors"]["query"]


def test_listing_accepts_the_largest_page_and_page_size(client):
    response = call(client, "GET", "/api/users", "reader",
                    query_string={"page": 2**31 - 1, "page_size": 100, "role": "PREMIUM_USER"})
    assert response.status_code == 503


def test_the_spec_lists_every_operation_with_its_security_and_scope(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    for method, path, scope, _ in OPERATIONS:
        documented = (path.split("?")[0].replace("a@example.com", "{email}")
                      .replace("/7", "/{grant_id}"))
        operation = paths[documented][method.lower()]
        assert operation["security"] == [{"bearerAuth": []}] and operation["x-scopes"] == [scope]
        assert {"401", "403"} <= set(operation["responses"])
    assert "409" in paths["/api/users"]["post"]["responses"]
    assert "404" in paths["/api/users/{email}"]["get"]["responses"]
    page_size = next(p for p in paths["/api/users"]["get"]["parameters"] if p["name"] == "page_size")
    assert page_size["schema"]["maximum"] == 100


@pytest.mark.parametrize("body, fields", [
    ({"role": "X", "reason": "r"}, {"endsAt", "period"}),  # no end
    ({**NEW_GRANT, "endsAt": "2030-01-01T00:00:00Z"}, {"endsAt", "period"}),  # two ends
    ({**NEW_GRANT, "role": "premium_user"}, {"role"}),
    ({**NEW_GRANT, "reason": ""}, {"reason"}),
    ({"role": "X", "reason": "r", "endsAt": "2030-01-01T00:00:00"}, {"endsAt"}),  # no time zone
    ({"role": "X", "reason": "r", "endsAt": "2400-01-01T00:00:00Z"}, {"endsAt"}),  # too far
    ({"role": "X", "reason": "r", "endsAt": "0001-01-01T00:00:00+05:00"}, {"endsAt"}),  # off the scale
    ({**NEW_GRANT, "period": {"unit": "WEEK", "count": 1}}, {"period"}),
    ({**NEW_GRANT, "period": {"unit": "DAY", "count": 0}}, {"period"}),
    ({**NEW_GRANT, "period": {"unit": "YEAR", "count": 1_000_000}}, {"period"}),
    ({**NEW_GRANT, "period": {"unit": "SECOND", "count": 1_000_000}}, set()),  # 11.6 days: fine
])
def test_a_manual_grant_names_what_is_wrong_with_it(client, body, fields):
    response = call(client, "POST", f"{USER}/grants", "granter", json=body)
    if not fields:
        assert response.status_code == 503
    else:
        assert response.status_code == 422, response.get_json()
        assert set(response.get_json()["errors"]["json"]) == fields


@pytest.mark.parametrize("path, location, field", [
    (f"{USER}/grants/7", "query", "reason"),  # an end needs a reason
    (f"{USER}/grants/7?reason=", "query", "reason"),
    (f"{USER}/grants/7?reason=x&note=y", "query", "note"),
    (f"{USER}/grants/{2**63}?reason=x", "path", "grant_id"),
    (f"{USER}/grants/0?reason=x", "path", "grant_id"),
])
def test_ending_a_grant_names_what_is_wrong_with_the_request(client, path, location, field):
    response = call(client, "DELETE", path, "granter")
    assert response.status_code == 422 and field in response.get_json()["errors"][location]


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "n" * 201}, {"email": "b@example.com"}])
def test_a_rename_wants_a_name_or_null_and_nothing_else(client, body):
    response = call(client, "PATCH", USER, "writer", json=body)
    assert response.status_code == 422
    assert call(client, "PATCH", USER, "writer", json={"name": None}).status_code == 503
