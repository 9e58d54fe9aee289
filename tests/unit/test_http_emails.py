"""The e-mail rule at both APIs' edges: sales bodies and the access API's path."""
import pytest

from tests.unit.http_app import make_app, unreachable_database_url

LONG_LOCAL = "a" * 65 + "@example.com"


@pytest.fixture(scope="module")
def sales():
    from apps.sales_api.app import create_app

    app = create_app(unreachable_database_url())
    yield app.test_client()
    app.extensions["sales_catalog_listener"].stop()


@pytest.fixture(scope="module")
def access():
    from apps.access_api.app import create_app
    from apps.api_keys.bearer import EXTENSION

    app = create_app(unreachable_database_url())
    app.extensions[EXTENSION] = lambda key: ("users:read",)  # any key may read, no database
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer ak_0123456789abcdef_" + "a" * 43
    return client


def test_the_field_loads_an_address_trimmed_and_lower_cased():
    response = make_app().test_client().post("/things", json={"name": "n", "owner": " Any@Email.com "})
    assert response.status_code == 201 and response.get_json()["owner"] == "any@email.com"


@pytest.mark.parametrize("path", ["/api/purchases", "/api/cancellations"])
def test_sales_accepts_surrounding_spaces_and_capitals(sales, path):
    response = sales.post(path, json={"serviceKey": "318440fb7491", "buyerEmail": " Any@Email.com ",
                                      "productId": "123456"})
    assert response.status_code == 503  # past validation, to a database that is not there


@pytest.mark.parametrize("email, rule", [
    (LONG_LOCAL, "longer than 64"), ("a" * 5000 + "@example.com", "longer than 254"),
    ("a\x00@example.com", "control character U+0000"), ("nobody", "not a valid e-mail address"),
])
def test_sales_refuses_an_address_breaking_the_rule_naming_buyer_email(sales, email, rule):
    response = sales.post("/api/purchases", json={"serviceKey": "318440fb7491", "buyerEmail": email,
                                                  "productId": "123456"})
    assert response.status_code == 422
    [message] = response.get_json()["errors"]["json"]["buyerEmail"]
    assert rule in message


def test_sales_service_key_has_a_max_length(sales):
    response = sales.post("/api/purchases", json={"serviceKey": "k" * 129, "buyerEmail": "a@example.com",
                                                  "productId": "123456"})
    assert response.status_code == 422 and "serviceKey" in response.get_json()["errors"]["json"]


def test_access_path_accepts_surrounding_spaces_and_capitals(access):
    assert access.get("/api/users/%20Any@Email.com%20/roles").status_code == 503


@pytest.mark.parametrize("email, rule", [
    (LONG_LOCAL, "longer than 64"), ("a" * 300 + "@example.com", "longer than 254"),
    ("nobody", "not a valid e-mail address"),
])
def test_access_path_refuses_an_address_breaking_the_rule_naming_email(access, email, rule):
    response = access.get(f"/api/users/{email}/roles")
    assert response.status_code == 422
    [message] = response.get_json()["errors"]["path"]["email"]
    assert rule in message
