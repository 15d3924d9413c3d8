"""The back office in a real browser: a clerk registers an application, an executor refuses it,
the head signs the refusal, and the page says it is refused.

Drives Debian's headless Chromium through Playwright against pytest-django's live server. A
missing browser fails the test with the reason: a skip would let a broken office pass unseen.
Run only these with `pytest -m browser`, or leave them out with `-m "not browser"`.
"""

import contextlib
import re
from pathlib import Path

import pytest

from qyzmet.engine.models import Status
from qyzmet.office.testing import PASSWORD, make_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextlib.contextmanager
def chromium_page():
    """A page of headless Chromium in English. Opened inside the test, not in a fixture, so that
    a missing browser is a failure of the test rather than an error of its set-up."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="en-US")
            context.set_default_timeout(10_000)
            yield context.new_page()
        finally:
            browser.close()


@pytest.fixture(autouse=True)
def async_unsafe_allowed(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # synchronous and safe, but Django refuses them while a loop runs unless told otherwise.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def cast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cast = make_cast()
    for user in (cast.clerk, cast.executor, cast.head):
        user.set_password(PASSWORD)
        user.save()
    return cast


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/office/")
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/office/")


def log_out(page):
    page.click("nav.office button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/login/"))


def complete(page, outcome=None):
    form = page.locator("form.complete")
    if outcome:
        form.locator("select[name=outcome]").select_option(outcome)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("ul.flash li")


def test_clerk_registers_executor_refuses_head_signs(live_server, cast):
    app = cast.file()
    with chromium_page() as page:
        _walk_through(page, live_server, app)
    app.refresh_from_db()
    assert app.status == Status.REFUSED and app.refusal_grounds == ["documents-not-compliant"]


def _walk_through(page, live_server, app):
    log_in(page, live_server, "a.clerk")
    row = page.locator("table.inbox tbody tr", has_text=app.number)
    assert row.count() == 1
    assert "S1" in row.inner_text() and app.applicant in row.inner_text()
    row.get_by_role("link", name=app.number).click()
    page.wait_for_url(f"{live_server.url}/office/applications/{app.number}/")
    assert "S1" in page.locator("section.current h3").inner_text()
    complete(page)
    assert "Step S1 completed" in page.locator("ul.flash").inner_text()
    assert "This step waits for the role executor" in page.locator("section.current").inner_text()
    log_out(page)

    log_in(page, live_server, "a.executor")
    page.locator("table.inbox").get_by_role("link", name=app.number).click()
    complete(page, "complete")
    assert "S3" in page.locator("section.current h3").inner_text()

    # A refusal without grounds is sent back with the reason, and nothing changes.
    page.locator("form.complete select[name=outcome]").select_option("refuse")
    page.locator("form.complete button[type=submit]").click()
    assert "Choose at least one ground" in page.locator("form.complete").inner_text()
    assert "S3" in page.locator("section.current h3").inner_text()

    page.locator("form.complete input[value=documents-not-compliant]").check()
    page.fill("form.complete textarea[name=note]", "The diploma is not recognised in Kazakhstan.")
    complete(page, "refuse")
    assert "S4-refusal" in page.locator("section.current h3").inner_text()
    assert page.locator("#status").inner_text() == "in progress"
    complete(page)  # the executor draws up the reasoned refusal
    log_out(page)

    log_in(page, live_server, "a.head")
    page.locator("table.inbox").get_by_role("link", name=app.number).click()
    assert "S5-refusal" in page.locator("section.current h3").inner_text()
    complete(page)
    assert page.locator("#status").inner_text() == "refused"
    passport = page.locator("section.passport").inner_text()
    assert "The documents do not meet Standard clause 9" in passport
    assert "The diploma is not recognised in Kazakhstan." in passport
