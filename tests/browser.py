"""Headless Chromium for the browser tests: Debian's package, driven by Playwright's sync API.

The browser is opened inside each test, not in a fixture, so that a missing browser (or a
missing front-end build) is reported as the test's failure rather than an error of its set-up.
"""

import contextlib
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# No background traffic: this machine's network is closed and Chromium would keep trying.
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
def chromium_page(timeout_ms: int = 10_000, require: tuple[Path, ...] = (), fail_on_js_errors: bool = False):
    """A page of headless Chromium in English."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)")
    for path in require:
        if not path.exists():
            pytest.fail(f"{path} is missing: run `make assets` (npm ci && npm run build)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="en-US")
            context.set_default_timeout(timeout_ms)
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            yield page
            if fail_on_js_errors:
                assert not errors, f"JavaScript errors: {errors}"
        finally:
            browser.close()


@pytest.fixture(autouse=True)
def async_unsafe_allowed(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # synchronous and safe, but Django refuses them while a loop runs unless told otherwise.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
