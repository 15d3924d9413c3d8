"""Who may call the API: bearer tokens (missing, unknown, revoked, inactive user), the browser
session (with CSRF for changes), and the command that makes tokens."""

import pytest
from django.test import Client

from qyzmet.api.models import ApiToken, hash_token
from qyzmet.cli import main

from .api_helpers import MONDAY, bearer, freeze, new_application, provider, staff_for

pytestmark = pytest.mark.django_db

INBOX = "/api/v1/inbox"


@pytest.fixture
def clerk(monkeypatch):
    freeze(monkeypatch, MONDAY)
    return staff_for(provider("dept-almaty"), "office-clerk")


def test_no_token_is_401(client, clerk):
    response = client.get(INBOX)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "Bearer" in response.json()["detail"]


def test_unknown_or_malformed_token_is_401(client, clerk):
    assert client.get(INBOX, headers={"Authorization": "Bearer qz_not-a-token"}).status_code == 401
    token = bearer(clerk)["Authorization"].split()[1]
    assert client.get(INBOX, headers={"Authorization": f"Token {token}"}).status_code == 401


def test_valid_token_acts_as_its_user_and_marks_last_use(client, clerk):
    response = client.get(INBOX, headers=bearer(clerk))
    assert response.status_code == 200
    assert ApiToken.objects.get(user=clerk).last_used == MONDAY


def test_revoked_token_is_401(client, clerk):
    headers = bearer(clerk)
    ApiToken.objects.get(user=clerk).revoke()
    assert client.get(INBOX, headers=headers).status_code == 401


def test_token_of_a_deactivated_user_is_401(client, clerk):
    headers = bearer(clerk)
    clerk.is_active = False
    clerk.save()
    assert client.get(INBOX, headers=headers).status_code == 401


def test_browser_session_works_and_needs_csrf_to_change_state(clerk):
    app = new_application(clerk.staff_roles.get().provider)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(clerk)
    assert browser.get(INBOX).status_code == 200
    run = app.steps.get()
    response = browser.post(
        f"/api/v1/applications/{app.number}/steps/{run.pk}/complete", {}, content_type="application/json"
    )
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    run.refresh_from_db()
    assert run.completed_at is None


def test_create_api_token_prints_a_working_token_once_and_keeps_only_its_hash(client, clerk, capsys):
    assert main(["api", "token", clerk.username, "--name", "docflow"]) == 0
    token = capsys.readouterr().out.strip()
    row = ApiToken.objects.get(user=clerk)
    assert row.name == "docflow" and row.key_hash == hash_token(token) and token not in row.key_hash
    assert client.get(INBOX, headers={"Authorization": f"Bearer {token}"}).status_code == 200
