"""Card rules: the number's digits and Luhn check, brand, expiry through the month's last day, CVC."""
from datetime import date, datetime

import pytest

from apps.cards.rules import (Card, CardError, InvalidCard, brand, check_cvc, check_expiry,
                              check_holder, check_number, last_four, luhn_valid, validate_card)

TODAY = date(2026, 5, 14)


@pytest.mark.parametrize("number", ["4242424242424242", "5555555555554444", "378282246310005",
                                    "4000000000000002", "6362970000457013"])
def test_luhn_accepts_valid_numbers(number):
    assert luhn_valid(number)


@pytest.mark.parametrize("number", ["4242424242424241", "5555555555554440", "378282246310006"])
def test_luhn_refuses_a_changed_digit(number):
    assert not luhn_valid(number)


def test_number_is_normalised_from_spaces_and_dashes():
    assert check_number(" 4242 4242-4242 4242 ") == "4242424242424242"


@pytest.mark.parametrize("raw, message", [
    ("4242 4242 4242 4241", "the Luhn check fails"),
    ("4242x42424242424", "only digits"),
    ("４２４２４２４２４２４２４２４２", "only digits"),  # full-width digits are not card digits
    ("42424242424", "12 to 19 digits"),
    ("4" * 20, "12 to 19 digits"),
    (4242424242424242, "string of digits"),
])
def test_bad_numbers_name_the_number_field(raw, message):
    with pytest.raises(CardError) as refused:
        check_number(raw)
    assert refused.value.field == "number" and message in refused.value.message


@pytest.mark.parametrize("number, expected", [
    ("4242424242424242", "visa"), ("5555555555554444", "mastercard"),
    ("2223003122003222", "mastercard"), ("378282246310005", "amex"), ("371449635398431", "amex"),
    ("6362970000457013", "elo"), ("4011780000000000", "elo"), ("6011111111111117", "card"),
])
def test_brand_from_the_prefix(number, expected):
    assert brand(number) == expected


def test_last_four():
    assert last_four("4242424242424242") == "4242"


@pytest.mark.parametrize("now", [date(2026, 5, 31), datetime(2026, 5, 31, 23, 59, 59),
                                 date(2026, 5, 1), date(2025, 12, 31)])
def test_a_card_is_valid_through_the_last_day_of_its_expiry_month(now):
    check_expiry(5, 2026, now)


@pytest.mark.parametrize("now, field", [(date(2026, 6, 1), "expiryMonth"),
                                        (datetime(2026, 6, 1, 0, 0), "expiryMonth"),
                                        (date(2027, 1, 1), "expiryYear")])
def test_a_card_has_expired_from_the_first_day_after_its_month(now, field):
    with pytest.raises(CardError) as refused:
        check_expiry(5, 2026, now)
    assert refused.value.field == field and "expired" in refused.value.message


@pytest.mark.parametrize("month, year, field", [(0, 2030, "expiryMonth"), (13, 2030, "expiryMonth"),
                                                ("12", 2030, "expiryMonth"), (True, 2030, "expiryMonth"),
                                                (12, 30, "expiryYear"), (12, "2030", "expiryYear")])
def test_expiry_out_of_range_names_its_field(month, year, field):
    with pytest.raises(CardError) as refused:
        check_expiry(month, year, TODAY)
    assert refused.value.field == field


@pytest.mark.parametrize("cvc", ["123", "1234"])
def test_cvc_of_three_or_four_digits(cvc):
    assert check_cvc(cvc) == cvc


@pytest.mark.parametrize("cvc", ["12", "12345", "12a", "", 123, None])
def test_other_cvcs_are_refused(cvc):
    with pytest.raises(CardError) as refused:
        check_cvc(cvc)
    assert refused.value.field == "cvc"


@pytest.mark.parametrize("holder", ["", "   ", None, "A" * 101, "Ana\nMaria"])
def test_holder_is_required_and_printable(holder):
    with pytest.raises(CardError) as refused:
        check_holder(holder)
    assert refused.value.field == "holder"


def test_validate_card_normalises_the_card():
    card = validate_card("4242-4242-4242-4242", " Ana Maria ", 5, 2026, "123", TODAY)
    assert card == Card("4242424242424242", "Ana Maria", 5, 2026, "123")
    assert (card.brand, card.last4) == ("visa", "4242")


def test_validate_card_names_every_field_that_fails():
    with pytest.raises(InvalidCard) as refused:
        validate_card("4242424242424241", "", 4, 2026, "1", TODAY)
    assert set(refused.value.errors) == {"number", "holder", "expiryMonth", "cvc"}


def test_a_card_never_shows_its_number_or_cvc():
    card = Card("4242424242424242", "Ana Maria", 5, 2026, "987")
    for text in (repr(card), str(card), f"{card}", repr([card])):
        assert "4242424242424242" not in text and "987" not in text
        assert "4242" in text and "visa" in text
