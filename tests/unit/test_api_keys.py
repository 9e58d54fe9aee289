"""API keys without a database: the key format, its digest and comparison, scopes, the Flask check."""
import hashlib
import stat

import marshmallow as ma
import pytest
from flask import Flask
from flask.views import MethodView
from flask_smorest import Api, Blueprint

from apps.api_keys import keys
from apps.api_keys.bearer import install_api_keys, requires_scope
from apps.api_keys.cli import main, parser
from apps.api_keys.dev import dev_key_hint, ensure_dev_key, write_private
from apps.api_keys.scopes import SCOPES, UnknownScope, known


def test_a_new_key_is_random_names_its_id_and_is_stored_as_its_sha256():
    first, second = keys.new_key(), keys.new_key()
    assert first.key != second.key and first.id != second.id
    assert keys.key_id(first.key) == first.id and first.key.startswith(f"ak_{first.id}_")
    assert first.digest == hashlib.sha256(first.key.encode()).digest() and len(first.digest) == 32
    assert first.key not in repr(first) and first.id in repr(first)


@pytest.mark.parametrize("garbage", [
    "", "ak_", "garbage", "Bearer ak_0123456789abcdef_" + "a" * 43,
    "ak_0123456789ABCDEF_" + "a" * 43,   # the id is lower-case hex
    "ak_0123456789abcdef_" + "a" * 42,   # secret one character short
    "xk_0123456789abcdef_" + "a" * 43,
])
def test_malformed_keys_have_no_id(garbage):
    assert keys.key_id(garbage) is None


def test_only_the_key_itself_matches_its_digest():
    key = keys.new_key()
    assert keys.matches(key.key, key.digest)
    last = key.key[-1]
    altered = key.key[:-1] + ("A" if last != "A" else "B")
    assert not keys.matches(altered, key.digest)
    assert not keys.matches(keys.new_key().key, key.digest)


def test_scopes_are_checked_against_the_one_list_and_deduplicated():
    assert known(["users:read", "users:write", "users:read"]) == ("users:read", "users:write")
    with pytest.raises(UnknownScope, match="'users:reed'.*users:read"):
        known(["users:read", "users:reed"])
    assert {"users:read", "users:write", "grants:write", "catalog:write", "orders:read",
            "billing:read"} <= set(SCOPES)


def test_a_view_cannot_declare_an_unknown_scope():
    with pytest.raises(UnknownScope):
        requires_scope(Blueprint("x", __name__), "users:everything")


def test_the_command_refuses_an_unknown_scope_naming_it(capsys):
    with pytest.raises(SystemExit) as exit_:
        parser().parse_args(["create", "--name", "x", "--scope", "users:reed"])
    assert exit_.value.code == 2
    assert "unknown scope 'users:reed'" in capsys.readouterr().err


def test_the_command_names_an_unreachable_database(monkeypatch, capsys):
    monkeypatch.delenv("SALES_DATABASE_URL", raising=False)
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.setenv("PG_PORT", "1")  # nothing listens there
    assert main(["list", "--service", "sales"]) == 3
    output = capsys.readouterr()
    assert "the sales database is unreachable" in output.err and output.out == ""


# The Flask side, with the database lookup replaced by a dict ---------------------------------

READER, WRITER = keys.new_key().key, keys.new_key().key
LIVE = {READER: ("users:read",), WRITER: ("users:write",)}


class Echo(ma.Schema):
    text = ma.fields.String(required=True)


