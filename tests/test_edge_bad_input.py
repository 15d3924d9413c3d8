"""Bad bytes get a clear 400, never a server error: a fuzz test over every route of the site.

NUL bytes and lone surrogates (JSON's "\\ud800") in the address, the query string, a header, a
form field, an uploaded file's name or a JSON body used to end as HTTP 500 on 21 route/method
pairs, anonymous register pages among them (issue 11, hole 4). Every route the URL resolver
knows, Django's and django-ninja's, is sent such bytes in each of those places, anonymously and
signed in as a superuser and as an applicant; each answer must be 400 with a message in the
visitor's language (JSON under /api/).
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .edge_routes import all_routes

pytestmark = pytest.mark.django_db

FIELDS = ("username", "password", "q", "number", "next", "name", "iin", "signature", "payment_id", "service")
HEADERS = ("HTTP_ACCEPT_LANGUAGE", "HTTP_REFERER", "HTTP_USER_AGENT", "HTTP_AUTHORIZATION", "HTTP_COOKIE")
NUL = st.just("\x00")
SURROGATE = st.characters(categories=["Cs"])
# Some text around one unacceptable character, kept short: the point is where it goes.
BAD = st.builds(lambda a, bad, b: a + bad + b, st.text(max_size=4), NUL | SURROGATE, st.text(max_size=4))
ROUTES = all_routes()


def _quoted(text: str) -> str:
    return quote(text, safe="", errors="surrogatepass")


def _header(text: str) -> str:
    # what a WSGI server hands over: the raw bytes as Latin-1
    return text.encode("utf-8", "surrogatepass").decode("latin-1")


def _requests(route, bad: str):
    """(description, method, path, extra) for each place the bad text can go."""
    path = route.url()
    in_path = route.url(bad)
    if in_path is None:
        in_path = path.rstrip("/") + "/" + bad + "/"
    yield "path", "GET", _quoted_path(in_path), {}
    yield "query", "GET", path + "?" + urlencode(dict.fromkeys(FIELDS, bad), errors="surrogatepass"), {}
    header = HEADERS[len(bad) % len(HEADERS)]
    value = "Bearer " + bad if header == "HTTP_AUTHORIZATION" else bad
    yield f"header {header}", "GET", path, {header: _header(value)}
    # bodies go with every method the route takes that has one (POST for Django's own views)
    for method in [m for m in route.methods if m not in ("GET", "HEAD", "OPTIONS")] or ["POST"]:
        form = urlencode(dict.fromkeys(FIELDS, bad), errors="surrogatepass")
        yield "form", method, path, {"data": form, "content_type": "application/x-www-form-urlencoded"}
        nul_only = (
            bad.encode("utf-8", "surrogatepass").decode("utf-8", "replace") + "\x00"
        )  # multipart: UTF-8
        upload = SimpleUploadedFile(nul_only + ".pdf", b"%PDF-1.4\n", content_type="application/pdf")
        yield "file name", method, path, {"data": {"scans": upload, "document-standard-clause-9": upload}}
        body = {f: bad for f in FIELDS} | {
            "signed_request": {"request": {"iin": bad}, "signature": {"value": bad}}
        }
        yield "json", method, path, {"data": json.dumps(body), "content_type": "application/json"}


def _send(client, method: str, path: str, extra: dict):
    if method in ("GET", "POST"):
        return getattr(client, method.lower())(path, **extra)
    data = extra.get("data", "")
    if isinstance(
        data, dict
    ):  # multipart for PUT/PATCH/DELETE: Django's test client encodes it for POST only
        data, content_type = (
            urlencode({k: v.name for k, v in data.items()}),
            "application/x-www-form-urlencoded",
        )
    else:
        content_type = extra.get("content_type", "application/octet-stream")
    return client.generic(method, path, data, content_type=content_type)


def _quoted_path(path: str) -> str:
    return "/".join(_quoted(part) for part in path.split("/"))


@pytest.fixture(autouse=True)
def quiet_access_log():
    """Thousands of refused requests would each write a log line; the test is about answers."""
    import logging

    logger = logging.getLogger("django_structlog")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def _clients_for(route, clients):
    """Anonymous everywhere; the staff login where staff pages are, the applicant's on the portal."""
    anonymous, admin, applicant = clients
    if route.regex.startswith(("/portal/", "/api/v1/portal/")):
        return anonymous, applicant
    if route.regex.startswith(("/office/", "/psc/", "/api/")):  # the admin takes no uploads
        return anonymous, admin
    return (anonymous,)


@pytest.fixture
def clients(db):
    User = get_user_model()
    admin = User.objects.create_superuser("fuzz-admin", password=None)  # signed in below, no hash to compute
    applicant = User.objects.create_user("880101300017")
    signed_in = []
    for user in (admin, applicant):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        signed_in.append(client)
    return [Client(HTTP_ACCEPT_LANGUAGE="en"), *signed_in]


@settings(
    max_examples=1,
    deadline=None,
    phases=[Phase.generate],  # a failure lists every route it hit; shrinking 1,500 requests takes minutes
    database=None,  # nothing to replay: each run draws new text for every route
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_nul_bytes_and_broken_unicode_anywhere_on_any_route_get_400_not_500(clients, data):
    failures = []
    for route in ROUTES:
        bad = data.draw(BAD, label=route.regex)
        for place, method, path, extra in _requests(route, bad):
            # The edge refuses before the session is read, so who is signed in matters only where
            # the request reaches a view (file names, which Django cleans itself).
            for client in _clients_for(route, clients) if place == "file name" else clients[:1]:
                response = _send(client, method, path, extra)
                if place == "file name":
                    # Django drops unprintable characters from file names itself: no 400 needed
                    if response.status_code >= 500:
                        failures.append(f"{method} {route.regex} ({place}): {response.status_code}")
                elif response.status_code != 400:
                    failures.append(f"{method} {route.regex} ({place}): {response.status_code}")
                elif path.startswith("/api/"):
                    assert "cannot be accepted" in response.json()["detail"]
    assert not failures, f"{len(failures)} not refused with 400:\n" + "\n".join(failures[:40])
