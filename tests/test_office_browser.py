"""The back office in a real browser: a clerk registers an application, an executor refuses it,
the head signs the refusal with her key file in the page, and the page says it is refused.

Drives Debian's headless Chromium through Playwright against pytest-django's live server. A
missing browser fails the test with the reason: a skip would let a broken office pass unseen.
Run only these with `pytest -m browser`, or leave them out with `-m "not browser"`.
"""

import re

import pytest

from qyzmet.engine.models import Status
from qyzmet.office.testing import PASSWORD, make_cast

from .browser import async_unsafe_allowed, chromium_page  # noqa: F401 (fixture)
from .casefile_helpers import KEY_PASSWORD, head_keys, record_head

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cast():
    cast = make_cast()
    record_head(cast)
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


@pytest.mark.slow
def test_clerk_registers_executor_refuses_head_signs(live_server, cast, centre, tmp_path):
    app = cast.file()
    key_file = tmp_path / "RSA256_head.p12"
    key_file.write_bytes(head_keys(centre, cast.provider_a)["own"].p12)
    with chromium_page(15_000) as page:
        _walk_through(page, live_server, app, key_file)
    app.refresh_from_db()
    assert app.status == Status.REFUSED and app.refusal_grounds == ["documents-not-compliant"]


def _walk_through(page, live_server, app, key_file):
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
    # the head reads the reasoned refusal she signs, then signs it with her key file
    assert "The diploma is not recognised in Kazakhstan." in page.locator("#decision-preview").inner_text()
    page.locator("form.sign input[type=file]").set_input_files(str(key_file))
    page.locator("form.sign input[type=password]").fill(KEY_PASSWORD)
    page.locator("form.sign button[type=submit]").click()
    page.wait_for_selector("ul.flash li")
    assert page.locator("#status").inner_text() == "refused"
    passport = page.locator("section.passport").inner_text()
    assert "The documents do not meet Standard clause 9" in passport
    assert "The diploma is not recognised in Kazakhstan." in passport
