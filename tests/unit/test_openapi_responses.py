"""Every response both APIs document says its media type and schema, so clients, and the fuzzer's
content-type and schema checks, know what each answer carries."""
import importlib

import pytest


def spec_of(create_app) -> dict:
    from tests.unit.http_app import unreachable_database_url

    app = create_app(unreachable_database_url())  # no request is made: nothing connects
    return app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()


@pytest.mark.parametrize("service", ["sales_api", "access_api"])
def test_every_documented_response_has_content(service):
    spec = spec_of(importlib.import_module(f"apps.{service}.app").create_app)
    shared = spec["components"].get("responses", {})
    missing = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if not isinstance(operation, dict):
                continue
            for status, response in operation["responses"].items():
                if "$ref" in response:
                    response = shared[response["$ref"].rsplit("/", 1)[-1]]
                if not response.get("content") and status != "204":  # No Content has none
                    missing.append(f"{method.upper()} {path} {status}")
    assert missing == []
