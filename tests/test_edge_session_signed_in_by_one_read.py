"""A signed-in request is resolved by one indexed read: the session row joined to its user
(qyzmet/edge/sessions.py), with Django's checks kept: a password changed elsewhere, an account
switched off, or signing out ends the session."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qyzmet.edge.models import Session
from qyzmet.gateway.testing import ordinary_iin

pytestmark = pytest.mark.django_db

MINE = "/api/v1/portal/me/applications"


@pytest.fixture
def applicant():
    return get_user_model().objects.create_user(username=ordinary_iin(seed=9141), password="a long secret 1")


def _reads_of(queries, table: str) -> list[str]:
    return [q["sql"] for q in queries if f'"{table}"' in q["sql"] and q["sql"].lstrip().startswith("SELECT")]


def test_the_session_and_its_user_are_read_in_one_statement(client, applicant):
    client.force_login(applicant)
    assert Session.objects.get().user_id == applicant.pk  # the row names whom it signs in
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(MINE)
    assert response.status_code == 200, response.content
    sessions, users = (
        _reads_of(ctx.captured_queries, "edge_session"),
        _reads_of(ctx.captured_queries, "auth_user"),
    )
    assert len(sessions) == 1 and users == sessions, ctx.captured_queries


def test_a_password_changed_elsewhere_ends_the_session(client, applicant):
    client.force_login(applicant)
    assert client.get(MINE).status_code == 200
    applicant.set_password("another long secret 2")
    applicant.save()
    assert client.get(MINE).status_code == 401


def test_an_account_switched_off_is_signed_out(client, applicant):
    client.force_login(applicant)
    get_user_model().objects.filter(pk=applicant.pk).update(is_active=False)
    assert client.get(MINE).status_code == 401


def test_signing_out_leaves_no_session_naming_the_person(client, applicant):
    client.force_login(applicant)
    client.logout()
    assert not Session.objects.filter(user=applicant).exists()
    assert client.get(MINE).status_code == 401


def test_signing_in_through_the_form_names_the_user(client, applicant):
    response = client.post("/portal/login/", {"username": applicant.username, "password": "a long secret 1"})
    assert response.status_code == 302, response.content[:300]
    assert Session.objects.filter(user=applicant).exists()
    assert client.get(MINE).status_code == 200
