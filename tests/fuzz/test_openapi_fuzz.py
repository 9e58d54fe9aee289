"""Schemathesis over both running APIs' OpenAPI specs: every response a fuzzed request gets must be
documented (status, content type, headers, body schema) and none may be a 5xx.

Over HTTP against the APIs gunicorn serves (the `system` fixture), with the specs they serve at
/openapi.json, not in-process through WSGI: gunicorn parses the request line and the headers
itself, so odd bytes in a header or an overlong URL meet the code that meets them in production.
Bounded and seeded (config.py); runner.py says how schemathesis is driven. Part of the requests
carry real keys and known ids (mixes.py), so 2xx answers are checked too, and every operation
that documents one must have got one.
"""
import pytest
import schemathesis

from apps.settings import ACCESS_API_URL, SALES_API_URL
from tests.fuzz.config import REQUEST_TIMEOUT_S, schemathesis_config
from tests.fuzz.mixes import flatmap_case_hook
from tests.fuzz.runner import fuzz_operation
from tests.fuzz.tally import Tally

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("api, url", [("sales", SALES_API_URL), ("access", ACCESS_API_URL)],
                         ids=["sales", "access"])
def test_every_response_is_documented_and_no_5xx(api, url, known, tallies):
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json", config=schemathesis_config(),
                                           timeout=REQUEST_TIMEOUT_S)
    schema.hook(flatmap_case_hook(known))
    operations = [result.ok() for result in schema.get_all_operations()]
    tally = tallies[api] = Tally(api, {op.label: documents_2xx(op) for op in operations})

    failures = [failure for op in operations if (failure := fuzz_operation(op, url, tally))]

    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
    assert tally.without_success() == [], "operations that document a 2xx answer never got one"


def documents_2xx(operation) -> bool:
    return any(code.startswith("2") for code in operation.definition.raw["responses"])
