"""/api/leads: the storefront records a visitor's e-mail and name before paying
(`leads:write`); the shop reads the leads and their conversion summary (`leads:read`)."""
import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.error_handler import ErrorSchema

from apps.api_keys.bearer import requires_scope
from apps.leads.api.schemas import (LeadPageSchema, LeadSchema, LeadsQuerySchema, NewLeadSchema,
                                    PeriodQuerySchema, SummarySchema)
from apps.leads.api.uow import new_uow
from apps.leads.service import leads as service

blp = Blueprint("leads", __name__, url_prefix="/api/leads",
                description="Checkouts started but not yet paid: reminded once after a delay, "
                            "converted when an order from the e-mail is paid.")


@blp.route("")
class Leads(MethodView):
    @requires_scope(blp, "leads:write")
    @blp.arguments(NewLeadSchema)
    @blp.response(201, LeadSchema, description="A new open lead")
    @blp.alt_response(200, schema=LeadSchema, description=(
        "The e-mail has a live lead (open or reminded): that one, unchanged; never a second"))
    @blp.alt_response(422, schema=ErrorSchema, description=(
        "A field breaks a rule, named in `errors.json`: the e-mail's syntax or length, a blank "
        "or too long name"))
    def post(self, new):
        """Record a lead: a visitor who gave an e-mail and a name at checkout, before paying."""
        opened = service.open_lead(new_uow(), new["email"], new["name"].strip(),
                                   service.utc_now())
        return opened.lead, 201 if opened.new else 200

    @requires_scope(blp, "leads:read")
    @blp.arguments(LeadsQuerySchema, location="query", as_kwargs=True, unknown=ma.RAISE)
    @blp.response(200, LeadPageSchema)
    def get(self, status, first, last, page, page_size):
        """Leads by status and opening date (`from`, `to`: UTC days, both included), newest
        first, paginated."""
        return service.list_leads(new_uow(), status, service.Period(first, last), page,
                                  page_size)


@blp.route("/summary")
class LeadsSummary(MethodView):
    @requires_scope(blp, "leads:read")
    @blp.arguments(PeriodQuerySchema, location="query", as_kwargs=True, unknown=ma.RAISE)
    @blp.response(200, SummarySchema)
    def get(self, first, last):
        """Of the leads opened in the period: how many, reminded, converted, and the conversion
        rate; one aggregate query."""
        period = service.Period(first, last)
        return {"first": first, "last": last, **service.summary(new_uow(), period)}
