"""Brute force: wrong passwords lock an account out from that address; wrong API tokens throttle.

There was no throttling on passwords or API tokens (issue 11, hole 6). Now the fifth wrong
password for one account from one address locks that pair out for 15 minutes (django-axes), in
the portal, the office and the admin alike; the right password works again after the cool-off.
Wrong API tokens count per client address the same way; past the limit they are refused with
429 and nothing written, while a valid token keeps working (no one guesses a 256-bit token).
"""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .api_helpers import bearer
from .portal_helpers import APPLICANT, PASSWORD, applicant

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT


@pytest.fixture(autouse=True)
def fast_password_hashes(settings):
    """Each wrong password is hashed in full; the production hasher's cost is not under test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _after_the_cool_off() -> None:
    AccessAttempt.objects.update(
        attempt_time=dt.datetime.now(dt.UTC) - settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1)
    )


def test_the_fifth_wrong_portal_password_locks_out_and_the_right_one_works_after_the_cool_off(client):
    applicant()
    wrong = {"username": APPLICANT, "password": "guess"}
    for _ in range(LIMIT - 1):
        assert client.post("/portal/login/", wrong).status_code == 400  # "the password is wrong"
    locked = client.post("/portal/login/", wrong)
    assert locked.status_code == 429
    assert "Too many wrong passwords were tried for this account" in locked.content.decode()
    assert locked["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    right = {"username": APPLICANT, "password": PASSWORD}
    assert client.post("/portal/login/", right).status_code == 429  # even the right one, until the cool-off
    _after_the_cool_off()
    assert client.post("/portal/login/", right)["Location"] == "/portal/cabinet/"


def test_a_lock_out_is_per_address_so_others_can_still_sign_in(client):
    applicant()
    for _ in range(LIMIT):
        client.post("/portal/login/", {"username": APPLICANT, "password": "guess"})
    elsewhere = client.post(
        "/portal/login/", {"username": APPLICANT, "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )
    assert elsewhere["Location"] == "/portal/cabinet/"


@pytest.mark.parametrize("login_url", ["/accounts/login/", "/admin/login/"])
def test_office_and_admin_sign_in_lock_out_too(client, login_url):
    get_user_model().objects.create_superuser("clerk", password="right-password")  # noqa: S106
    statuses = [
        client.post(login_url, {"username": "clerk", "password": "guess"}).status_code for _ in range(LIMIT)
    ]
    assert statuses[-1] == 429 and 429 not in statuses[:-1]
    ru = client.post(login_url, {"username": "clerk", "password": "guess"}, HTTP_ACCEPT_LANGUAGE="ru")
    assert ru.status_code == 429 and "Слишком много" in ru.content.decode()


def test_a_flood_of_bad_api_tokens_is_throttled_per_address_without_a_write_each(client):
    staff = get_user_model().objects.create_user("aed.head")
    good = bearer(staff)
    statuses = [
        client.get("/api/v1/inbox", headers={"Authorization": f"Bearer qz_wrong{i}"}).status_code
        for i in range(50)
    ]
    assert statuses[: LIMIT - 1] == [401] * (LIMIT - 1)
    assert statuses[LIMIT:] == [429] * (50 - LIMIT)
    assert (
        sum(a.failures_since_start for a in AccessAttempt.objects.all()) == LIMIT
    )  # refused ones not written
    throttled = client.get("/api/v1/inbox", headers={"Authorization": "Bearer qz_wrong-again"})
    assert throttled.status_code == 429 and "Too many invalid API tokens" in throttled.json()["detail"]
    assert int(throttled["Retry-After"]) > 0
    assert client.get("/api/v1/inbox", headers=good).status_code == 200  # the right token is not held up
    elsewhere = client.get("/api/v1/inbox", headers={"Authorization": "Bearer qz_x"}, REMOTE_ADDR="10.1.2.3")
    assert elsewhere.status_code == 401  # other addresses are counted on their own
    _after_the_cool_off()
    assert client.get("/api/v1/inbox", headers={"Authorization": "Bearer qz_late"}).status_code == 401


def test_a_valid_token_is_one_indexed_read_and_no_write_on_repeated_use(client):
    staff = get_user_model().objects.create_user("aed.head")
    good = bearer(staff)
    client.get("/api/v1/inbox", headers=good)  # first use stamps last_used
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/inbox", headers=good).status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    assert not [q for q in sql if q.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]
    assert len([q for q in sql if "api_apitoken" in q]) == 1 and not [q for q in sql if "axes_" in q]
