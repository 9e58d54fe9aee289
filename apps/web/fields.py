"""Request fields and the base of every request schema: bounded text, the e-mail rule, no extras.

`RequestSchema` refuses unknown fields (marshmallow's default, made explicit so a change of
default cannot open it) and refuses a plain `String` field when the schema is built: every
string a request carries goes through `Text`, which has a maximum length and lets no control
character reach the database (PostgreSQL rejects NUL in text; the others have no business in
an id, a key or an address).
"""
import re

import marshmallow as ma

from apps import durations, emails

# C0 and C1 controls, DEL, and lone surrogates (JSON's "\ud800" decodes to one; it cannot be
# encoded to UTF-8 for the database).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# The same rules for the OpenAPI document (ECMA-262 regex syntax), so clients and fuzzers know
# them. Lone surrogates are left out: a regex without the `u` flag cannot refuse them without
# refusing every surrogate pair, i.e. every character beyond U+FFFF.
PATTERN = r"^[^\u0000-\u001f\u007f-\u009f]*$"
PATTERN_BUT_LINES = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"


def control_character(text: str, multiline: bool = False) -> str | None:
    """The first forbidden character of `text` as `U+XXXX`, or None."""
    found = (_CONTROL_BUT_LINES if multiline else _CONTROL).search(text)
    return f"U+{ord(found.group()):04X}" if found else None


class Text(ma.fields.String):
    """A string with a maximum length; `multiline=True` also allows tab, CR and LF."""

    def __init__(self, *, max_length: int, multiline: bool = False, **kwargs):
        metadata = {"maxLength": max_length, "pattern": PATTERN_BUT_LINES if multiline else PATTERN,
                    **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)
        self.max_length, self.multiline = max_length, multiline

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if bad := control_character(text, self.multiline):
            raise ma.ValidationError(f"contains the control character {bad}")
        return self._clean(text)

    def _clean(self, text: str) -> str:
        if len(text) > self.max_length:
            raise ma.ValidationError(f"longer than {self.max_length} characters")
        return text


class AwareDateTime(ma.fields.AwareDateTime):
    """An ISO 8601 time with its offset; a string past MAX_LENGTH is refused before parsing
    (the longest valid form, with microseconds and an offset, is 32 characters)."""

    MAX_LENGTH = 64

    def __init__(self, **kwargs):
        metadata = {"maxLength": self.MAX_LENGTH, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and len(value) > self.MAX_LENGTH:
            raise ma.ValidationError(f"longer than {self.MAX_LENGTH} characters")
        return super()._deserialize(value, attr, data, **kwargs)


class CalendarDate(ma.fields.Date):
    """A calendar date, YYYY-MM-DD only: Python's fromisoformat also takes 20250101 and
    2025-W01-1."""
    FORMAT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

    def __init__(self, **kwargs):
        metadata = {"maxLength": 10, "pattern": self.FORMAT, "example": "2025-01-01",
                    **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not re.fullmatch(self.FORMAT, value):
            raise ma.ValidationError("a date as YYYY-MM-DD")
        return super()._deserialize(value, attr, data, **kwargs)


class Email(Text):
    """An e-mail address by the one rule of `apps.emails`: loaded trimmed and lower-cased."""

    def __init__(self, **kwargs):
        metadata = {"format": "email", "example": "any@email.com", **kwargs.pop("metadata", {})}
        super().__init__(max_length=emails.MAX_ADDRESS, metadata=metadata, **kwargs)

    def _clean(self, text: str) -> str:
        try:
            return emails.normalise_email(text)
        except emails.InvalidEmail as error:
            raise ma.ValidationError(str(error)) from None


class RequestSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    def on_bind_field(self, field_name: str, field_obj: ma.fields.Field) -> None:
        if isinstance(field_obj, ma.fields.String) and not isinstance(field_obj, Text):
            raise TypeError(f"{type(self).__name__}.{field_name}: use apps.web.fields.Text, "
                            "which bounds the length and refuses control characters")


ROLE_PATTERN = r"^[A-Z][A-Z0-9_]*$"  # the seeded roles' form: PREMIUM_USER, COURSE_XYZ


class Role(Text):
    """A role name: upper-case letters, digits and `_`, starting with a letter."""

    def __init__(self, **kwargs):
        metadata = {"example": "COURSE_XYZ", "pattern": ROLE_PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(max_length=64, validate=ma.validate.Regexp(
            ROLE_PATTERN, error="upper-case letters, digits and _, starting with a letter"),
            metadata=metadata, **kwargs)


class IsoDuration(Text):
    """An ISO 8601 duration (apps.durations): loaded as a Duration, dumped as its text."""

    def __init__(self, **kwargs):
        metadata = {"example": "P1M", "description": durations.RULE, **kwargs.pop("metadata", {})}
        super().__init__(max_length=durations.MAX_TEXT, metadata=metadata, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value)

    def _clean(self, text: str) -> durations.Duration:
        try:
            return durations.Duration.parse(super()._clean(text))
        except durations.InvalidDuration as error:
            raise ma.ValidationError(str(error)) from None
