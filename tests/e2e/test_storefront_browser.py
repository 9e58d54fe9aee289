"""The shop in a real browser: Debian's chromium, driven by Playwright, on the running system.

The storefront runs as a subprocess on a free port with a key of its own (the storefront's
scopes only), talking to the stack's sales and access APIs; the payment platform, the payment
worker, Debezium, Kafka and the access consumer do the rest. A screenshot of each page goes to
test-artifacts/screenshots/ (git-ignored) for a reviewer, the storefront's log beside it.
"""
import os
import re
import secrets
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import select

from apps.api_keys.dev import STOREFRONT_SCOPES
from apps.leads.adapters.tables import leads
from apps.notifications.maildir import received
from apps.notifications.settings import from_env as mail_settings
from apps.notifications.smtp_server import maildir_folder

from tests.e2e.test_leads_reminder import age
from tests.integration.polling import wait_for
from tests.unit.http_app import closed_port

pytestmark = pytest.mark.e2e

REPO_DIR = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_DIR / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
APPROVED, DECLINED, NOT_LUHN = "4242 4242 4242 4242", "4000 0000 0000 0002", "4242 4242 4242 4241"
SETTLE_MS = 120_000  # a deadline, not an expectation: payment, then roles via Debezium, Kafka, consumer


def answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/health/ready", timeout=1).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture(scope="module")
def storefront(system, make_api_key, tmp_path_factory):
    """The storefront's address, started the way it is supervised: `python -m apps.storefront`."""
    port = closed_port()
    ARTIFACTS.mkdir(exist_ok=True)
    key = make_api_key("storefront-browser-test", STOREFRONT_SCOPES)
    environment = {**os.environ, "STOREFRONT_API_KEY": key,
                   "STOREFRONT_SECRET_KEY": secrets.token_urlsafe(32),
                   "PROMETHEUS_MULTIPROC_DIR": str(tmp_path_factory.mktemp("storefront-metrics"))}
    url = f"http://127.0.0.1:{port}"
    with open(ARTIFACTS / "storefront.log", "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "apps.storefront", "--port", str(port),
                                    "--workers", "1"], cwd=REPO_DIR, env=environment,
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: process.poll() is not None or answers(url), 30, "the storefront to start")
        if process.poll() is not None:
            pytest.fail(f"the storefront exited with {process.returncode}: see {ARTIFACTS / 'storefront.log'}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"no chromium at {CHROMIUM}: install Debian's package (apt-get install -y chromium) "
                    "or point CHROMIUM at the binary")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def add_to_cart(page: Page, shop: str, *products: str) -> None:
    page.goto(shop)
    for product in products:
        page.get_by_test_id(f"add-{product}").click()
        expect(page.get_by_test_id("flash")).to_contain_text("added to your cart")


def fill_checkout(page: Page, email: str, card: str) -> None:
    page.get_by_label("Full name").fill("Ana Souza")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Card number").fill(card)
    page.get_by_label("Name on card").fill("ANA SOUZA")
    page.get_by_label("Expiry month").fill("12")
    page.get_by_label("Expiry year").fill("2030")
    page.get_by_label("CVC").fill("123")


def place_order(page: Page) -> str:
    """The new order's id, from the order page the checkout leads to."""
    with page.expect_navigation():
        page.get_by_test_id("place-order").click()
    if not re.search(r"/orders/[0-9a-f-]{36}$", page.url):
        pytest.fail(f"the checkout stayed on {page.url}: {page.locator('main').inner_text()!r}")
    return page.url.rsplit("/", 1)[1]


def lead_of(sales_db, email: str):
    with sales_db.connect() as connection:
        return connection.execute(select(leads.c.status, leads.c.order_id)
                                  .where(leads.c.email == email)).one_or_none()


def mail(email: str, message_id: str) -> list:
    """The messages to `email` with `message_id` in the stack's Maildir (the local SMTP server)."""
    return [m for m in received(maildir_folder(), email) if m.message_id == message_id]


