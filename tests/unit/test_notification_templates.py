"""The e-mails as composed: a text and an HTML part each, the customer's data escaped in HTML,
never able to add a header, and the Message-ID of the cause."""
import re
from datetime import date, datetime, timezone
from email import message_from_bytes, policy

import pytest

from apps.notifications.adapters.compose import compose
from apps.notifications.domain import emails
from tests.unit.notification_fakes import SETTINGS

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
LINKS = emails.Links("shop.test", "http://shop.test", "http://shop.test/orders")
HOSTILE = 'Ana <script>alert("x")</script> & Bob'


def every_email(name: str) -> list[emails.Email]:
    return [
        emails.access_email(LINKS, "order-1", "ana@example.com", name, ["Course XYZ, premium"],
                            ["XYZ", "ABCD"], NOW),
        emails.payment_failed_email(LINKS, "order-2", "ana@example.com", name, "card_declined",
                                    "The card was declined.", "89.80", "BRL", NOW),
        emails.reminder_email(LINKS, "lead-1", "ana@example.com", name, "http://shop.test/", NOW),
        emails.subscription_email(LINKS, "sub-1", "past_due", "ana@example.com", name,
                                  date(2026, 12, 1), date(2026, 12, 1), NOW),
    ]


def on_the_wire(email: emails.Email):
    """The message as a receiver parses the bytes the relay got."""
    raw = compose(email, SETTINGS.sender, NOW).as_bytes()
    return message_from_bytes(raw, policy=policy.default)


def parts(message) -> tuple[str, str]:
    return (message.get_body(("plain",)).get_content(),
            message.get_body(("html",)).get_content())


@pytest.mark.parametrize("email", every_email("Ana"), ids=lambda e: e.cause)
def test_every_email_has_a_text_and_an_html_part_and_its_causes_message_id(email):
    message = on_the_wire(email)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    text, html = parts(message)
    assert "http://shop.test" in text and 'href="http://shop.test' in html
    assert message["Message-ID"] == email.message_id
    assert message["From"] == "Lumen Academy <no-reply@shop.test>"
    assert message["Auto-Submitted"] == "auto-generated"


@pytest.mark.parametrize("email", every_email(HOSTILE)[:3], ids=lambda e: e.cause)
def test_the_customers_name_is_escaped_in_html_and_as_given_in_text(email):
    text, html = parts(on_the_wire(email))
    assert HOSTILE in text
    assert "<script>" not in html
    assert "Ana &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Bob" in html


def test_product_and_plan_names_are_escaped_in_html_too():
    access = emails.access_email(LINKS, "o", "ana@example.com", "Ana", ["<b>Bold</b> course"],
                                 ["<i>X</i>"], NOW)
    notice = emails.subscription_email(LINKS, "s", "suspended", "ana@example.com",
                                       "<img src=x onerror=alert(1)>", None, date(2026, 12, 1),
                                       NOW)
    for email, raw in ((access, "<b>Bold</b>"), (access, "<i>X</i>"),
                       (notice, "<img src=x onerror=alert(1)>")):
        text, html = parts(on_the_wire(email))
        assert raw in text and raw not in html


def test_a_name_holding_a_line_break_cannot_add_a_header():
    injected = "Ana\r\nBcc: thief@evil.example\r\nSubject: free courses"
    for email in every_email(injected):  # the subscription notice has it in its subject
        raw = compose(email, SETTINGS.sender, NOW).as_bytes()
        headers = raw.split(b"\r\n\r\n", 1)[0]
        assert not re.search(rb"^(Bcc|Subject: free)", headers, re.MULTILINE | re.IGNORECASE)
        message = message_from_bytes(raw, policy=policy.default)
        assert message["Bcc"] is None and len(message.get_all("Subject")) == 1
        assert [a.addr_spec for a in message["To"].addresses] == ["ana@example.com"]
        text, _ = parts(message)
        assert "\nBcc:" not in text  # shown on one line in the body too


def test_a_name_with_address_syntax_stays_a_display_name():
    email = emails.reminder_email(LINKS, "lead-2", "ana@example.com",
                                  'Ana, "Boss" <boss@evil.example>', "http://shop.test/", NOW)
    message = on_the_wire(email)
    [to] = message["To"].addresses
    assert (to.addr_spec, to.display_name) == ("ana@example.com", 'Ana, "Boss" <boss@evil.example>')


def test_the_access_email_names_both_courses_and_the_platform_link():
    text, html = parts(on_the_wire(every_email("Ana")[0]))
    for part in (text, html):
        assert "XYZ" in part and "ABCD" in part and "http://shop.test/orders" in part


def test_the_failure_email_gives_the_reason_and_a_retry_link_to_the_order():
    text, html = parts(on_the_wire(every_email("Ana")[1]))
    for part in (text, html):
        assert "The card was declined." in part and "http://shop.test/orders/order-2" in part


def test_a_reminder_link_that_is_not_a_web_address_becomes_the_shops():
    email = emails.reminder_email(LINKS, "lead-3", "ana@example.com", "Ana",
                                  "javascript:alert(1)", NOW)
    text, html = parts(on_the_wire(email))
    assert "javascript:" not in text + html and 'href="http://shop.test/"' in html


def test_a_non_ascii_name_and_subject_are_encoded_not_raw_on_the_wire():
    email = emails.access_email(LINKS, "o-3", "ana@example.com", "Ana Conceição", [],
                                ["ÁLGEBRA"], NOW)
    raw = compose(email, SETTINGS.sender, NOW).as_bytes()
    assert raw.isascii()
    message = message_from_bytes(raw, policy=policy.default)
    assert message["To"].addresses[0].display_name == "Ana Conceição"
    assert "ÁLGEBRA" in message["Subject"] and "Ana Conceição" in parts(message)[0]
