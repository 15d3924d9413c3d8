"""Every main page at 375 px wide and at 1280 px, in Kazakh and Russian: no sideways scroll, and
axe-core (from the npm lock) finds no serious or critical accessibility violation (see `WALKS`).

One world is made for the whole walk: a licensing provider with an issued, a refused and an open
application of an applicant, its staff, and a service centre's operator. Each person's session
is put in the browser as a cookie (no password hashing, no sign-in page to walk).
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

from qyzmet.edge.sessions import SessionStore

from .browser import async_unsafe_allowed, chromium_page  # noqa: F401 (fixture)
from .page_walk import main_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# axe's impacts that fail the walk
BLOCKING = {"serious", "critical"}


def _session(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def _problems(page, url: str, width: int, axe: bool) -> list[str]:
    found = []
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > width:
        culprits = page.evaluate(
            """(width) => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > width + 1)
                .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > width + 1))
                .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))""",
            width,
        )
        found.append(f"{url} at {width} px is {wide} px wide ({', '.join(culprits)})")
    if not axe:
        return found
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    for violation in result["violations"]:
        if violation["impact"] in BLOCKING:
            nodes = "; ".join(n["target"][0] if n["target"] else "?" for n in violation["nodes"][:3])
            found.append(f"{url} at {width} px: axe {violation['impact']} {violation['id']} ({nodes})")
    return found


# axe's rules read the document, which is the same at every width and nearly so in each language:
# it runs once per page, in Kazakh at 375 px; the layout is checked at both widths in Kazakh and
# at 375 px in Russian (whose words are the longest).
WALKS = {"kk": ((375, True), (1280, False)), "ru": ((375, False),)}


@pytest.mark.slow
@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_main_page_fits_375_px_and_has_no_serious_accessibility_violation(
    live_server, language, monkeypatch
):
    monkeypatch.setenv(
        "QYZMET_TODAY", "2015-10-14"
    )  # the licence regulation in force: its service page opens
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make assets` (npm ci)")
    problems = []
    # made before the browser opens: Playwright's event loop would stop pyhanko signing the PDFs
    world = main_pages()
    with chromium_page(15_000) as page:
        for user, urls in world.items():
            page.context.clear_cookies()
            cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
            if user is not None:
                cookies.append(
                    {"name": settings.SESSION_COOKIE_NAME, "value": _session(user), "url": live_server.url}
                )
            page.context.add_cookies(cookies)
            for width, axe in WALKS[language]:
                page.set_viewport_size({"width": width, "height": 900})
                for url in urls:
                    answer = page.goto(f"{live_server.url}{url}")
                    assert answer.status == 200, f"{url} as {user}: {answer.status}"
                    assert page.locator("html").get_attribute("lang") == language, url
                    problems += _problems(page, url, width, axe=axe)
    assert not problems, "\n".join(problems)