def test_a_customer_buys_both_courses_sees_them_open_and_finds_the_order(page, storefront, sales_db):
    email = f"shop-{uuid.uuid4().hex[:10]}@example.com"
    page.goto(storefront)
    expect(page.get_by_test_id("product-123456")).to_be_visible()
    expect(page.get_by_test_id("product-987654")).to_be_visible()
    screenshot(page, "01-catalogue")

    add_to_cart(page, storefront, "123456", "987654")
    expect(page.get_by_test_id("cart-count")).to_have_text("2")
    page.get_by_test_id("cart-link").click()
    expect(page.get_by_test_id("cart-line-123456")).to_be_visible()
    expect(page.get_by_test_id("cart-line-987654")).to_be_visible()
    screenshot(page, "02-cart")

    page.get_by_test_id("checkout-link").click()
    fill_checkout(page, email, APPROVED)
    screenshot(page, "03-checkout")
    order_id = place_order(page)
    screenshot(page, "04-order-placed")

    expect(page.get_by_test_id("order-status")).to_have_attribute("data-status", "paid", timeout=SETTLE_MS)
    expect(page.get_by_test_id("course-COURSE_XYZ")).to_be_visible(timeout=SETTLE_MS)
    expect(page.get_by_test_id("course-COURSE_ABCD")).to_be_visible(timeout=SETTLE_MS)
    expect(page.get_by_test_id("platform-access")).to_be_visible()
    screenshot(page, "05-order-paid")

    page.get_by_test_id("orders-link").click()
    row = page.get_by_test_id(f"order-row-{order_id}")
    expect(row).to_be_visible()
    expect(row).to_contain_text("Paid")
    screenshot(page, "06-order-history")
    # The checkout recorded the lead first; the order's payment converted it (the leads consumer).
    wait_for(lambda: lead_of(sales_db, email) == ("converted", order_id), SETTLE_MS / 1000,
             "the checkout's lead converted by the order")
    # The access e-mail reaches the local SMTP server's Maildir, naming both courses, once.
    [access] = wait_for(lambda: mail(email, f"<access.{order_id}@{mail_settings().domain}>"),
                        SETTLE_MS / 1000, "the access e-mail")
    assert "XYZ" in access.part("plain") and "ABCD" in access.part("plain")
    assert "XYZ" in access.part("html") and "ABCD" in access.part("html")


def test_a_refused_card_number_is_named_and_a_declined_card_shows_the_failure(page, storefront,
                                                                             sales_db):
    email = f"shop-{uuid.uuid4().hex[:10]}@example.com"
    add_to_cart(page, storefront, "123456")
    page.goto(f"{storefront}/checkout")
    fill_checkout(page, email, NOT_LUHN)
    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("error-card_number")).to_be_visible()
    expect(page.get_by_label("E-mail")).to_have_value(email)
    screenshot(page, "07-checkout-field-error")

    fill_checkout(page, email, DECLINED)
    place_order(page)
    expect(page.get_by_test_id("order-status")).to_have_attribute("data-status", "payment_failed",
                                                                  timeout=SETTLE_MS)
    expect(page.get_by_test_id("failure-reason")).not_to_be_empty()
    screenshot(page, "08-order-failed")
    failed_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    [failure] = wait_for(lambda: mail(email, f"<payment-failed.{failed_id}@{mail_settings().domain}>"),
                         SETTLE_MS / 1000, "the failure e-mail")
    assert "The card was declined." in failure.part("plain")
    # Left unpaid, the checkout's lead gets one abandoned-checkout reminder once the delay has
    # passed (aged in the database: the running scheduler's delay is an hour by default).
    with sales_db.connect() as connection:
        lead_id = str(connection.execute(select(leads.c.id).where(leads.c.email == email)).scalar_one())
    age(sales_db, lead_id)
    reminder_id = f"<reminder.{lead_id}@{mail_settings().domain}>"
    [reminder] = wait_for(lambda: mail(email, reminder_id), SETTLE_MS / 1000, "the reminder e-mail")
    assert mail_settings().shop_url in reminder.part("plain")

    page.get_by_test_id("try-again").click()
    expect(page.get_by_test_id("summary-123456")).to_be_visible()
