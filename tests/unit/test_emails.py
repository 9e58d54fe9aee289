"""The one e-mail rule: trimmed, lower-cased, RFC 5321's lengths, a plain syntax."""
import pytest

from apps.emails import InvalidEmail, normalise_email


@pytest.mark.parametrize("raw, normal", [
    (" Any@Email.com ", "any@email.com"),
    ("any@email.com", "any@email.com"),
    ("\tFirst.Last+tag@Sub.Example.ORG\n", "first.last+tag@sub.example.org"),
    ("josé@exämple.de", "josé@exämple.de"),
    ("a" * 64 + "@example.com", "a" * 64 + "@example.com"),
])
def test_valid_addresses_are_trimmed_and_lower_cased(raw, normal):
    assert normalise_email(raw) == normal


@pytest.mark.parametrize("raw, rule", [
    ("a" * 65 + "@example.com", "before the @ longer than 64"),
    ("é" * 33 + "@example.com", "before the @ longer than 64 octets"),  # 66 octets in UTF-8
    ("a@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + "." + "e" * 60 + ".org", "longer than 254"),
    ("a" * 5000 + "@example.com", "longer than 254"),
    ("a@" + ("é" * 60 + ".") * 3 + "org", "longer than 254 octets"),
    ("not-an-email", "not a valid"),
    ("a@localhost", "not a valid"),
    ("a b@example.com", "not a valid"),
    ("a\x00@example.com", "not a valid"),
    ('"quoted"@example.com', "not a valid"),
    ("a@[10.0.0.1]", "not a valid"),
    ("a..b@example.com", "not a valid"),
    ("a@-example.com", "not a valid"),
    ("a@example_.com", "not a valid"),
    ("@example.com", "not a valid"),
])
def test_invalid_addresses_name_the_rule(raw, rule):
    with pytest.raises(InvalidEmail, match=rule):
        normalise_email(raw)


def test_every_service_uses_the_same_rule():
    from apps.access_api.service import grants
    from apps.sales_api.domain import model

    assert model.normalise_email is grants.normalise_email is normalise_email
