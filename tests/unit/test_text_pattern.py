"""The OpenAPI `pattern` of request strings says exactly what apps.web.fields.Text accepts."""
import re

import pytest

from apps.web.fields import PATTERN, PATTERN_BUT_LINES, control_character

# Every character up to U+02FF (C0, ASCII, DEL, C1, Latin-1 and beyond), and a few further on.
CHARACTERS = [chr(code) for code in range(0x300)] + ["\u2028", "\ufeff", "\U0001F600"]


@pytest.mark.parametrize("multiline, pattern", [(False, PATTERN), (True, PATTERN_BUT_LINES)])
def test_the_pattern_accepts_the_characters_the_field_accepts_and_no_other(multiline, pattern):
    for char in CHARACTERS:
        text = f"a{char}b"
        documented = re.fullmatch(pattern, text) is not None
        assert documented == (control_character(text, multiline) is None), f"U+{ord(char):04X}"


def test_every_request_string_of_both_apis_documents_the_pattern():
    """Found by schemathesis's positive_data_acceptance check: the spec allowed any string, so
    a schema-valid request with a control character got a 422 the spec did not announce."""
    from apps.access_api.app import create_app as access_app
    from apps.sales_api.app import create_app as sales_app
    from tests.unit.http_app import unreachable_database_url

    for create_app in (sales_app, access_app):
        api = create_app(unreachable_database_url()).extensions["flask-smorest"]["apis"][""]["ext_obj"]
        spec = api.spec.to_dict()
        strings = [parameter["schema"] for methods in spec["paths"].values()
                   for operation in methods.values() if isinstance(operation, dict)
                   for parameter in operation.get("parameters", [])
                   if parameter.get("in") == "path" and parameter["schema"]["type"] == "string"]
        strings += [field for name, schema in spec["components"]["schemas"].items()
                    if name.endswith("Request") for field in schema["properties"].values()
                    if field.get("type") == "string"]
        # A UUID's format already refuses every control character.
        strings = [field for field in strings if field.get("format") != "uuid"]
        assert strings and all(field.get("pattern") == PATTERN for field in strings), strings
