"""Every consumer handles an event of its topic written with any published schema version, and
its typed events declare exactly the fields of the current schemas. Each consumer is checked
against the event types of its own topic (its EVENT_TYPES), and every published event type
must be read by some consumer."""
import dataclasses
import io
import typing
import uuid

import fastavro
import pytest

from apps.consumers.runner import CONSUMERS, topics_of
from apps.leads.domain.model import Lead, LeadStatus
from outbox.batch import Handlers
from outbox.codec import MARKER, registry, versions
from outbox.envelope import open_envelope
from tests.contract.samples import EPOCH, samples
from tests.unit.access_fakes import FakeAccessUnitOfWork, FakeMessage
from tests.unit.billing_fakes import FakeBillingUnitOfWork
from tests.unit.course_fakes import FakeCoursesUnitOfWork
from tests.unit.fakes import FakeSalesUnitOfWork
from tests.unit.notification_fakes import FakeNotificationsUnitOfWork
from tests.unit.leads_fakes import FakeLeadsUnitOfWork

SAMPLE_COURSE_ROLE = "COURSE_SAMPLE"  # the samples' plain "sample" role would open nothing


def granted_every_role(record, uow) -> None:
    assert {g.role for _, g in uow.committed.grants} == set(record["roles"])


def named_the_customer(record, uow) -> None:
    assert uow.name_of(record["customer_email"]) == (record["customer_name"], 1)
    [announced] = uow.published
    assert (announced.type, announced.payload["name"]) == ("UserUpdated", record["customer_name"])


def copied_the_user(record, uow) -> None:
    expected = {} if record["name"] is None else {record["email"]: record["name"]}
    assert uow.customers_committed == expected


def door(opened: bool):
    def set_the_door(record, uow) -> None:
        state = uow.committed.doors[(record["user_id"], "SAMPLE")]
        assert (state.open, state.until, state.sequence) == (opened, record["until"],
                                                             record["sequence"])
    return set_the_door


def converted_the_lead(record, uow) -> None:
    lead = uow.lead(record["customer_email"])
    assert (lead.status, lead.order_id) == (LeadStatus.CONVERTED, record["order_id"])


def remembered_the_purchase_role(record, uow) -> None:
    source = record["source"]
    expected = {(source["id"], record["role"])} if source["type"] == "PURCHASE" else set()
    assert set(uow.committed.opened_roles) == expected and uow.mailer.delivered == []


def told_once(record, uow) -> None:  # sent, or skipped when the sample is older than allowed
    assert len(uow.committed.sent) == 1


def told_nobody(record, uow) -> None:
    assert uow.committed.sent == {} and uow.mailer.delivered == []


# Per consumer: its in-memory unit of work, and per event type what applying a sample must do.
# An effect is keyed by event type, or by (consumer, event type) where consumers of one topic
# do different things with it.
FAKES = {"access-roles": FakeAccessUnitOfWork, "course-access": FakeCoursesUnitOfWork,
         "payments": FakeSalesUnitOfWork,  # no such order here: the worker leaves it alone
         "access-customers": FakeAccessUnitOfWork, "sales-customers": FakeSalesUnitOfWork,
         # no such payment event or subscription state here: nothing to apply
         "billing": FakeBillingUnitOfWork, "access-subscriptions": FakeAccessUnitOfWork,
         "leads": lambda: FakeLeadsUnitOfWork([Lead.open("sample@example.com", "Sample", EPOCH)]),
         "notifications": FakeNotificationsUnitOfWork}
EFFECTS = {"PurchaseCompleted": granted_every_role, "RoleGranted": door(opened=True),
           "RoleExtended": door(opened=True), "RoleShortened": door(opened=True),
           "RoleRevoked": door(opened=False), "UserUpdated": copied_the_user,
           ("access-customers", "OrderPlaced"): named_the_customer,
           ("leads", "OrderPaid"): converted_the_lead,
           **{("notifications", t): remembered_the_purchase_role
              for t in ("RoleGranted", "RoleExtended")},
           **{("notifications", t): told_nobody for t in ("RoleRevoked", "RoleShortened")},
           **{("notifications", t): told_once
              for t in ("OrderPaymentFailed", "LeadReminderDue", "SubscriptionPastDue",
                        "SubscriptionSuspended", "SubscriptionCancelled")}}

READS = [(name, event_type) for name, entry in sorted(CONSUMERS.items())
         for event_type in sorted(entry.spec.EVENT_TYPES)]
EVERY_VERSION = [(name, event_type, schema) for name, event_type in READS
                 for schema in versions().get(event_type, ())]


def test_every_published_event_type_is_read_by_a_consumer():
    assert set(versions()) <= {event_type for _, event_type in READS}


def test_every_consumer_is_checked_here():
    assert set(FAKES) == set(CONSUMERS)


def written_with(schema, record) -> bytes:
    body = io.BytesIO()
    fastavro.schemaless_writer(body, schema.parsed, record)
    return MARKER + schema.fingerprint + body.getvalue()


@pytest.mark.parametrize("consumer, event_type, schema", EVERY_VERSION,
                         ids=[f"{c}-{n}-v{s.version}" for c, n, s in EVERY_VERSION])
def test_each_consumer_applies_an_event_of_its_topic_written_with_every_version(consumer, event_type,
                                                                                 schema):
    spec = CONSUMERS[consumer].spec
    handlers = Handlers(spec.HANDLERS, spec.BATCH_HANDLERS)
    for record in samples(schema.parsed):
        if "role" in record:
            record["role"] = SAMPLE_COURSE_ROLE
        event_id = str(uuid.uuid4())
        message = FakeMessage(topics_of(spec)[0], 0, 0, b"k", written_with(schema, record),
                              [("id", event_id.encode())])
        envelope = open_envelope(message, spec.EVENT_TYPES)
        assert isinstance(envelope.event, spec.EVENT_TYPES[event_type])
        assert envelope.event_id == event_id
        uow = FAKES[consumer]()
        with uow:
            handlers.apply(event_type, [envelope.event], uow)
            uow.commit()
        effect = EFFECTS.get((consumer, event_type), EFFECTS.get(event_type))
        if effect is not None:
            effect(record, uow)


def field_names(cls) -> dict:
    hints = typing.get_type_hints(cls)
    names = {}
    for f in dataclasses.fields(cls):
        inner = [a for a in typing.get_args(hints[f.name]) if dataclasses.is_dataclass(a)]
        nested = hints[f.name] if dataclasses.is_dataclass(hints[f.name]) else (inner or [None])[0]
        names[f.name] = field_names(nested) if nested else None
    return names


def schema_names(record: dict, named: dict) -> dict:
    names = {}
    for f in record["fields"]:
        kind = f["type"]
        kind = named.get(kind, kind) if isinstance(kind, str) else kind
        if isinstance(kind, dict) and kind.get("type") == "array":  # of records: their fields
            kind = named.get(kind["items"], kind["items"]) if isinstance(kind["items"], str) \
                else kind["items"]
        names[f["name"]] = (schema_names(kind, named)
                            if isinstance(kind, dict) and kind.get("type") == "record" else None)
    return names


@pytest.mark.parametrize("consumer, event_type", READS, ids=[f"{c}-{n}" for c, n in READS])
def test_typed_events_declare_the_fields_of_the_current_schema(consumer, event_type):
    current = registry()[event_type].parsed
    typed = CONSUMERS[consumer].spec.EVENT_TYPES[event_type]
    assert field_names(typed) == schema_names(current, current.get("__named_schemas", {}))