@pytest.fixture(scope="module")
def client():
    app = Flask(__name__)
    app.config.update(API_TITLE="t", API_VERSION="1", OPENAPI_VERSION="3.0.3",
                      OPENAPI_URL_PREFIX="/", OPENAPI_JSON_PATH="openapi.json")
    api = Api(app)
    install_api_keys(app, api, scopes_of=LIVE.get)
    blp = Blueprint("things", __name__, url_prefix="/things")

    @blp.route("")
    class Things(MethodView):
        @requires_scope(blp, "users:read")
        @blp.response(200)
        def get(self):
            """Read things."""
            return {"ok": True}

        @requires_scope(blp, "users:write")
        @blp.arguments(Echo)
        @blp.response(201)
        def post(self, body):
            """Write a thing."""
            return body

    @blp.route("/open")
    class Open(MethodView):
        @blp.response(200)
        def get(self):
            """Anyone."""
            return {"ok": True}

    api.register_blueprint(blp)
    return app.test_client()


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize("headers, challenge", [
    ({}, "Bearer"),
    ({"Authorization": "Basic dXNlcjpwYXNz"}, "Bearer"),
    ({"Authorization": "Basic \xff\xfe"}, "Bearer"),  # found by the fuzzer: was a 500
    ({"Authorization": "Basic //79"}, "Bearer"),  # valid base64 of bytes that are not UTF-8
    ({"Authorization": "Bearer"}, "Bearer"),
    (bearer("garbage"), 'Bearer error="invalid_token"'),
    (bearer(keys.new_key().key), 'Bearer error="invalid_token"'),  # well formed, not live
])
def test_no_usable_key_is_401_in_the_shared_error_shape(client, headers, challenge):
    response = client.get("/things", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == challenge
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"} and body["code"] == 401
    assert "Authorization" in body["errors"]["headers"]


def test_a_key_without_the_scope_is_403_naming_it(client):
    response = client.get("/things", headers=bearer(WRITER))
    assert response.status_code == 403
    assert "users:read" in response.get_json()["message"]
    assert response.headers["WWW-Authenticate"] == 'Bearer error="insufficient_scope", scope="users:read"'


def test_a_key_with_the_scope_reaches_the_view_and_the_scheme_is_case_insensitive(client):
    assert client.get("/things", headers=bearer(READER)).get_json() == {"ok": True}
    assert client.get("/things", headers={"Authorization": f"bearer {READER}"}).status_code == 200
    assert client.get("/things/open").status_code == 200


def test_the_key_is_checked_before_the_body(client):
    assert client.post("/things", json={"wrong": 1}).status_code == 401
    assert client.post("/things", json={"wrong": 1}, headers=bearer(WRITER)).status_code == 422
    assert client.post("/things", json={"text": "hi"}, headers=bearer(WRITER)).status_code == 201


def test_the_openapi_document_names_the_scheme_the_scope_and_both_errors(client):
    spec = client.get("/openapi.json").get_json()
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    read = spec["paths"]["/things"]["get"]
    assert read["security"] == [{"bearerAuth": []}] and read["x-scopes"] == ["users:read"]
    assert read["responses"]["401"] == {"$ref": "#/components/responses/API_KEY_REQUIRED"}
    assert "users:read" in read["responses"]["403"]["description"]
    assert "WWW-Authenticate" in spec["components"]["responses"]["API_KEY_REQUIRED"]["headers"]
    assert spec["paths"]["/things"]["post"]["x-scopes"] == ["users:write"]
    assert "security" not in spec["paths"]["/things/open"]["get"]


# The development key's file and production ---------------------------------------------------

def test_production_gets_no_development_key(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    assert ensure_dev_key(tmp_path / "dev-api-key") is None
    assert not (tmp_path / "dev-api-key").exists()


def test_the_key_file_is_private_even_when_replacing_a_readable_one(tmp_path):
    path = tmp_path / "stack" / "dev-api-key"
    path.parent.mkdir()
    path.write_text("old")
    path.chmod(0o644)
    write_private(path, "ak_new")
    assert path.read_text() == "ak_new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_hint_shows_the_key_in_a_request_to_the_roles_endpoint():
    hint = dev_key_hint("ak_x")
    assert "\n" not in hint
    assert "curl -H 'Authorization: Bearer ak_x'" in hint and "/roles" in hint
