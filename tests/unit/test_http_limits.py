"""Bad input is refused before any view runs: size, media type, nesting, characters, lengths."""
import io

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from apps.web.limits import MAX_BODY_BYTES, MAX_JSON_DEPTH, MAX_URL_BYTES, json_too_deep
from tests.unit.http_app import make_app

VALID = {"name": "n", "owner": "a@example.com"}


@pytest.fixture(scope="module")
def app():
    return make_app()


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def nested(depth: int) -> str:
    return '{"name": "n", "owner": "a@example.com", "deep": ' + "[" * depth + "]" * depth + "}"


class EndlessBody(io.RawIOBase):
    """A request body that never ends and counts what was read of it."""

    def __init__(self):
        self.served = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        buffer[:] = b" " * len(buffer)
        self.served += len(buffer)
        return len(buffer)


def post_stream(app, stream, content_length=None, server_terminates=False):
    environ = EnvironBuilder(path="/things", method="POST",
                             content_type="application/json").get_environ()
    environ["wsgi.input"] = stream
    environ.pop("CONTENT_LENGTH", None)
    if content_length is not None:
        environ["CONTENT_LENGTH"] = str(content_length)
    if server_terminates:  # what gunicorn says of a chunked body it de-chunks
        environ["wsgi.input_terminated"] = True
    body, status, headers = run_wsgi_app(app, environ, buffered=True)
    return int(status.split()[0]), b"".join(body)


def test_a_declared_length_over_the_limit_is_413_and_nothing_is_read(app):
    stream = EndlessBody()
    status, _ = post_stream(app, stream, content_length=100 * 1024 * 1024)
    assert status == 413 and stream.served == 0


def test_a_streamed_body_is_cut_at_the_limit_and_refused(app):
    stream = EndlessBody()
    status, body = post_stream(app, stream, server_terminates=True)
    assert status == 413 and b'"body"' in body
    assert stream.served <= MAX_BODY_BYTES + 64 * 1024


def test_a_content_length_below_the_real_size_reads_only_that_much(app):
    stream = EndlessBody()
    status, _ = post_stream(app, stream, content_length=10)
    assert status == 400 and stream.served == 10  # ten spaces are no JSON


def test_a_body_just_under_the_limit_is_read(client):
    padding = " " * (MAX_BODY_BYTES - 100)
    response = client.post("/things", data='{"name": "n", "owner": "a@example.com"}' + padding,
                           content_type="application/json")
    assert response.status_code == 201


def test_deep_nesting_is_400_naming_the_rule(client):
    response = client.post("/things", data=nested(1000), content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"json": [f"nested deeper than {MAX_JSON_DEPTH} levels"]}


def test_nesting_at_the_limit_passes_the_depth_rule(client):
    # The object itself is one level, so the arrays may add MAX_JSON_DEPTH - 1.
    response = client.post("/things", data=nested(MAX_JSON_DEPTH - 1), content_type="application/json")
    assert response.status_code == 422 and "deep" in response.get_json()["errors"]["json"]


@pytest.mark.parametrize("text, deep", [
    ("[" * 33 + "]" * 33, True),
    ("[" * 32 + "]" * 32, False),
    ('["' + "[" * 100 + '"]', False),  # brackets inside a string do not nest
    ('["\\"' + "[" * 100 + '"]', False),  # nor after an escaped quote
    ('["\\\\", ' + "[" * 40 + "]" * 40 + "]", True),  # an escaped backslash ends nothing
    ("{" * 33, True),  # malformed, still refused before parsing
])
def test_the_depth_scan_counts_only_brackets_outside_strings(text, deep):
    assert json_too_deep(text) is deep


def test_malformed_json_is_400(client):
    response = client.post("/things", data='{"name": ', content_type="application/json")
    assert response.status_code == 400 and "invalid JSON" in response.get_json()["errors"]["json"][0]


def test_an_integer_of_5000_digits_is_400_not_500(client):
    response = client.post("/things", data='{"name": ' + "1" * 5000 + "}", content_type="application/json")
    assert response.status_code == 400


def test_a_body_that_is_not_utf8_is_400(client):
    response = client.post("/things", data=b'{"name": "\xff"}', content_type="application/json")
    assert response.status_code == 400 and response.get_json()["errors"] == {"json": ["not UTF-8"]}


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_that_is_not_json_is_415(client, content_type):
    response = client.post("/things", data='{"name": "n"}', content_type=content_type)
    assert response.status_code == 415
    assert "Content-Type" in response.get_json()["errors"]["headers"]


def test_a_post_without_a_body_needs_no_content_type(client):
    """An action without a body (a cancellation) is sent as a bare POST: the schema answers."""
    response = client.post("/things")
    assert response.status_code == 422
    assert set(response.get_json()["errors"]["json"]) == {"name", "owner"}


@pytest.mark.parametrize("value", ["n\x00", "\x1b[31m", "a\nb", "\x7f", "\x85", "\ud800"])
def test_control_characters_in_a_body_field_are_422_naming_it(client, value):
    response = client.post("/things", json={**VALID, "name": value})
    assert response.status_code == 422
    assert list(response.get_json()["errors"]["json"]) == ["name"]
    assert "control character" in response.get_json()["errors"]["json"]["name"][0]


def test_a_nul_in_a_path_segment_is_422_naming_the_parameter(client):
    response = client.get("/things/a%00b")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"path": {"key": ["contains the control character U+0000"]}}


def test_a_string_over_its_max_length_is_422(client):
    response = client.post("/things", json={**VALID, "name": "x" * 11})
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"] == {"name": ["longer than 10 characters"]}


def test_an_over_long_url_is_a_json_414(client):
    response = client.get("/things/" + "x" * MAX_URL_BYTES)
    assert response.status_code == 414 and response.get_json()["errors"] == {
        "url": [f"longer than {MAX_URL_BYTES} bytes"]}


def test_a_url_at_the_limit_is_served(client):
    key = "x" * (MAX_URL_BYTES - len("/things/"))
    assert client.get(f"/things/{key}").status_code == 200


def test_every_request_body_string_of_both_apis_has_a_max_length():
    from apps.access_api.app import create_app as access_app
    from apps.sales_api.app import create_app as sales_app
    from tests.unit.http_app import unreachable_database_url

    for create_app in (sales_app, access_app):
        app = create_app(unreachable_database_url())
        spec = app.test_client().get("/openapi.json").get_json()
        schemas = spec["components"]["schemas"]
        for path, operations in spec["paths"].items():
            for method, operation in operations.items():
                if not isinstance(operation, dict):
                    continue
                for parameter in operation.get("parameters", []):
                    if parameter.get("schema", {}).get("type") == "string":
                        assert "maxLength" in parameter["schema"], (path, parameter["name"])
                body = operation.get("requestBody", {}).get("content", {}).get("application/json")
                if body:
                    schema = schemas[body["schema"]["$ref"].rsplit("/", 1)[-1]]
                    for name, field in schema["properties"].items():
                        if field.get("type") == "string":
                            assert "maxLength" in field, (path, method, name)
        if "sales_catalog_listener" in app.extensions:
            app.extensions["sales_catalog_listener"].stop()
