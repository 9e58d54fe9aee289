"""Card rules: the number (digits, Luhn, brand), expiry, CVC and holder, each error naming its field.

Plain Python, no framework: an API maps `InvalidCard.errors` (field -> message, the field names
of the request: number, holder, expiryMonth, expiryYear, cvc) to its 422. A `Card` never shows
its number or CVC in `repr`/`str`, so a log line or a traceback that prints one leaks nothing.
"""
from dataclasses import dataclass
from datetime import date

MIN_DIGITS, MAX_DIGITS = 12, 19
MAX_HOLDER_LENGTH = 100

# Elo (Brazil) six-digit prefix ranges; checked before Visa, some start with 4.
_ELO_RANGES = (
    (401178, 401179), (431274, 431274), (438935, 438935), (451416, 451416), (457393, 457393),
    (457631, 457632), (504175, 504175), (506699, 506778), (509000, 509999), (627780, 627780),
    (636297, 636297), (636368, 636368), (650031, 650033), (650035, 650051), (650405, 650439),
    (650485, 650538), (650541, 650598), (650700, 650718), (650720, 650727), (650901, 650978),
    (651652, 651679), (655000, 655019), (655021, 655058),
)


class CardError(ValueError):
    """One rule a card field breaks."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


class InvalidCard(ValueError):
    """Every rule the card breaks, by field."""

    def __init__(self, errors: list[CardError]):
        self.errors = {error.field: error.message for error in errors}
        super().__init__("invalid card: " + "; ".join(map(str, errors)))


@dataclass(frozen=True, repr=False)
class Card:
    number: str  # digits only, as `normalise_number` returns them
    holder: str
    expiry_month: int
    expiry_year: int
    cvc: str

    @property
    def brand(self) -> str:
        return brand(self.number)

    @property
    def last4(self) -> str:
        return last_four(self.number)

    def __repr__(self) -> str:
        return (f"Card(brand={self.brand!r}, last4={self.last4!r}, "
                f"expiry={self.expiry_month:02d}/{self.expiry_year})")

    __str__ = __repr__


def normalise_number(raw: str) -> str:
    """The digits of `raw` without the spaces and dashes people type; refuses anything else."""
    if not isinstance(raw, str):
        raise CardError("number", "must be a string of digits")
    digits = raw.replace(" ", "").replace("-", "")
    if not digits.isascii() or not digits.isdigit():
        raise CardError("number", "must contain only digits, spaces and dashes")
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        raise CardError("number", f"must have {MIN_DIGITS} to {MAX_DIGITS} digits")
    return digits


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def brand(digits: str) -> str:
    """visa, mastercard, amex, elo, or "card" for any other issuer."""
    six = int(digits[:6]) if len(digits) >= 6 else -1
    if any(low <= six <= high for low, high in _ELO_RANGES):
        return "elo"
    if digits[:2] in ("34", "37"):
        return "amex"
    if "51" <= digits[:2] <= "55" or "2221" <= digits[:4] <= "2720":
        return "mastercard"
    if digits.startswith("4"):
        return "visa"
    return "card"


def last_four(digits: str) -> str:
    return digits[-4:]


def check_number(raw: str) -> str:
    digits = normalise_number(raw)
    if not luhn_valid(digits):
        raise CardError("number", "is not a valid card number (the Luhn check fails)")
    return digits


def check_expiry(month: int, year: int, now: date) -> None:
    """A card is valid through the last day of its expiry month, in `now`'s calendar."""
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise CardError("expiryMonth", "must be a whole number from 1 to 12")
    if isinstance(year, bool) or not isinstance(year, int) or not 1000 <= year <= 9999:
        raise CardError("expiryYear", "must be a four-digit year")
    if year < now.year:
        raise CardError("expiryYear", "is in the past: the card has expired")
    if (year, month) < (now.year, now.month):
        raise CardError("expiryMonth", "is in the past: the card has expired")


def check_cvc(cvc: str) -> str:
    if not isinstance(cvc, str) or not cvc.isascii() or not cvc.isdigit() or not 3 <= len(cvc) <= 4:
        raise CardError("cvc", "must be 3 or 4 digits")
    return cvc


def check_holder(holder: str) -> str:
    name = holder.strip() if isinstance(holder, str) else ""
    if not name:
        raise CardError("holder", "is required")
    if len(name) > MAX_HOLDER_LENGTH or not name.isprintable():
        raise CardError("holder", f"must be at most {MAX_HOLDER_LENGTH} printable characters")
    return name


def validate_card(number: str, holder: str, expiry_month: int, expiry_year: int, cvc: str,
                  now: date) -> Card:
    """The card, normalised, or `InvalidCard` naming every field that breaks a rule."""
    errors, values = [], {}
    checks = {"number": lambda: check_number(number), "holder": lambda: check_holder(holder),
              "expiry": lambda: check_expiry(expiry_month, expiry_year, now),
              "cvc": lambda: check_cvc(cvc)}
    for name, check in checks.items():
        try:
            values[name] = check()
        except CardError as error:
            errors.append(error)
    if errors:
        raise InvalidCard(errors)
    return Card(values["number"], values["holder"], expiry_month, expiry_year, values["cvc"])
