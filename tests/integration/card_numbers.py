"""Card numbers for tests: random ones that pass the Luhn check, so that bytes found containing
one can only come from the test that made it."""
import random


def luhn_number(prefix: str = "42424", length: int = 16) -> str:
    """A Visa number (the prefix keeps clear of the Elo ranges that also start with 4) that
    the fake platform approves."""
    body = prefix + "".join(random.choice("0123456789") for _ in range(length - len(prefix) - 1))
    total = 0
    for position, digit in enumerate(reversed(body)):
        value = int(digit) * (1 if position % 2 else 2)  # the check digit goes to the right
        total += value - 9 if value > 9 else value
    return body + str(-total % 10)


def spaced(digits: str) -> str:
    """As people type it: groups of four."""
    return " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))
