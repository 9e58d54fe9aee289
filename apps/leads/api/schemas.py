"""Request and response bodies of leads: camelCase, like the orders the storefront also sends;
the e-mail and name follow the order's customer rules."""
import marshmallow as ma

from apps.leads.domain.model import LeadStatus
from apps.sales_api.api.orders.schemas import CustomerSchema
from apps.web.fields import CalendarDate, RequestSchema


class NewLeadSchema(CustomerSchema):
    """`{"email", "name"}`: the order's customer, given before paying."""


class LeadSchema(ma.Schema):
    id = ma.fields.UUID()
    email = ma.fields.String(metadata={"example": "ana@example.com"})
    name = ma.fields.String(metadata={"example": "Ana Souza"})
    status = ma.fields.Enum(LeadStatus, by_value=True, metadata={
        "description": "open until the reminder delay passes (then reminded, once) or an order "
                       "from this e-mail is paid (converted, from open or reminded)."})
    openedAt = ma.fields.AwareDateTime(attribute="opened_at")
    remindedAt = ma.fields.AwareDateTime(attribute="reminded_at", allow_none=True)
    convertedAt = ma.fields.AwareDateTime(attribute="converted_at", allow_none=True, metadata={
        "description": "When the converting order was paid."})
    orderId = ma.fields.String(attribute="order_id", allow_none=True, metadata={
        "description": "The order that converted the lead; null until then."})


class PeriodQuerySchema(RequestSchema):
    """Opening dates, UTC days, both included; either may be left out."""
    first = CalendarDate(data_key="from", load_default=None, metadata={
        "description": "Leads opened on this UTC day or later (YYYY-MM-DD)."})
    last = CalendarDate(data_key="to", load_default=None, metadata={
        "description": "Leads opened on this UTC day or earlier (YYYY-MM-DD)."})

    @ma.validates_schema
    def ordered(self, data, **kwargs):
        if data.get("first") and data.get("last") and data["last"] < data["first"]:
            raise ma.ValidationError("must not be before `from`", "to")


class LeadsQuerySchema(PeriodQuerySchema):
    status = ma.fields.Enum(LeadStatus, by_value=True, load_default=None)
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=100_000))
    page_size = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=100))


class LeadPageSchema(ma.Schema):
    leads = ma.fields.List(ma.fields.Nested(LeadSchema), metadata={
        "description": "Newest first."})
    page = ma.fields.Integer()
    pages = ma.fields.Integer()
    total = ma.fields.Integer()


class SummarySchema(ma.Schema):
    first = ma.fields.Date(data_key="from", allow_none=True)
    last = ma.fields.Date(data_key="to", allow_none=True)
    opened = ma.fields.Integer(metadata={"description": "Leads opened in the period."})
    reminded = ma.fields.Integer(metadata={
        "description": "Of those, how many were reminded (converted since or not)."})
    converted = ma.fields.Integer(metadata={"description": "Of those, how many converted."})
    conversion_rate = ma.fields.Float(metadata={
        "description": "converted / opened, to 4 decimals; 0 when none were opened.",
        "example": 0.25})
