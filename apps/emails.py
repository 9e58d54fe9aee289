"""The one e-mail rule of every service: trimmed, lower-cased, RFC 5321's lengths, a plain syntax.

Both APIs (through `apps.web.fields.Email`), both domains and the consumers call
`normalise_email`, so `" Any@Email.com "` and `any@email.com` are the same buyer everywhere.
Standard library only: the domains may import it.

The syntax is the dot-atom form of RFC 5322 (letters of any script allowed, RFC 6531) with a
domain of at least two labels. Quoted local parts and address literals (`"a b"@x.org`,
`a@[10.0.0.1]`) are refused: no mailbox a checkout integration sends us uses them, and they
are how control characters and spaces would get in.
"""
import re

MAX_LOCAL_PART = 64  # octets, RFC 5321 section 4.5.3.1.1
MAX_ADDRESS = 254  # octets: the 256 of a forward-path less its angle brackets
MAX_LABEL = 63

_ATOM = r"[\w!#$%&'*+/=?^`{|}~-]+"
_LOCAL_PART = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_LABEL = re.compile(r"[^\W_](?:[\w-]*[^\W_])?")


class InvalidEmail(ValueError):
    """The message names the rule that failed; it never repeats the address."""


def normalise_email(raw: str) -> str:
    """`raw` trimmed and lower-cased, or InvalidEmail naming the rule it breaks."""
    email = raw.strip().lower()
    if len(email) > MAX_ADDRESS:  # characters: cheap, and never fewer than octets
        raise InvalidEmail(f"longer than {MAX_ADDRESS} characters (RFC 5321)")
    local, at, domain = email.rpartition("@")
    if not at or not _LOCAL_PART.fullmatch(local) or not _valid_domain(domain):
        raise InvalidEmail("not a valid e-mail address")
    if len(local.encode()) > MAX_LOCAL_PART:
        raise InvalidEmail(f"part before the @ longer than {MAX_LOCAL_PART} octets (RFC 5321)")
    if len(email.encode()) > MAX_ADDRESS:
        raise InvalidEmail(f"longer than {MAX_ADDRESS} octets (RFC 5321)")
    return email


def _valid_domain(domain: str) -> bool:
    labels = domain.split(".")
    return len(labels) >= 2 and all(
        len(label) <= MAX_LABEL and _LABEL.fullmatch(label) for label in labels)
