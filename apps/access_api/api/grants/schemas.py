"""Request and response bodies of a user's grants: the history, a manual grant, its end."""
from datetime import datetime, timedelta, timezone

import marshmallow as ma

from apps.access_api.domain.events import Reason, SourceType
from apps.access_api.domain.periods import UNITS, add_period
from apps.web.fields import AwareDateTime, Email, RequestSchema, Role, Text

# The latest end a manual grant may have: far enough for any real use, and well inside what
# Python's datetime and the events' timestamp-millis hold whatever the time zone.
LONGEST_GRANT = timedelta(days=100 * 366)
MAX_GRANT_ID = 2**63 - 1  # PostgreSQL bigint


def reason_field(description: str) -> Text:
    return Text(required=True, max_length=500, validate=ma.validate.Length(min=1),
                metadata={"example": "goodwill after the outage of 3 March",
                          "description": description})


class GrantPathSchema(RequestSchema):
    email = Email(required=True)
    grant_id = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=MAX_GRANT_ID))


class PeriodSchema(RequestSchema):
    unit = Text(required=True, max_length=6, validate=ma.validate.OneOf(UNITS))
    count = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=1_000_000))


class NewGrantSchema(RequestSchema):
    role = Role(required=True,
                metadata={"description": "Upper-case letters, digits and `_`, starting with a "
                                         "letter: a new name starts a new role."})
    endsAt = AwareDateTime(metadata={
        "description": "When the grant ends; give this or `period`. It starts now."})
    period = ma.fields.Nested(PeriodSchema, metadata={
        "description": "How long the grant lasts from now (calendar months and years); give "
                       "this or `endsAt`."})
    reason = reason_field("Why the role is granted; kept with the grant.")

    @ma.validates_schema
    def one_end(self, data, **kwargs):
        if ("endsAt" in data) == ("period" in data):
            message = "give either endsAt or period"
            raise ma.ValidationError({"endsAt": [message], "period": [message]})
        now = datetime.now(timezone.utc)
        field = "endsAt" if "endsAt" in data else "period"
        try:  # in UTC: a time near datetime's limits with an offset cannot even be compared
            ends_at = (data["endsAt"].astimezone(timezone.utc) if field == "endsAt"
                       else add_period(now, data["period"]["unit"], data["period"]["count"]))
        except (OverflowError, ValueError):
            ends_at = None
        if ends_at is None or ends_at > now + LONGEST_GRANT:
            raise ma.ValidationError(f"must end within {LONGEST_GRANT.days} days from now", field)


class GrantEndSchema(RequestSchema):
    reason = reason_field("Why the grant ends; kept with it.")


class SourceSchema(ma.Schema):
    type = ma.fields.Enum(SourceType, metadata={"description": "What granted the role."})
    id = ma.fields.String(metadata={"description": "The purchase id, subscription id, or the "
                                                   "grant's own id for a manual grant."})


class GrantSchema(ma.Schema):
    id = ma.fields.Integer()
    role = ma.fields.String(metadata={"example": "PREMIUM_USER"})
    source = ma.fields.Nested(SourceSchema)
    productId = ma.fields.String(attribute="product_id", allow_none=True)
    startsAt = ma.fields.AwareDateTime(attribute="starts_at")
    endsAt = ma.fields.AwareDateTime(attribute="ends_at", metadata={
        "description": "When the grant ends, or ended, by time."})
    endedAt = ma.fields.AwareDateTime(attribute="ended_at", allow_none=True, metadata={
        "description": "When it ended (null while live)."})
    endReason = ma.fields.Enum(Reason, attribute="end_reason", allow_none=True, metadata={
        "description": "Why it ended: EXPIRY, CANCELLATION, MANUAL, USER_DELETED, ..."})
    note = ma.fields.String(allow_none=True, metadata={"description": "The operator's reason "
                                                                      "for a manual grant."})
    endNote = ma.fields.String(attribute="end_note", allow_none=True, metadata={
        "description": "The operator's reason for ending it."})


class GrantHistorySchema(ma.Schema):
    email = ma.fields.String()
    grants = ma.fields.List(ma.fields.Nested(GrantSchema), metadata={
        "description": "Every grant, ended ones included, oldest first."})
